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
  DEFAULT_SEVERITY,
  SEVERITIES,
  type Severity,
  type SloSpec,
  type SpecFile,
  WINDOW_PLACEHOLDER,
} from './spec.ts';
export { type ValidationResult, validateSpec, validateSpecText } from './validate-spec.ts';
