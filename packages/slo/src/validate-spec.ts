import { parse } from 'yaml';
import { BURN_RATE_TIERS, burnRateFactor, PERIODS, roundClean } from './burn-rate.ts';
import { type SloSpec, type SpecFile, specSchema, WINDOW_PLACEHOLDER } from './spec.ts';

export type ValidationResult = { ok: true; spec: SpecFile } | { ok: false; errors: string[] };

/** Parses and checks an SLO spec (YAML text); every problem is reported, not only the first. */
export function validateSpecText(text: string): ValidationResult {
  let raw: unknown;
  try {
    raw = parse(text);
  } catch (err) {
    return { ok: false, errors: [`not valid YAML: ${(err as Error).message}`] };
  }
  return validateSpec(raw);
}

export function validateSpec(raw: unknown): ValidationResult {
  const parsed = specSchema.safeParse(raw);
  if (!parsed.success) {
    return {
      ok: false,
      errors: parsed.error.issues.map((issue) => `${formatPath(issue.path)}: ${issue.message}`),
    };
  }
  const errors: string[] = [];
  const seen = new Set<string>();
  parsed.data.slos.forEach((slo, index) => {
    const where = `slos[${index}] (${slo.name})`;
    if (seen.has(slo.name)) errors.push(`${where}: duplicate name '${slo.name}': SLO names must be unique`);
    seen.add(slo.name);
    errors.push(...checkSlo(slo).map((message) => `${where}: ${message}`));
  });
  const slaNames = new Set<string>();
  parsed.data.slas.forEach((sla, index) => {
    const where = `slas[${index}] (${sla.name})`;
    if (slaNames.has(sla.name))
      errors.push(`${where}: duplicate name '${sla.name}': SLA names must be unique`);
    slaNames.add(sla.name);
    if (!seen.has(sla.slo)) errors.push(`${where}: slo '${sla.slo}' is not an SLO of this spec`);
    if (!(sla.objective > 0 && sla.objective < 100))
      errors.push(`${where}: objective ${sla.objective} is out of range: 0 < objective < 100 (e.g. 99.9)`);
    const journeys = new Set<string>();
    for (const journey of sla.journeys) {
      if (journeys.has(journey.name)) errors.push(`${where}: duplicate journey '${journey.name}'`);
      journeys.add(journey.name);
    }
  });
  return errors.length > 0 ? { ok: false, errors } : { ok: true, spec: parsed.data };
}

function checkSlo(slo: SloSpec): string[] {
  const errors: string[] = [];
  const periodKnown = (PERIODS as readonly string[]).includes(slo.period);
  if (!periodKnown) errors.push(`period '${slo.period}' is unknown: use one of ${PERIODS.join(', ')}`);
  for (const key of ['errors', 'total'] as const) {
    if (!slo.sli[key].includes(WINDOW_PLACEHOLDER)) {
      errors.push(
        `sli.${key} has no ${WINDOW_PLACEHOLDER} placeholder: write its range as [${WINDOW_PLACEHOLDER}]`,
      );
    }
  }
  if (!(slo.objective > 0 && slo.objective < 100)) {
    errors.push(
      `objective ${slo.objective} is out of range: it is a percentage, 0 < objective < 100 (e.g. 99.9 for 99.9%)`,
    );
  } else if (periodKnown) {
    errors.push(...unreachableTiers(slo));
  }
  return errors;
}

/** A tier fires when the error ratio exceeds factor × budget; at or above 1 that can never happen. */
function unreachableTiers(slo: SloSpec): string[] {
  const budget = roundClean(1 - slo.objective / 100);
  const errors: string[] = [];
  for (const tier of BURN_RATE_TIERS) {
    const factor = burnRateFactor(tier, slo.period);
    if (factor * budget < 1) continue;
    const lowest = roundClean(100 * (1 - 1 / factor));
    errors.push(
      `objective ${slo.objective} is too low: its ${tier.longWindow}/${tier.shortWindow} ${tier.kind} alert needs ` +
        `an error ratio above ${factor} × ${roundClean(budget * 100)}% = ${roundClean(factor * budget * 100)}%, ` +
        `which can never happen; use an objective above ${lowest}`,
    );
  }
  return errors;
}

function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return 'spec';
  return path
    .map((part, i) => (typeof part === 'number' ? `[${part}]` : `${i === 0 ? '' : '.'}${String(part)}`))
    .join('');
}
