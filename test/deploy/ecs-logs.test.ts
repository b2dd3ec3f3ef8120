// Real log lines of every service, mapped to ECS fields by deploy/logging/ecs-fields.json (the
// table the Logstash pipeline applies), checked against the Elasticsearch index template: every
// field has a mapping of a compatible type, nothing is both a value and an object.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '@vigil/service-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ECS_TABLE, toEcs } from '../../deploy/logging/ecs.ts';
import { http, placeOrder, type ServiceName, type Stack, startStack } from '../order-flow/support/stack.ts';

type Mapping = { type?: string; properties?: Record<string, Mapping> };
const template = JSON.parse(
  readFileSync(join(repoRoot, 'deploy/elasticsearch/vigil-logs-template.json'), 'utf8'),
);
const root: Mapping = { properties: template.template.mappings.properties };

function lookup(path: string): { mapping?: Mapping; conflict?: string } {
  let node: Mapping = root;
  const parts = path.split('.');
  for (const [i, part] of parts.entries()) {
    if (node.type === 'flattened') return { mapping: node };
    const next = node.properties?.[part];
    if (!next) return {};
    if (next.type && next.type !== 'object' && i < parts.length - 1 && next.type !== 'flattened')
      return {
        conflict: `${parts.slice(0, i + 1).join('.')} is a ${next.type}, ${path} needs an object there`,
      };
    node = next;
  }
  return { mapping: node };
}

const COMPATIBLE: Record<string, (v: unknown) => boolean> = {
  date: (v) => typeof v === 'string' && !Number.isNaN(Date.parse(v)),
  keyword: (v) => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean',
  match_only_text: (v) => typeof v === 'string',
  wildcard: (v) => typeof v === 'string',
  long: (v) => Number.isInteger(v),
  flattened: () => true,
};

let stack: Stack;
const lines = new Map<string, Array<Record<string, unknown>>>();
const SERVICES: ServiceName[] = [
  'gateway',
  'user',
  'product',
  'order',
  'payment',
  'notification',
  'smtp-sink',
];

beforeAll(async () => {
  stack = await startStack({ hub: true });
  // Traffic that logs: a completed order (requests, spans, a mail), a declined card, bad input, a 404.
  await placeOrder(stack.url('gateway'), 'ecs-1');
  await placeOrder(stack.url('gateway'), 'ecs-2', {
    payment_method: {
      type: 'card',
      card_number: '4000000000000002',
      exp_month: 12,
      exp_year: 2034,
      cvv: '123',
    },
  });
  await http('POST', `${stack.url('gateway')}/orders`, '{"broken', { 'idempotency-key': 'ecs-3' });
  await http('GET', `${stack.url('user')}/users/999999`);
  await new Promise((r) => setTimeout(r, 1500)); // stdout is batched; the mail is sent async
  for (const name of SERVICES) {
    const parsed: Array<Record<string, unknown>> = [];
    for (const text of stack.logs(name).split('\n')) {
      if (!text.startsWith('{')) continue;
      try {
        parsed.push(JSON.parse(text));
      } catch {
        // a partial line
      }
    }
    lines.set(name, parsed);
  }
}, 120_000);

afterAll(async () => {
  await stack?.close();
});

describe('stdout logs -> ECS -> index template', () => {
  it.each(SERVICES)('%s: every field of every line maps without conflict', (name) => {
    const own = lines.get(name) ?? [];
    expect(own.length, `${name} wrote JSON lines`).toBeGreaterThan(0);
    const problems = new Set<string>();
    for (const line of own) {
      const ecs = toEcs(line);
      for (const field of ['@timestamp', 'log.level', 'message', 'service.name']) {
        if (!ecs.has(field)) problems.add(`missing ${field} in ${JSON.stringify(line).slice(0, 200)}`);
      }
      for (const [field, value] of ecs) {
        const { mapping, conflict } = lookup(field);
        if (conflict) problems.add(conflict);
        else if (!mapping?.type) problems.add(`${field} has no mapping (value ${JSON.stringify(value)})`);
        else if (!COMPATIBLE[mapping.type]?.(value))
          problems.add(`${field}: ${JSON.stringify(value)} is not a ${mapping.type}`);
      }
    }
    expect([...problems]).toEqual([]);
  });

  it('request lines carry trace.id and span.id of their trace', () => {
    const requests = [...lines.values()].flat().filter((l) => l.event === 'http_request');
    expect(requests.length).toBeGreaterThan(5);
    for (const l of requests) {
      const ecs = toEcs(l);
      expect(ecs.get('trace.id')).toMatch(/^[0-9a-f]{32}$/);
      expect(ecs.get('span.id')).toMatch(/^[0-9a-f]{16}$/);
      expect(ecs.get('event.action')).toBe('http_request');
    }
  });

  it('every ECS target in the table has a mapping in the template', () => {
    for (const target of Object.values(ECS_TABLE.fields)) {
      expect(lookup(target).mapping?.type, target).toBeDefined();
    }
    expect(lookup(`${ECS_TABLE.unmappedPrefix}.anything`).mapping?.type).toBe('flattened');
  });
});
