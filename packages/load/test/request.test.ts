import { describe, expect, it } from 'vitest';
import { compileStep, requestOptions } from '../src/request.ts';
import { type Step, validateScenario } from '../src/scenario.ts';
import { Recorder } from '../src/stats.ts';

function steps(...input: object[]): Step[] {
  return validateScenario({ name: 's', journeys: [{ name: 'j', steps: input }] }).journeys[0]!.steps;
}
const rec = new Recorder(0, 1, 1).step('j/x');
const ctx = { vars: { customer: 7, orderId: 'o-1' }, data: {} };

describe('compiled steps (request options built once)', () => {
  it('a step without templates reuses one options object with the body serialised once', () => {
    const [step] = steps({
      name: 'x',
      method: 'POST',
      path: '/orders',
      headers: { 'X-Tenant': 'a' },
      json: { items: [{ product_id: 1, quantity: 2 }] },
    });
    const c = compileStep(step!, 'j/x', rec);
    const a = requestOptions(c, ctx);
    expect(requestOptions(c, ctx)).toBe(a);
    expect(a).toMatchObject({ method: 'POST', path: '/orders' });
    expect(a.headers).toEqual(['x-tenant', 'a', 'content-type', 'application/json']);
    expect(Buffer.isBuffer(a.body)).toBe(true);
    expect(JSON.parse(String(a.body))).toEqual({ items: [{ product_id: 1, quantity: 2 }] });
    // Nothing reads this step's body.
    expect(c.needBody).toBe(false);
  });

  it('a templated step renders path, headers and body for every request, types kept', () => {
    const [step] = steps({
      name: 'x',
      method: 'POST',
      path: '/orders/{{orderId}}/items',
      headers: { 'idempotency-key': 'load-{{uuid}}', 'content-type': 'application/json; charset=utf-8' },
      json: { customer_id: '{{customer}}' },
      check: { json: [{ path: 'id', exists: true }] },
      timeout: '2s',
    });
    const c = compileStep(step!, 'j/x', rec);
    expect(c.fixed).toBeNull();
    const a = requestOptions(c, ctx);
    const b = requestOptions(c, ctx);
    expect(a.path).toBe('/orders/o-1/items');
    expect(a.body).toBe('{"customer_id":7}');
    const key = (o: typeof a) => (o.headers as string[])[1];
    expect(key(a)).toMatch(/^load-[0-9a-f-]{36}$/);
    expect(key(b)).not.toBe(key(a));
    // The step's own content type, not a second one.
    expect((a.headers as string[]).filter((h) => h === 'content-type')).toHaveLength(1);
    expect(a).toMatchObject({ headersTimeout: 2000, bodyTimeout: 2000 });
    expect(c.needBody).toBe(true);
  });

  it('a template that cannot render throws when the request is built', () => {
    const [step] = steps({ name: 'x', path: '/users/{{nobody}}' });
    const c = compileStep(step!, 'j/x', rec);
    expect(() => requestOptions(c, ctx)).toThrow(/unknown variable 'nobody'/);
  });
});
