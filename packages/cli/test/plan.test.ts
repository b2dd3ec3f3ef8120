import { describe, expect, it } from 'vitest';
import type { Component } from '../src/component.ts';
import { createStartContext, resolvePorts } from '../src/context.ts';
import { varLayout } from '../src/paths.ts';
import { orderComponents, planStart, selectComponents } from '../src/plan.ts';
import { stopWaves } from '../src/supervisor.ts';

function comp(name: string, port: number, extra: Partial<Component> = {}): Component {
  return {
    name,
    port,
    portEnv: `${name.toUpperCase()}_PORT`,
    command: (ctx) => ({ cmd: ctx.node, args: [] }),
    readyUrl: () => 'http://127.0.0.1/',
    ...extra,
  };
}

const layout = varLayout('/tmp/vigil-plan-test');
const ctxFor = (registered: Component[]) =>
  createStartContext({ registered, components: registered, layout, adminToken: 't', env: {} });

describe('component planning', () => {
  it('orders by `after`, otherwise keeps registry order, ignoring names outside the selection', () => {
    const list = [comp('gw', 1, { after: ['a', 'b'] }), comp('b', 2, { after: ['a', 'hub'] }), comp('a', 3)];
    expect(orderComponents(list).map((c) => c.name)).toEqual(['a', 'b', 'gw']);
  });

  it('reports a dependency cycle', () => {
    const list = [comp('a', 1, { after: ['b'] }), comp('b', 2, { after: ['a'] })];
    expect(() => orderComponents(list)).toThrow(/depend on each other: a -> b -> a/);
  });

  it('--only selects exactly the named components, and rejects unknown names', () => {
    const list = [comp('a', 1), comp('b', 2, { after: ['a'] }), comp('c', 3)];
    expect(selectComponents(list, ['c', 'b']).map((c) => c.name)).toEqual(['b', 'c']);
    expect(selectComponents(list, []).map((c) => c.name)).toEqual(['a', 'b', 'c']);
    expect(() => selectComponents(list, ['zz'])).toThrow(/unknown component\(s\): zz; known: a, b, c/);
  });

  it('skips an optional component whose binary is missing, fails on a required one, honours skip()', () => {
    const missing = (optional: boolean) =>
      comp('prom', 9, { optional, command: () => ({ cmd: 'vigil-no-such-binary', args: [] }) });
    const plan = planStart(
      [comp('a', 1), missing(true), comp('s', 2, { skip: () => 'not built yet' })],
      ctxFor([]),
    );
    expect(plan.start.map((c) => c.name)).toEqual(['a']);
    expect(plan.skipped).toEqual([
      {
        name: 'prom',
        reason: "'vigil-no-such-binary' is not installed (not found on PATH); 'make start' installs it",
      },
      { name: 's', reason: 'not built yet' },
    ]);
    expect(() => planStart([missing(false)], ctxFor([]))).toThrow(
      /prom: 'vigil-no-such-binary' is not installed/,
    );
  });
});

describe('port resolution', () => {
  const list = [
    comp('a', 8001),
    comp('hub', 4000, { extraPorts: [{ key: 'otlp', port: 4318, env: 'HUB_OTLP_PORT' }] }),
  ];

  it('uses defaults, env overrides, and extra ports; the OTLP port follows the hub', () => {
    expect(resolvePorts(list, { A_PORT: '9001' })).toEqual({ a: 9001, hub: 4000, 'hub.otlp': 4318 });
    const ctx = createStartContext({
      registered: list,
      components: list,
      layout,
      adminToken: 't',
      env: { HUB_OTLP_PORT: '5318' },
    });
    expect(ctx.otlpPort).toBe(5318);
    expect(ctx.port('hub.otlp')).toBe(5318);
    expect(() => ctx.port('nope')).toThrow(/unknown component port/);
  });

  it('rejects values that are not ports and two components on one port', () => {
    for (const bad of ['0', '65536', '80x', '-1', '1.5']) {
      expect(() => resolvePorts(list, { A_PORT: bad })).toThrow(/A_PORT=.* is not a TCP port/);
    }
    expect(() => resolvePorts(list, { A_PORT: '4318' })).toThrow(
      /port 4318 is configured for both a and hub.otlp/,
    );
  });
});

describe('stop order', () => {
  it('stops dependents first, independent components together', () => {
    const list = [
      comp('user', 1),
      comp('product', 2),
      comp('smtp', 3),
      comp('notification', 4, { after: ['smtp'] }),
      comp('order', 5, { after: ['user', 'product', 'notification', 'hub'] }),
      comp('gateway', 6, { after: ['order', 'user'] }),
    ];
    expect(stopWaves(list)).toEqual([['gateway'], ['order'], ['user', 'product', 'notification'], ['smtp']]);
  });
});
