import { describe, expect, it } from 'vitest';
import {
  component,
  defaultPort,
  defaultUrl,
  SERVICE_NAMES,
  type TopologyEntry,
  topology,
} from '../src/index.ts';

const entries: readonly TopologyEntry[] = topology;

describe('@vigil/topology', () => {
  it('names, ports and variables are each used once', () => {
    const ports = entries.flatMap((e) => [e.port, ...(e.extraPorts ?? []).map((p) => p.port)]);
    const envs = entries.flatMap((e) => [
      e.portEnv,
      ...(e.urlEnv ? [e.urlEnv] : []),
      ...(e.extraPorts ?? []).map((p) => p.env),
    ]);
    const names = entries.map((e) => e.name);
    for (const list of [ports, envs, names]) expect(new Set<unknown>(list).size).toBe(list.length);
  });

  it('every call names a known component, and nothing calls itself', () => {
    const names = new Set(entries.map((e) => e.name));
    for (const e of entries) {
      for (const callee of e.calls ?? []) {
        expect(names.has(callee), `${e.name} calls unknown ${callee}`).toBe(true);
        expect(callee).not.toBe(e.name);
      }
    }
  });

  it('the services are the role-`service` entries, each with an entry file and a URL variable', () => {
    expect(SERVICE_NAMES).toEqual(entries.filter((e) => e.role === 'service').map((e) => e.name));
    for (const name of SERVICE_NAMES) {
      const entry: TopologyEntry = component(name);
      expect(entry.entry).toMatch(/^services\/[a-z]+\/src\/server\.ts$/);
      expect(entry.urlEnv).toMatch(/^[A-Z_]+_URL$/);
    }
  });

  it('resolves default ports and URLs, extra ports by <name>.<key>, and refuses unknown names', () => {
    expect(defaultPort('hub.otlp')).toBe(component('hub').extraPorts[0].port);
    expect(defaultUrl('order-service')).toBe(`http://127.0.0.1:${component('order-service').port}`);
    expect(() => defaultPort('hub.nope')).toThrow(/unknown port: hub.nope/);
    expect(() => component('nope' as 'hub')).toThrow(/unknown component: nope/);
  });
});
