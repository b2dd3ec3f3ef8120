export { freePort, freePorts } from './free-port.ts';
export {
  createPrng,
  type Prng,
  randomBodyText,
  randomJsonValue,
  randomScalar,
  randomUrlComponent,
} from './fuzz.ts';
export {
  checkOpenMetrics,
  openMetricsForPromtool,
  type PromtoolResult,
  promtoolCheckMetrics,
} from './promtool.ts';
export { repoRoot } from './repo-root.ts';
export {
  adminFaultsSuite,
  databaseFaultSuite,
  type ServiceSuitesOptions,
  type ServiceUnderTest,
  serviceSuites,
} from './service-suites.ts';
export {
  type ExitResult,
  type RunningService,
  type RunToExitResult,
  runToExit,
  type StartServiceOptions,
  startService,
  stopAllServices,
} from './start-service.ts';
export { type WaitForOptions, waitFor } from './wait-for.ts';
