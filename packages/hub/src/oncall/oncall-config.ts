import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DateTime, IANAZone } from 'luxon';
import { parse } from 'yaml';
import { z } from 'zod';

// monitoring/oncall/*.yaml: users, channels, schedules, escalation policies and routing as code.
const NAME = z
  .string()
  .regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, 'must be a lower-case name (letters, digits, . _ -)');
const HHMM = z.string().regex(/^([01][0-9]|2[0-3]):[0-5][0-9]$/, 'must be HH:MM (24h)');
const DATE = z.string().regex(/^[0-9]{4}-[0-9]{2}-[0-9]{2}$/, 'must be a date YYYY-MM-DD');
const LOCAL_TIME = z
  .string()
  .regex(/^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}$/, 'must be a local time YYYY-MM-DDTHH:MM');
const DURATION = z
  .string()
  .regex(/^[0-9]{1,6}(ms|s|m|h)$/, 'must be a duration like 30s, 5m or 1h')
  .transform((s) => {
    const m = /^([0-9]+)(ms|s|m|h)$/.exec(s)!;
    return Number(m[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] as 'ms' | 's' | 'm' | 'h'];
  });
const WEEKDAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'] as const;

const secretRef = {
  url: z.string().url().optional(),
  url_env: z
    .string()
    .regex(/^[A-Z_][A-Z0-9_]*$/)
    .optional(),
  url_file: z.string().min(1).optional(),
};

const channelSchema = z.discriminatedUnion('type', [
  z.strictObject({
    name: NAME,
    type: z.literal('email'),
    from: z.string().email().default('vigil@vigil.example'),
  }),
  z.strictObject({ name: NAME, type: z.literal('slack'), ...secretRef }),
  z.strictObject({ name: NAME, type: z.literal('webhook'), ...secretRef }),
  z.strictObject({
    name: NAME,
    type: z.literal('pagerduty'),
    ...secretRef,
    routing_key_env: z
      .string()
      .regex(/^[A-Z_][A-Z0-9_]*$/)
      .optional(),
    routing_key_file: z.string().min(1).optional(),
  }),
]);

const layerSchema = z.strictObject({
  name: NAME,
  rotation: z.enum(['daily', 'weekly']),
  /** Wall-clock hand-off time in the schedule's time zone (stays 09:00 across DST). */
  handoff: HHMM,
  /** First day of the rotation (its first hand-off is at `handoff` that day). */
  start: DATE,
  users: z.array(NAME).min(1),
  /** Only on these days (local), e.g. a weekend layer; default every day. */
  days: z.array(z.enum(WEEKDAYS)).min(1).optional(),
});

const scheduleSchema = z.strictObject({
  name: NAME,
  time_zone: z
    .string()
    .refine((tz) => IANAZone.isValidZone(tz), 'must be an IANA time zone like Europe/Berlin'),
  /** Later layers win where they have someone on call (PagerDuty's layer order). */
  layers: z.array(layerSchema).min(1),
  overrides: z.array(z.strictObject({ user: NAME, start: LOCAL_TIME, end: LOCAL_TIME })).default([]),
});

const targetSchema = z.union([
  z.strictObject({ user: NAME, channels: z.array(NAME).min(1).optional() }),
  z.strictObject({ schedule: NAME, channels: z.array(NAME).min(1).optional() }),
  z.strictObject({ channel: NAME }),
]);

const policySchema = z.strictObject({
  name: NAME,
  /** How many more times the whole policy runs while nobody acknowledges (0 = once). */
  repeat: z.number().int().min(0).max(10).default(0),
  steps: z.array(z.strictObject({ delay: DURATION, targets: z.array(targetSchema).min(1) })).min(1),
});

const routeSchema = z.strictObject({
  match: z.record(z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/), z.string()).default({}),
  policy: NAME,
});

const fileSchema = z.strictObject({
  users: z
    .array(
      z.strictObject({
        name: NAME,
        full_name: z.string().max(200).optional(),
        email: z.string().email(),
        channels: z.array(NAME).min(1).optional(),
      }),
    )
    .default([]),
  channels: z.array(channelSchema).default([]),
  schedules: z.array(scheduleSchema).default([]),
  policies: z.array(policySchema).default([]),
  routing: z.array(routeSchema).default([]),
});

type FileSpec = z.output<typeof fileSchema>;
export type OncallUser = FileSpec['users'][number];
export type Channel = FileSpec['channels'][number];
export type Schedule = FileSpec['schedules'][number];
export type Layer = Schedule['layers'][number];
export type Policy = FileSpec['policies'][number];
export type Target = Policy['steps'][number]['targets'][number];

export interface OncallConfig {
  users: Map<string, OncallUser>;
  channels: Map<string, Channel>;
  schedules: Map<string, Schedule>;
  policies: Map<string, Policy>;
  routing: FileSpec['routing'];
  files: string[];
}

export class OncallConfigError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(problems.join('\n'));
    this.problems = problems;
  }
}

