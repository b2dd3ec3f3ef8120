import { z } from 'zod';

export const SEVERITIES = ['critical', 'warning', 'ticket', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** The repo-relative spec file of Vigil's SLOs and SLAs. */
export const SLO_SPEC = 'monitoring/slo/slos.yaml';

/** The placeholder every SLI query carries where its range goes: `[{{window}}]`. */
export const WINDOW_PLACEHOLDER = '{{window}}';

const sliSchema = z.strictObject({
  /** Rate of bad events over `{{window}}`; a single series without labels (e.g. `sum(rate(…))`). */
  errors: z.string().min(1),
  /** Rate of all events over `{{window}}`; a single series without labels. */
  total: z.string().min(1),
});

const sloSchema = z.strictObject({
  name: z.string().regex(/^[a-z][a-z0-9-]*$/, 'must be kebab-case: lowercase letters, digits and dashes'),
  service: z.string().min(1),
  team: z.string().min(1),
  description: z.string().optional(),
  /** Percentage of good events, 0 < objective < 100 (99.9 means 99.9%). */
  objective: z.number(),
  period: z.string(),
  sli: sliSchema,
  /** Events per second over an alert's long window below which it stays quiet. */
  min_traffic: z.number().nonnegative().default(0),
  severity: z
    .strictObject({ page: z.enum(SEVERITIES).optional(), ticket: z.enum(SEVERITIES).optional() })
    .optional(),
});

const kebab = z
  .string()
  .regex(/^[a-z][a-z0-9-]*$/, 'must be kebab-case: lowercase letters, digits and dashes');

/** One public journey a synthetic probe (blackbox exporter) runs against the gateway. */
const journeySchema = z.strictObject({
  name: kebab,
  /** Path on the gateway's public API, e.g. /products (a GET). */
  path: z.string().regex(/^\/[^\s?#]*$/, 'must be an absolute path without query or spaces, e.g. /products'),
  /** Blackbox exporter module (monitoring/blackbox/blackbox.yml). */
  module: z.string().min(1).default('http_2xx'),
});

/**
 * An SLA: the external promise, measured from outside by synthetic probes of the gateway's public
 * journeys over each calendar month (UTC), and held against the internal SLI of the SLO it names.
 */
const slaSchema = z.strictObject({
  name: kebab,
  team: z.string().min(1),
  description: z.string().optional(),
  /** Percentage of successful probes per calendar month, 0 < objective < 100. */
  objective: z.number(),
  /** The SLO whose SLI measures the same promise from inside. */
  slo: z.string().min(1),
  journeys: z.array(journeySchema).min(1, 'declare at least one journey'),
});

export const specSchema = z.strictObject({
  slos: z.array(sloSchema).min(1, 'declare at least one SLO'),
  slas: z.array(slaSchema).default([]),
});

export type SloSpec = z.output<typeof sloSchema>;
export type SlaSpec = z.output<typeof slaSchema>;
export type SlaJourney = z.output<typeof journeySchema>;
export type SpecFile = z.output<typeof specSchema>;

export const DEFAULT_SEVERITY: Readonly<Record<'page' | 'ticket', Severity>> = {
  page: 'critical',
  ticket: 'ticket',
};
