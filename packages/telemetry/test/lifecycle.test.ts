import { setTimeout as delay } from 'node:timers/promises';
import Fastify, { LogController } from 'fastify';
import { describe, expect, it } from 'vitest';
import { createTelemetry } from '../src/index.ts';

describe('telemetry.shutdown()', () => {
  it('is idempotent, turns readiness to shutting_down, and lets an in-flight request finish', async () => {
    const telemetry = createTelemetry({
      service: 'lifecycle-test',
      version: '1',
      env: { LOG_LEVEL: 'silent' },
    });
    const app = Fastify({
      loggerInstance: telemetry.logger,
      logController: new LogController({ disableRequestLogging: true }),
    });
    await app.register(telemetry.plugin);
    let entered: () => void = () => {};
    const handlerEntered = new Promise<void>((resolve) => {
      entered = resolve;
    });
    app.get('/slow', async () => {
      entered();
      await delay(300);
      return { done: true };
    });
    const address = await telemetry.start(app, { port: 0 });
    const inFlight = fetch(`${address}/slow`);
    await handlerEntered;
    const first = telemetry.shutdown();
    const second = telemetry.shutdown();
    expect(second).toBe(first);
    expect((await telemetry.health.readiness()).status).toBe('shutting_down');
    const response = await inFlight;
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ done: true });
    await first;
    await expect(fetch(`${address}/slow`)).rejects.toThrow();
  });
});
