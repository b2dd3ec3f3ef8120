import { readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { parseDuration } from './duration.ts';

/** Raised for a scenario that cannot be loaded or does not validate; `issues` name field paths. */
export class ScenarioError extends Error {
  readonly issues: readonly string[];
  constructor(source: string, issues: readonly string[]) {
    super(`${source}: invalid scenario\n${issues.map((i) => `  - ${i}`).join('\n')}`);
    this.name = 'ScenarioError';
    this.issues = issues;
  }
}

const duration = z.union([z.number().nonnegative(), z.string()]).transform((value, ctx) => {
  try {
    return typeof value === 'number' ? value : parseDuration(value);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: (err as Error).message });
    return z.NEVER;
  }
});

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD'] as const;

const jsonCheck = z
  .strictObject({
    /** Dotted path into the JSON body: `items.0.id`, `items.length`, `error.code`. */
    path: z.string().min(1),
    equals: z.unknown().optional(),
    oneOf: z.array(z.unknown()).min(1).optional(),
    exists: z.boolean().optional(),
    /** Only checked when the response status is one of these. */
    when: z.array(z.number().int().min(100).max(599)).optional(),
  })
  .refine((c) => c.equals !== undefined || c.oneOf !== undefined || c.exists !== undefined, {
    message: 'needs one of equals, oneOf, exists',
  });

const step = z.strictObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'must be 1-64 lowercase letters, digits, _ -'),
  method: z.enum(METHODS).default('GET'),
  /** Path (with query) on the target, with {{templates}}. */
  path: z.string().startsWith('/', 'must start with /'),
  headers: z.record(z.string(), z.string()).default({}),
  /** JSON body; strings are templates, and a string that is exactly one {{template}} keeps its value's type. */
  json: z.unknown().optional(),
  check: z
    .strictObject({
      status: z.array(z.number().int().min(100).max(599)).min(1).default([200]),
      json: z.array(jsonCheck).default([]),
    })
    .default({ status: [200], json: [] }),
  /** Variables for later steps, from dotted paths into the JSON body (`*` picks a random element). */
  extract: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/), z.string().min(1)).default({}),
  timeout: duration.optional(),
});

const thinkTime = z.union([
  duration.transform((ms) => ({ min: ms, max: ms })),
  z.strictObject({ min: duration, max: duration }).refine((t) => t.max >= t.min, {
    message: 'max must be >= min',
  }),
]);

const journey = z.strictObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'must be 1-64 lowercase letters, digits, _ -'),
  weight: z.number().positive().default(1),
  /** Pause between the steps of one iteration (closed and open model alike). */
  thinkTime: thinkTime.default({ min: 0, max: 0 }),
  /** Variables set when an iteration starts (templates). */
  vars: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/), z.unknown()).default({}),
  steps: z.array(step).min(1, 'needs at least one step'),
});

export const scenarioSchema = z
  .strictObject({
    name: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'must be 1-64 lowercase letters, digits, _ -'),
    description: z.string().default(''),
    /** Default target; VIGIL_LOAD_TARGET or --target override it. */
    target: z.url().optional(),
    /** Pools for {{pick <pool>}}. */
    data: z.record(z.string(), z.array(z.unknown()).min(1)).default({}),
    /** Default executor when the command line names none. */
    defaults: z
      .strictObject({
        vus: z.number().int().positive().optional(),
        rate: z.number().positive().optional(),
        duration: duration.optional(),
      })
      .default({}),
    journeys: z.array(journey).min(1, 'needs at least one journey'),
  })
  .superRefine((s, ctx) => {
    const seen = new Set<string>();
    s.journeys.forEach((j, i) => {
      if (seen.has(j.name))
        ctx.addIssue({
          code: 'custom',
          path: ['journeys', i, 'name'],
          message: `duplicate journey '${j.name}'`,
        });
      seen.add(j.name);
      const steps = new Set<string>();
      j.steps.forEach((st, k) => {
        if (steps.has(st.name))
          ctx.addIssue({
            code: 'custom',
            path: ['journeys', i, 'steps', k, 'name'],
            message: `duplicate step '${st.name}' in journey '${j.name}'`,
          });
        steps.add(st.name);
      });
    });
  });

export type ScenarioInput = z.input<typeof scenarioSchema>;
export type Scenario = z.output<typeof scenarioSchema>;
export type Journey = Scenario['journeys'][number];
export type Step = Journey['steps'][number];

/** `journeys[2].steps[0].path: must start with /` */
function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path)
    out += typeof part === 'number' ? `[${part}]` : out ? `.${String(part)}` : String(part);
  return out || '(root)';
}

/** Validates a scenario object; errors name each field path. */
export function validateScenario(input: unknown, source = 'scenario'): Scenario {
  const result = scenarioSchema.safeParse(input);
  if (!result.success)
    throw new ScenarioError(
      source,
      result.error.issues.map((i) => `${formatPath(i.path)}: ${i.message}`),
    );
  return result.data;
}

/** Identity helper for typed scenario files: `export default defineScenario({...})`. */
export function defineScenario(input: ScenarioInput): ScenarioInput {
  return input;
}

export const BUILTIN_DIR = join(dirname(fileURLToPath(import.meta.url)), 'scenarios');

/** Built-in scenarios: the files in src/scenarios (name = file name). */
export function listScenarios(): Array<{ name: string; file: string }> {
  return readdirSync(BUILTIN_DIR)
    .filter((f) => /\.(ts|ya?ml|json)$/.test(f))
    .map((f) => ({ name: basename(f, extname(f)), file: join(BUILTIN_DIR, f) }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** The file of a built-in scenario name, or the path itself. */
export function resolveScenarioFile(nameOrFile: string): string {
  const builtin = listScenarios().find((s) => s.name === nameOrFile);
  if (builtin) return builtin.file;
  if (!/[./]/.test(nameOrFile))
    throw new ScenarioError(nameOrFile, [
      `no built-in scenario '${nameOrFile}' (built-in: ${listScenarios()
        .map((s) => s.name)
        .join(', ')}) and not a file path`,
    ]);
  return resolve(nameOrFile);
}

/** Loads a scenario file (.ts/.js default export, .yaml/.yml, .json) and validates it. */
export async function loadScenarioFile(file: string): Promise<Scenario> {
  let raw: unknown;
  try {
    if (/\.(ya?ml)$/.test(file)) raw = parseYaml(readFileSync(file, 'utf8'));
    else if (file.endsWith('.json')) raw = JSON.parse(readFileSync(file, 'utf8'));
    else raw = ((await import(pathToFileURL(file).href)) as { default?: unknown }).default;
  } catch (err) {
    throw new ScenarioError(file, [`cannot be read: ${(err as Error).message.split('\n')[0]}`]);
  }
  if (raw === undefined) throw new ScenarioError(file, ['(root): the module has no default export']);
  return validateScenario(raw, file);
}

export function loadScenario(nameOrFile: string): Promise<Scenario> {
  return loadScenarioFile(resolveScenarioFile(nameOrFile));
}
