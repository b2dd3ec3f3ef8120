import { z } from 'zod';

export const SEVERITIES = ['critical', 'warning', 'ticket', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];

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

export const specSchema = z.strictObject({ slos: z.array(sloSchema).min(1, 'declare at least one SLO') });

export type SloSpec = z.output<typeof sloSchema>;
export type SpecFile = z.output<typeof specSchema>;

export const DEFAULT_SEVERITY: Readonly<Record<'page' | 'ticket', Severity>> = {
  page: 'critical',
  ticket: 'ticket',
};
