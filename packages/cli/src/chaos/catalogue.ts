import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { SERVICE_NAMES } from '@vigil/topology';
import { parse } from 'yaml';
import { z } from 'zod';

/**
 * The experiment catalogue: one YAML file per experiment in chaos/experiments/. Every entry
 * names its target, a fault with parameters and a duration, a steady-state hypothesis, abort
 * conditions, its rollback and the alerts that must detect it (with the signal terms that,
 * together with the intervals in force, give the detection bound: see bounds.ts).
 */

const duration = z
  .string()
  .regex(/^\d+(ms|s|m|h)$/, 'a duration like 500ms, 30s, 5m or 1h')
  .describe('duration');

export const SERVICES = SERVICE_NAMES as readonly [string, ...string[]];
/** Services with a SQLite database file under var/data (db.* faults). */
export const DATABASE_SERVICES = [
  'user-service',
  'product-service',
  'order-service',
  'payment-service',
  'notification-service',
] as const;

const service = z.enum(SERVICES);
const probability = z.number().min(0).max(1);

const faultSchema = z.discriminatedUnion('kind', [
  // Process faults on the process `vigil start` supervises.
  z.strictObject({ kind: z.literal('process.kill') }),
  z.strictObject({ kind: z.literal('process.freeze') }),
  z.strictObject({
    kind: z.literal('process.crashloop'),
    kills: z.number().int().min(2).max(4).describe('kills in a row; the supervisor gives up after 5'),
  }),
  // Network faults in the TCP fault proxy in front of the target (callers' URLs point at it).
  z.strictObject({
    kind: z.literal('network.latency'),
    latency_ms: z.number().int().min(1).max(60_000),
    jitter_ms: z.number().int().min(0).max(60_000).default(0),
  }),
  z.strictObject({
    kind: z.literal('network.bandwidth'),
    bytes_per_second: z.number().int().min(64).max(1e9),
  }),
  z.strictObject({ kind: z.literal('network.reset'), probability: probability.default(1) }),
  z.strictObject({ kind: z.literal('network.blackhole') }),
  z.strictObject({ kind: z.literal('network.refused') }),
  // Noisy neighbours (stress-ng) on this machine.
  z.strictObject({
    kind: z.literal('resource.cpu-stress'),
    workers: z.number().int().min(1).max(8),
    load_percent: z.number().int().min(1).max(100).default(100),
  }),
  z.strictObject({
    kind: z.literal('resource.memory-stress'),
    workers: z.number().int().min(1).max(4),
    megabytes: z.number().int().min(16).max(4096),
  }),
  // In-process faults through the service's admin API (`vigil fault`).
  z.strictObject({
    kind: z.literal('app.latency'),
    latency_ms: z.number().int().min(1).max(60_000),
    jitter_ms: z.number().int().min(0).default(0),
    probability: probability.default(1),
    route: z.string().startsWith('/').optional(),
  }),
  z.strictObject({
    kind: z.literal('app.error'),
    status: z.number().int().min(500).max(599).default(500),
    probability: probability.default(1),
    route: z.string().startsWith('/').optional(),
  }),
  z.strictObject({ kind: z.literal('app.cpu'), utilization: z.number().min(0.05).max(0.95) }),
  z.strictObject({ kind: z.literal('app.memory'), megabytes: z.number().int().min(1).max(512) }),
  z.strictObject({
    kind: z.literal('app.dependency'),
    dependency: z.string().min(1),
    mode: z.enum(['refuse', 'hang']).default('refuse'),
    probability: probability.default(1),
  }),
  // The service's SQLite database held under an exclusive lock by another process: writers
  // wait the busy timeout, then fail (SQLITE_BUSY) — a slow, then failing, database.
  z.strictObject({ kind: z.literal('db.lock') }),
]);
export type FaultSpec = z.output<typeof faultSchema>;
export type FaultKind = FaultSpec['kind'];

const check = z.strictObject({
  name: z.string().min(1),
  promql: z.string().min(1).describe('PromQL; the check holds when the result is not empty'),
});

