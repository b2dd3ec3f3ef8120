export {
  type AlertKind,
  BURN_RATE_TIERS,
  type BurnRateTier,
  burnRateFactor,
  PERIODS,
  SLI_WINDOWS,
} from './burn-rate.ts';
export { durationSeconds } from './duration.ts';
export { type GenerateResult, generateFromSpecText } from './generate-from-text.ts';
export {
  type AlertingRule,
  errorBudget,
  generateRuleGroups,
  PAGE_ALERT,
  type RecordingRule,
  type RuleGroup,
  TICKET_ALERT,
} from './generate-rules.ts';
export { GENERATED_HEADER, renderRulesFile } from './render-rules.ts';
export { RUNBOOK_BASE_URL, rebaseRunbookUrls, runbookUrl } from './runbook-url.ts';
export {
  type Attainment,
  attainment,
  type Breach,
  type Bucket,
  type BucketQueries,
  type MonthRange,
  monthBuckets,
  monthOf,
  parseMonth,
  probeQueries,
  type Slice,
  sliQueries,
} from './sla-report.ts';
export {
  MONTH_ELAPSED_EXPR,
  PROBE_JOB,
  probeSelector,
  SLA_AT_RISK_ALERT,
  SLA_PROJECTION_WINDOWS,
  slaBudget,
  slaRecord,
} from './sla-rules.ts';
export {
  DEFAULT_SEVERITY,
  SEVERITIES,
  type Severity,
  SLO_SPEC,
  type SlaJourney,
  type SlaSpec,
  type SloSpec,
  type SpecFile,
  WINDOW_PLACEHOLDER,
} from './spec.ts';
export { type ValidationResult, validateSpec, validateSpecText } from './validate-spec.ts';
