import { createTelemetry } from '@vigil/telemetry';
import { describe, expect, it } from 'vitest';
import { createServiceApp, type Migration } from '../src/index.ts';

const migrations: Migration[] = [
  {
    version: 1,
    name: 'things',
    up: 'CREATE TABLE things (id INTEGER PRIMARY KEY); INSERT INTO things VALUES (1);',
  },
];
const telemetry = () =>
  createTelemetry({
    service: 'kit-test',
    version: 'test',
    env: { LOG_LEVEL: 'fatal', VIGIL_TELEMETRY: 'on' },
  });

describe('createServiceApp owns the database', () => {
  it('opens it with its migrations and checks it for readiness', async () => {
    const { app, db } = await createServiceApp({
      telemetry: telemetry(),
      database: { file: ':memory:', migrations },
    });
    expect(db.prepare('SELECT count(*) AS n FROM things').get()).toEqual({ n: 1 });
    await app.ready();
    expect((await app.inject({ method: 'GET', url: '/health/ready' })).statusCode).toBe(200);
    db.close();
    const unready = await app.inject({ method: 'GET', url: '/health/ready' });
    expect(unready.statusCode).toBe(503);
    expect(unready.json().failing).toEqual(['database']);
    await app.close();
  });

  it("closes it after the service's own onClose hooks (a worker stops while it is still open)", async () => {
    const { app, db } = await createServiceApp({
      telemetry: telemetry(),
      database: { file: ':memory:', migrations },
    });
    let openInHook = false;
    app.addHook('onClose', async () => {
      openInHook = db.open;
    });
    await app.ready();
    await app.close();
    expect(openInHook).toBe(true);
    expect(db.open).toBe(false);
  });
});