function path(parts: ReadonlyArray<PropertyKey>): string {
  return parts.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i ? '.' : ''}${String(p)}`)).join('');
}

/** Parses and cross-checks the given files' texts; every problem is listed as `file: field.path: message`. */
export function parseOncallConfig(files: Array<{ name: string; text: string }>): OncallConfig {
  const problems: string[] = [];
  const cfg: OncallConfig = {
    users: new Map(),
    channels: new Map(),
    schedules: new Map(),
    policies: new Map(),
    routing: [],
    files: files.map((f) => f.name),
  };
  const where = new Map<string, string>();
  for (const f of files) {
    let raw: unknown;
    try {
      raw = parse(f.text) ?? {};
    } catch (err) {
      problems.push(`${f.name}: not YAML: ${(err as Error).message.split('\n')[0]}`);
      continue;
    }
    const parsed = fileSchema.safeParse(raw);
    if (!parsed.success) {
      for (const issue of parsed.error.issues)
        problems.push(`${f.name}: ${path(issue.path) || '(top)'}: ${issue.message}`);
      continue;
    }
    const d = parsed.data;
    const add = <T extends { name: string }>(kind: string, map: Map<string, T>, items: T[]) =>
      items.forEach((item, i) => {
        const at = `${f.name}: ${kind}[${i}].name`;
        if (map.has(item.name))
          problems.push(
            `${at}: duplicate ${kind.replace(/s$/, '')} "${item.name}" (also in ${where.get(`${kind}:${item.name}`)})`,
          );
        else {
          map.set(item.name, item);
          where.set(`${kind}:${item.name}`, f.name);
        }
      });
    add('users', cfg.users, d.users);
    add('channels', cfg.channels, d.channels);
    add('schedules', cfg.schedules, d.schedules);
    add('policies', cfg.policies, d.policies);
    cfg.routing.push(...d.routing);
    where.set('routing', f.name);
  }

  // Cross-references, with the field path of the reference.
  for (const [name, s] of cfg.schedules) {
    const at = `${where.get(`schedules:${name}`)}: schedules[${name}]`;
    s.layers.forEach((l, li) => {
      l.users.forEach((u, ui) => {
        if (!cfg.users.has(u)) problems.push(`${at}.layers[${li}].users[${ui}]: unknown user "${u}"`);
      });
    });
    const spans = s.overrides.map((o, oi) => {
      if (!cfg.users.has(o.user)) problems.push(`${at}.overrides[${oi}].user: unknown user "${o.user}"`);
      const start = DateTime.fromISO(o.start, { zone: s.time_zone });
      const end = DateTime.fromISO(o.end, { zone: s.time_zone });
      if (!(end > start)) problems.push(`${at}.overrides[${oi}].end: must be after start`);
      return { oi, start: start.toMillis(), end: end.toMillis() };
    });
    for (const a of spans)
      for (const b of spans)
        if (a.oi < b.oi && a.start < b.end && b.start < a.end)
          problems.push(`${at}.overrides[${b.oi}]: overlaps overrides[${a.oi}]`);
  }
  for (const [name, u] of cfg.users)
    (u.channels ?? []).forEach((c, ci) => {
      if (!cfg.channels.has(c))
        problems.push(
          `${where.get(`users:${name}`)}: users[${name}].channels[${ci}]: unknown channel "${c}"`,
        );
    });
  for (const [name, p] of cfg.policies) {
    const at = `${where.get(`policies:${name}`)}: policies[${name}]`;
    p.steps.forEach((step, si) => {
      step.targets.forEach((t, ti) => {
        const tp = `${at}.steps[${si}].targets[${ti}]`;
        if ('user' in t && !cfg.users.has(t.user)) problems.push(`${tp}.user: unknown user "${t.user}"`);
        if ('schedule' in t && !cfg.schedules.has(t.schedule))
          problems.push(`${tp}.schedule: unknown schedule "${t.schedule}"`);
        if ('channel' in t && !cfg.channels.has(t.channel))
          problems.push(`${tp}.channel: unknown channel "${t.channel}"`);
        if ('channel' in t && cfg.channels.get(t.channel)?.type === 'email')
          problems.push(`${tp}.channel: an email channel needs a user or schedule target (it mails people)`);
        if ('channels' in t)
          (t.channels ?? []).forEach((c, ci) => {
            if (!cfg.channels.has(c)) problems.push(`${tp}.channels[${ci}]: unknown channel "${c}"`);
          });
      });
    });
  }
  cfg.routing.forEach((r, ri) => {
    if (!cfg.policies.has(r.policy))
      problems.push(`${where.get('routing')}: routing[${ri}].policy: unknown policy "${r.policy}"`);
  });
  if (problems.length) throw new OncallConfigError(problems);
  return cfg;
}

export function loadOncallDir(dir: string): OncallConfig {
  let names: string[];
  try {
    names = readdirSync(dir)
      .filter((f) => /\.ya?ml$/.test(f))
      .sort();
  } catch {
    throw new OncallConfigError([`${dir}: no such directory`]);
  }
  return parseOncallConfig(names.map((name) => ({ name, text: readFileSync(join(dir, name), 'utf8') })));
}

/** The first routing entry whose labels all match; null when none does. */
export function policyFor(cfg: OncallConfig, labels: Record<string, string>): string | null {
  for (const r of cfg.routing)
    if (Object.entries(r.match).every(([k, v]) => labels[k] === v)) return r.policy;
  return null;
}