export const experimentSchema = z.strictObject({
  name: z
    .string()
    .regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'lower-case words joined by dashes, e.g. partition-order-payment'),
  description: z.string().min(1),
  target: z.strictObject({
    service: service.optional(),
    /** The caller whose calls are affected (network faults act between `from` and `service`). */
    from: service.optional(),
  }),
  fault: faultSchema,
  /** Longest the fault stays in; the TTL every injector is given, so it ends even if the runner dies. */
  duration,
  steady_state: z.array(check).min(1),
  abort: z.array(check).default([]),
  rollback: z.strictObject({
    /** Roll back once the expected alerts fired (`detected`), or only at the end of `duration`. */
    when: z.enum(['detected', 'duration']).default('detected'),
  }),
  detection: z.union([
    z.strictObject({
      alerts: z.array(z.string().regex(/^[A-Za-z][A-Za-z0-9_]*$/)).min(1),
      /** Labels the firing alert must carry (e.g. service). */
      labels: z.record(z.string(), z.string()).default({}),
      /**
       * The signal's own delay in the bound: scrapes until the expression can see the fault
       * (1 for `up`, 2 for a rate over a new series), rule-evaluation rounds (recording rules
       * feeding the alert add one), and anything else, with why.
       */
      signal: z.strictObject({
        scrapes: z.number().int().min(0).max(10),
        evaluations: z.number().int().min(1).max(5).default(1),
        /** Add the scrape timeout: the target hangs instead of refusing (a frozen process). */
        scrape_timeout: z.boolean().default(false),
        /**
         * The share of the alert's longest rate window the fault must fill before the expression
         * crosses its threshold (e.g. 0.05: 5 % slow requests lift a p95); the window is read from
         * the rules in force, so the bound follows the test profile's shorter windows.
         */
        window_share: z.number().min(0).max(1).default(0),
        extra_seconds: z.number().min(0).default(0),
        why: z.string().min(1),
      }),
    }),
    z.strictObject({
      alerts: z.array(z.never()).length(0),
      /** Why no alert is expected: the gameday then checks nothing pages. */
      none_because: z.string().min(20),
    }),
  ]),
  /** Runs in the short gameday of `make test` (default true). */
  short_gameday: z.boolean().default(true),
});
export type Experiment = z.output<typeof experimentSchema>;
export type Detection = Experiment['detection'];
export type AlertDetection = Extract<Detection, { signal: unknown }>;

export function expectsAlerts(e: Experiment): e is Experiment & { detection: AlertDetection } {
  return e.detection.alerts.length > 0;
}

function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path)
    out += typeof key === 'number' ? `[${key}]` : out === '' ? String(key) : `.${String(key)}`;
  return out || '(root)';
}

export interface CatalogueError {
  readonly file: string;
  readonly message: string;
}

export class CatalogueInvalid extends Error {
  readonly errors: readonly CatalogueError[];
  constructor(errors: readonly CatalogueError[]) {
    super(errors.map((e) => `${e.file}: ${e.message}`).join('\n'));
    this.errors = errors;
  }
}

/** Parses one experiment file; every problem names the field, e.g. `fault.latency_ms: …`. */
export function parseExperiment(
  file: string,
  text: string,
): { experiment?: Experiment; errors: CatalogueError[] } {
  let raw: unknown;
  try {
    raw = parse(text);
  } catch (err) {
    return { errors: [{ file, message: `not valid YAML: ${(err as Error).message}` }] };
  }
  const result = experimentSchema.safeParse(raw);
  if (!result.success)
    return {
      errors: result.error.issues.map((i) => ({ file, message: `${formatPath(i.path)}: ${i.message}` })),
    };
  const e = result.data;
  const errors: string[] = [];
  if (basename(file).replace(/\.ya?ml$/, '') !== e.name)
    errors.push(`name: '${e.name}' must match the file name`);
  const kind = e.fault.kind;
  const needsService =
    kind.startsWith('process.') ||
    kind.startsWith('network.') ||
    kind.startsWith('app.') ||
    kind.startsWith('db.');
  if (needsService && !e.target.service) errors.push(`target.service: required for a ${kind} fault`);
  if (kind.startsWith('network.') && e.target.service === 'gateway')
    errors.push(
      'target.service: the gateway has no callers inside the stack; put the network fault on one of its upstreams',
    );
  if (
    kind.startsWith('db.') &&
    e.target.service &&
    !(DATABASE_SERVICES as readonly string[]).includes(e.target.service)
  )
    errors.push(
      `target.service: ${e.target.service} has no database; one of ${DATABASE_SERVICES.join(', ')}`,
    );
  if (e.target.from && !kind.startsWith('network.'))
    errors.push('target.from: only network faults act between two services');
  return {
    ...(errors.length === 0 ? { experiment: e } : {}),
    errors: errors.map((message) => ({ file, message })),
  };
}

/** Reads and validates every chaos/experiments/*.yaml; throws CatalogueInvalid listing every problem. */
export function loadCatalogue(dir: string, knownAlerts?: ReadonlySet<string>): Experiment[] {
  let files: string[];
  try {
    files = readdirSync(dir)
      .filter((f) => /\.ya?ml$/.test(f))
      .sort();
  } catch {
    throw new CatalogueInvalid([{ file: dir, message: 'no such directory' }]);
  }
  const experiments: Experiment[] = [];
  const errors: CatalogueError[] = [];
  for (const f of files) {
    const file = join(dir, f);
    const parsed = parseExperiment(file, readFileSync(file, 'utf8'));
    errors.push(...parsed.errors);
    if (!parsed.experiment) continue;
    if (knownAlerts) {
      parsed.experiment.detection.alerts.forEach((alert, i) => {
        if (!knownAlerts.has(alert))
          errors.push({
            file,
            message: `detection.alerts[${i}]: no alert rule named '${alert}' in the rules in force`,
          });
      });
    }
    experiments.push(parsed.experiment);
  }
  if (files.length === 0) errors.push({ file: dir, message: 'no experiments (*.yaml)' });
  if (errors.length > 0) throw new CatalogueInvalid(errors);
  return experiments;
}
