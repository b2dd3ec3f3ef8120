import { describe, expect, it } from 'vitest';
import { createTelemetry } from '../src/index.ts';

// A labelled series born at its first increment loses that increment to rate()/increase():
// metrics declared with `known` label values exist at 0 before anything happens.
describe('known label values', () => {
  const telemetry = createTelemetry({ service: 'known-test', version: '1', env: { LOG_LEVEL: 'silent' } });
  const text = () => telemetry.registry.metrics();

  it('exports every combination of a counter at 0, and counts from there', async () => {
    const c = telemetry.counter({
      name: 'known_steps_total',
      help: 'Steps.',
      labelNames: ['step', 'status'],
      known: { step: ['cart', 'payment'], status: ['success', 'failure'] },
    });
    let body = await text();
    const series = body.split('\n').filter((l) => l.startsWith('known_steps_total{'));
    expect(series.sort()).toEqual([
      'known_steps_total{step="cart",status="failure"} 0',
      'known_steps_total{step="cart",status="success"} 0',
      'known_steps_total{step="payment",status="failure"} 0',
      'known_steps_total{step="payment",status="success"} 0',
    ]);
    expect(body, 'no unlabelled series').not.toMatch(/^known_steps_total /m);
    c.inc({ step: 'payment', status: 'success' });
    body = await text();
    expect(body).toContain('known_steps_total{step="payment",status="success"} 1');
  });

  it('exports a histogram at 0 for every combination, all buckets included', async () => {
    telemetry.histogram({
      name: 'known_value_dollars',
      help: 'Value.',
      labelNames: ['segment'],
      buckets: [10, 100],
      known: { segment: ['new', 'premium'] },
    });
    const body = await text();
    for (const segment of ['new', 'premium']) {
      for (const le of ['10', '100', '+Inf']) {
        expect(body).toContain(`known_value_dollars_bucket{le="${le}",segment="${segment}"} 0`);
      }
      expect(body).toContain(`known_value_dollars_count{segment="${segment}"} 0`);
    }
  });

  it('refuses known values for a label the metric does not declare', () => {
    expect(() =>
      telemetry.counter({
        name: 'known_typo_total',
        help: 'x',
        labelNames: ['step'],
        known: { stpe: ['a'] },
      }),
    ).toThrow(/undeclared labels stpe/);
  });
});
