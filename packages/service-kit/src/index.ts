export { type BackoffOptions, backoffMs } from './backoff.ts';
export {
  CARD_BRANDS,
  type CardBrandLabel,
  CUSTOMER_SEGMENTS,
  type CustomerSegment,
  cardBrandLabel,
  categoryLabel,
  PRODUCT_CATEGORIES,
  type ProductCategoryLabel,
  segmentLabel,
} from './business-vocabulary.ts';
export {
  ConfigError,
  type Env,
  hostVar,
  loadConfig,
  parseConfig,
  portVar,
  serviceEnvShape,
  urlVar,
  urlVars,
} from './config.ts';
export {
  type CreateServiceAppOptions,
  createServiceApp,
  type DatabaseSource,
  DEFAULT_BODY_LIMIT,
  type ServiceApp,
  type ServiceAppWithDatabase,
} from './create-service-app.ts';
export {
  appliedMigrations,
  type Migration,
  type OpenDatabaseOptions,
  openDatabase,
  type SqliteDatabase,
} from './database.ts';
export { type ErrorBody, mapError } from './error-handler.ts';
export { HttpError, httpError, isHttpError } from './http-error.ts';
export { createPollingWorker, type PollingWorker, type PollingWorkerOptions } from './polling-worker.ts';
export {
  CALLER_HEADER,
  callerOf,
  crossSiteProblem,
  defaultAccess,
  installRequestGuard,
  pathProblem,
  type RequestGuardOptions,
  type RouteAccess,
  SERVICE_TOKEN_HEADER,
  serviceCallHeaders,
} from './request-guard.ts';
export {
  type RunnableConfig,
  type RunServiceOptions,
  runService,
  type ServiceContext,
} from './run-service.ts';
export { describeZodError, paginationShape, parseId, parseOrThrow, queryInt } from './validation.ts';
