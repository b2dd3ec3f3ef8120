export type { StepSummary, TimelinePoint } from './aggregate.ts';
export { formatDuration, parseDuration } from './duration.ts';
export {
  ArrivalSchedule,
  type ClosedExecutor,
  constantRate,
  describeExecutor,
  type Executor,
  executorDuration,
  type OpenExecutor,
  parseStages,
  type Stage,
} from './executor.ts';
export { formatProgress, formatSummary, progressPrinter } from './progress.ts';
export { renderHtml, writeReports } from './report.ts';
export {
  checkThresholds,
  type LoadOptions,
  type LoadRun,
  type LoadSummary,
  type Progress,
  runLoad,
} from './run.ts';
export {
  defineScenario,
  type Journey,
  listScenarios,
  loadScenario,
  loadScenarioFile,
  type Scenario,
  ScenarioError,
  type ScenarioInput,
  type Step,
  validateScenario,
} from './scenario.ts';
export { ERROR_KINDS, type ErrorKind, type TracedRequest } from './stats.ts';
export { parseThreshold, type Threshold, ThresholdError } from './thresholds.ts';
