export type {
  BusinessCounter,
  BusinessHistogram,
  HistogramOptions,
  Labels,
  MetricOptions,
} from './business-metrics.ts';
export type { Env, TelemetryConfig, TelemetryOptions } from './config.ts';
export { createTelemetry, type Telemetry } from './create-telemetry.ts';
export * from './faults/index.ts';
export type { CheckResult, Health, HealthCheck, Readiness } from './health.ts';
export { DURATION_BUCKETS, UNMATCHED_ROUTE } from './http-metrics.ts';
export {
  containsCardNumber,
  REDACTED,
  REDACTED_CARD,
  redactString,
  redactUrl,
  redactValue,
} from './redact.ts';
