import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { validateSpec, validateSpecText } from '../src/index.ts';

const goodSlo = {
  name: 'gateway-availability',
  service: 'gateway',
  team: 'platform',
  objective: 99.9,
  period: '30d',
  sli: {
    errors: 'sum(rate(http_requests_total{status=~"5.."}[{{window}}]))',
    total: 'sum(rate(http_requests_total[{{window}}]))',
  },
};

function errorsOf(...slos: unknown[]): string[] {
  const result = validateSpec({ slos });
  return result.ok ? [] : result.errors;
}

describe('validateSpec', () => {
  it('accepts a good spec and fills defaults', () => {
    const result = validateSpecText(stringify({ slos: [goodSlo] }));
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.spec.slos[0]!.min_traffic).toBe(0);
  });

  it.each([100, 0, -5, 150])('rejects objective %s as out of range', (objective) => {
    expect(errorsOf({ ...goodSlo, objective })).toEqual([
      `slos[0] (gateway-availability): objective ${objective} is out of range: it is a percentage, 0 < objective < 100 (e.g. 99.9 for 99.9%)`,
    ]);
  });

  it('rejects an objective given as a fraction, whose page could never fire', () => {
    const errors = errorsOf({ ...goodSlo, objective: 0.999 });
    expect(errors[0]).toBe(
      'slos[0] (gateway-availability): objective 0.999 is too low: its 1h/5m page alert needs an error ratio above 14.4 × 99.001% = 1425.6144%, which can never happen; use an objective above 93.0555555556',
    );
  });

  it('rejects an objective so low that a page can never fire, naming each dead tier', () => {
    // 90% over 30d: budget 10%, 14.4 × 10% = 144% and 6 × 10% = 60% → only the first is dead
    expect(errorsOf({ ...goodSlo, objective: 90 })).toEqual([
      'slos[0] (gateway-availability): objective 90 is too low: its 1h/5m page alert needs an error ratio above 14.4 × 10% = 144%, which can never happen; use an objective above 93.0555555556',
    ]);
    // the boundary: 14.4 × (1 − 0.93) = 1.008 ≥ 1
    expect(errorsOf({ ...goodSlo, objective: 93 })).toHaveLength(1);
    expect(errorsOf({ ...goodSlo, objective: 93.1 })).toEqual([]);
    // 28d moves the boundary: 13.44 × 7% = 94% < 100%
    expect(errorsOf({ ...goodSlo, objective: 93, period: '28d' })).toEqual([]);
  });

  it('rejects a query without the window placeholder', () => {
    const sli = { ...goodSlo.sli, total: 'sum(rate(http_requests_total[5m]))' };
    expect(errorsOf({ ...goodSlo, sli })).toEqual([
      'slos[0] (gateway-availability): sli.total has no {{window}} placeholder: write its range as [{{window}}]',
    ]);
  });

  it('rejects an unknown period', () => {
    expect(errorsOf({ ...goodSlo, period: '7d' })).toEqual([
      "slos[0] (gateway-availability): period '7d' is unknown: use one of 28d, 30d",
    ]);
  });

  it('rejects duplicate names', () => {
    expect(errorsOf(goodSlo, { ...goodSlo, service: 'other' })).toEqual([
      "slos[1] (gateway-availability): duplicate name 'gateway-availability': SLO names must be unique",
    ]);
  });

  it('reports schema problems with their path', () => {
    const { team: _team, ...noTeam } = goodSlo;
    const errors = errorsOf({ ...noTeam, objective: '99.9', severity: { page: 'loud' }, extra: 1 });
    expect(errors).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^slos\[0\]\.team: /),
        expect.stringMatching(/^slos\[0\]\.objective: .*number/),
        expect.stringMatching(/^slos\[0\]\.severity\.page: /),
        expect.stringMatching(/^slos\[0\]: .*extra/),
      ]),
    );
    expect(errorsOf({ ...goodSlo, name: 'Gateway Availability' })).toEqual([
      'slos[0].name: must be kebab-case: lowercase letters, digits and dashes',
    ]);
  });

  it('reports every problem of every SLO, not only the first', () => {
    const bad = { ...goodSlo, name: 'b', period: '1y', sli: { errors: 'x', total: 'y' } };
    expect(errorsOf(goodSlo, bad)).toHaveLength(3);
  });

  it('rejects text that is not YAML, and an empty spec', () => {
    const notYaml = validateSpecText('slos: [');
    expect(notYaml.ok).toBe(false);
    if (!notYaml.ok) expect(notYaml.errors[0]).toMatch(/^not valid YAML: /);
    const empty = validateSpec({ slos: [] });
    expect(empty.ok ? [] : empty.errors).toEqual(['slos: declare at least one SLO']);
  });
});
