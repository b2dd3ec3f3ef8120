import { describe, expect, it } from 'vitest';
import { OncallConfigError, parseOncallConfig, policyFor } from '../src/oncall/oncall-config.ts';
import { onCallAt, upcoming } from '../src/oncall/schedule.ts';

// Unit tests with a fake clock (explicit instants): rotations keep their wall-clock hand-off
// across DST changes, layers stack, overrides win, and bad specs name the field.

const users = `users:
  - { name: alice, email: alice@vigil.example }
  - { name: bob, email: bob@vigil.example }
  - { name: carol, email: carol@vigil.example }
  - { name: dave, email: dave@vigil.example }
channels:
  - { name: email, type: email }
`;

function config(schedules: string, extra = '') {
  return parseOncallConfig([{ name: 'test.yaml', text: `${users}schedules:\n${schedules}${extra}` }]);
}

const at = (iso: string) => Date.parse(iso);

describe('rotations across DST (Europe/Berlin: 2026-03-29 02:00 → 03:00, 2026-10-25 03:00 → 02:00)', () => {
  const cfg = config(`  - name: daily
    time_zone: Europe/Berlin
    layers:
      - { name: d, rotation: daily, handoff: "09:00", start: 2026-03-27, users: [alice, bob, carol] }
  - name: weekly
    time_zone: Europe/Berlin
    layers:
      - { name: w, rotation: weekly, handoff: "09:00", start: 2026-10-19, users: [alice, bob] }
`);
  const daily = cfg.schedules.get('daily')!;
  const weekly = cfg.schedules.get('weekly')!;

  it('daily hand-offs stay at 09:00 local: 08:00Z before the spring change, 07:00Z after it', () => {
    expect(onCallAt(daily, at('2026-03-27T07:59:00Z'))).toBeUndefined(); // before the first hand-off
    expect(onCallAt(daily, at('2026-03-27T08:00:00Z'))?.user).toBe('alice');
    expect(onCallAt(daily, at('2026-03-28T07:59:00Z'))?.user).toBe('alice');
    expect(onCallAt(daily, at('2026-03-28T08:00:00Z'))?.user).toBe('bob');
    // Sunday 29 March: the clocks jump; Saturday's shift lasts 23 hours.
    const sat = onCallAt(daily, at('2026-03-28T12:00:00Z'))!;
    expect(new Date(sat.start).toISOString()).toBe('2026-03-28T08:00:00.000Z');
    expect(new Date(sat.end).toISOString()).toBe('2026-03-29T07:00:00.000Z');
    expect((sat.end - sat.start) / 3_600_000).toBe(23);
    expect(onCallAt(daily, at('2026-03-29T06:59:00Z'))?.user).toBe('bob');
    expect(onCallAt(daily, at('2026-03-29T07:00:00Z'))?.user).toBe('carol');
    expect(onCallAt(daily, at('2026-03-30T07:00:00Z'))?.user).toBe('alice'); // wraps around
  });

  it('a weekly shift spanning the autumn change lasts 7 days + 1 hour and hands off at 09:00 local', () => {
    const first = onCallAt(weekly, at('2026-10-21T12:00:00Z'))!;
    expect(first.user).toBe('alice');
    expect(new Date(first.start).toISOString()).toBe('2026-10-19T07:00:00.000Z'); // 09:00 CEST
    expect(new Date(first.end).toISOString()).toBe('2026-10-26T08:00:00.000Z'); // 09:00 CET
    expect((first.end - first.start) / 3_600_000).toBe(7 * 24 + 1);
    expect(onCallAt(weekly, at('2026-10-26T07:59:59Z'))?.user).toBe('alice');
    expect(onCallAt(weekly, at('2026-10-26T08:00:00Z'))?.user).toBe('bob');
    // The repeated hour 02:00-03:00 local on 25 October is one continuous shift.
    expect(onCallAt(weekly, at('2026-10-25T00:30:00Z'))?.user).toBe('alice');
    expect(onCallAt(weekly, at('2026-10-25T01:30:00Z'))?.user).toBe('alice');
  });
});

