import { describe, expect, it } from 'vitest';
import { childEnv } from '../src/child-env.ts';
import type { Component } from '../src/component.ts';
import { createStartContext } from '../src/context.ts';
import { varLayout } from '../src/paths.ts';

const user: Component = {
  name: 'user-service',
  port: 8001,
  portEnv: 'USER_SERVICE_PORT',
  urlEnv: 'USER_SERVICE_URL',
  command: (ctx) => ({ cmd: ctx.node, args: [] }),
  readyUrl: () => '',
};
const order: Component = {
  ...user,
  name: 'order-service',
  port: 8003,
  portEnv: 'ORDER_SERVICE_PORT',
  urlEnv: 'ORDER_SERVICE_URL',
};

describe('childEnv', () => {
  it('gives each child HOST, its own PORT, data dir, token, OTLP endpoint and every service URL', () => {
    const layout = varLayout('/tmp/v');
    const ctx = createStartContext({
      registered: [user, order],
      components: [order],
      layout,
      adminToken: 'secret',
      env: { USER_SERVICE_PORT: '9101' },
    });
    const env = childEnv(order, ctx, { LOG_LEVEL: 'debug' }, { PATH: '/bin', PORT: '1' });
    expect(env).toMatchObject({
      PATH: '/bin',
      HOST: '127.0.0.1',
      PORT: '8003',
      VIGIL_DATA_DIR: '/tmp/v/data',
      VIGIL_ADMIN_TOKEN: 'secret',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318',
      USER_SERVICE_URL: 'http://127.0.0.1:9101',
      ORDER_SERVICE_URL: 'http://127.0.0.1:8003',
      LOG_LEVEL: 'debug',
    });
  });
});