describe('layers and overrides', () => {
  const cfg = config(`  - name: primary
    time_zone: America/New_York
    layers:
      - { name: week, rotation: weekly, handoff: "10:00", start: 2026-11-02, users: [alice, bob] }
      - { name: weekend, rotation: weekly, handoff: "10:00", start: 2026-10-31, days: [saturday, sunday], users: [carol] }
    overrides:
      - { user: dave, start: "2026-11-03T18:00", end: "2026-11-04T06:00" }
`);
  const s = cfg.schedules.get('primary')!;

  it('the weekend layer wins on Saturday and Sunday, the weekly layer otherwise', () => {
    expect(onCallAt(s, at('2026-11-04T16:00:00Z'))?.user).toBe('alice'); // Wednesday
    const sat = onCallAt(s, at('2026-11-07T16:00:00Z'))!; // Saturday 11:00 EST
    expect(sat).toMatchObject({ user: 'carol', source: 'weekend' });
    expect(onCallAt(s, at('2026-11-09T16:00:00Z'))?.user).toBe('bob'); // next Monday 11:00
  });

  it('an override replaces the rotation for its window and cuts the shift before it short', () => {
    const before = onCallAt(s, at('2026-11-03T20:00:00Z'))!; // 15:00 EST
    expect(before.user).toBe('alice');
    expect(new Date(before.end).toISOString()).toBe('2026-11-03T23:00:00.000Z'); // 18:00 EST
    expect(onCallAt(s, at('2026-11-04T00:00:00Z'))).toMatchObject({ user: 'dave', source: 'override' });
    expect(onCallAt(s, at('2026-11-04T11:00:00Z'))?.user).toBe('alice'); // 06:00 EST: back
    const next = upcoming(s, at('2026-11-03T20:00:00Z'), 3).map((x) => `${x.user}/${x.source}`);
    expect(next).toEqual(['alice/week', 'dave/override', 'alice/week', 'carol/weekend']);
  });
});

describe('validation names the field', () => {
  const problems = (text: string) => {
    try {
      parseOncallConfig([{ name: 'bad.yaml', text }]);
    } catch (err) {
      if (err instanceof OncallConfigError) return err.problems;
      throw err;
    }
    return [];
  };

  it('unknown users, overlapping overrides, a missing schedule, bad times and zones', () => {
    const p = problems(`${users}schedules:
  - name: s
    time_zone: Europe/Nowhere
    layers: [{ name: l, rotation: daily, handoff: "25:00", start: 2026-01-01, users: [zed] }]
  - name: t
    time_zone: UTC
    layers: [{ name: l, rotation: daily, handoff: "09:00", start: 2026-01-01, users: [zed] }]
    overrides:
      - { user: alice, start: "2026-01-01T00:00", end: "2026-01-02T00:00" }
      - { user: bob, start: "2026-01-01T12:00", end: "2026-01-03T00:00" }
policies:
  - name: p
    steps: [{ delay: 5x, targets: [{ schedule: nope }] }]
  - name: q
    steps: [{ delay: 0s, targets: [{ schedule: nope }, { user: ghost }, { channel: email }] }]
routing:
  - { match: { team: x }, policy: missing }
`);
    expect(p).toEqual(
      expect.arrayContaining([
        'bad.yaml: schedules[0].time_zone: must be an IANA time zone like Europe/Berlin',
        'bad.yaml: schedules[0].layers[0].handoff: must be HH:MM (24h)',
        'bad.yaml: policies[0].steps[0].delay: must be a duration like 30s, 5m or 1h',
      ]),
    );
    // Schema errors stop the file; cross-references are checked on a file that parses.
    const refs = problems(`${users}schedules:
  - name: t
    time_zone: UTC
    layers: [{ name: l, rotation: daily, handoff: "09:00", start: 2026-01-01, users: [alice, zed] }]
    overrides:
      - { user: alice, start: "2026-01-01T00:00", end: "2026-01-02T00:00" }
      - { user: bob, start: "2026-01-01T12:00", end: "2026-01-03T00:00" }
policies:
  - name: q
    steps: [{ delay: 0s, targets: [{ schedule: nope }, { user: ghost }, { channel: email }] }]
routing:
  - { match: { team: x }, policy: missing }
`);
    expect(refs).toEqual([
      'bad.yaml: schedules[t].layers[0].users[1]: unknown user "zed"',
      'bad.yaml: schedules[t].overrides[1]: overlaps overrides[0]',
      'bad.yaml: policies[q].steps[0].targets[0].schedule: unknown schedule "nope"',
      'bad.yaml: policies[q].steps[0].targets[1].user: unknown user "ghost"',
      'bad.yaml: policies[q].steps[0].targets[2].channel: an email channel needs a user or schedule target (it mails people)',
      'bad.yaml: routing[0].policy: unknown policy "missing"',
    ]);
  });

  it('routing: the first matching entry wins; no match is null', () => {
    const cfg = config(
      '  []\n',
      `policies:
  - { name: a, steps: [{ delay: 0s, targets: [{ user: alice }] }] }
  - { name: b, steps: [{ delay: 0s, targets: [{ user: bob }] }] }
routing:
  - { match: { team: payments, severity: critical }, policy: a }
  - { match: { severity: critical }, policy: b }
`,
    );
    expect(policyFor(cfg, { team: 'payments', severity: 'critical' })).toBe('a');
    expect(policyFor(cfg, { team: 'commerce', severity: 'critical' })).toBe('b');
    expect(policyFor(cfg, { severity: 'warning' })).toBeNull();
  });

  it("the repo's monitoring/oncall files are valid", async () => {
    const { loadOncallDir } = await import('../src/oncall/oncall-config.ts');
    const repo = loadOncallDir(new URL('../../../monitoring/oncall', import.meta.url).pathname);
    expect([...repo.policies.keys()]).toContain('critical-page');
  });
});
