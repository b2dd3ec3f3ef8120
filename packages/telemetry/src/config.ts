import { randomUUID } from 'node:crypto';
import { parseSampler, type SamplerConfig } from './sampler-config.ts';

export type Env = Readonly<Record<string, string | undefined>>;

export interface TelemetryOptions {
  /** The `service` label, log field and OTel service.name (OTEL_SERVICE_NAME overrides it). */
  service: string;
  version: string;
  /** Defaults to process.env. */
  env?: Env;
  /** Where JSON log lines go; defaults to an async stdout destination. */
  logDestination?: NodeJS.WritableStream | { write(line: string): unknown };
  /** Overall bound on the shutdown sequence (drain + flush), default 5000 ms. */
  shutdownTimeoutMs?: number;
  /** Bound on each readiness check, default 1000 ms. */
  healthCheckTimeoutMs?: number;
}

export interface TelemetryConfig {
  service: string;
  version: string;
  instanceId: string;
  environment: string;
  enabled: boolean;
  logLevel: string;
  tracesEndpoint: string | undefined;
  logsEndpoint: string | undefined;
  /** VIGIL_OTLP_REQUEST_LOGS=on: also export each request log line over OTLP (off: stdout only). */
  otlpRequestLogs: boolean;
  sampler: SamplerConfig;
  resourceAttributes: Record<string, string>;
  shutdownTimeoutMs: number;
  healthCheckTimeoutMs: number;
  /** Problems found in the environment; logged once at startup, never thrown. */
  warnings: string[];
}

const LOG_LEVELS = new Set(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);

function signalEndpoint(env: Env, signal: 'TRACES' | 'LOGS', warnings: string[]): string | undefined {
  const specific = env[`OTEL_EXPORTER_OTLP_${signal}_ENDPOINT`]?.trim();
  const base = env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim();
  const path = signal === 'TRACES' ? 'v1/traces' : 'v1/logs';
  const candidate = specific || (base ? `${base.replace(/\/+$/, '')}/${path}` : undefined);
  if (!candidate) return undefined;
  try {
    const url = new URL(candidate);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('not http(s)');
    return url.href;
  } catch {
    warnings.push(
      `ignoring invalid OTLP ${signal.toLowerCase()} endpoint "${candidate}": not exporting ${signal.toLowerCase()}`,
    );
    return undefined;
  }
}

/** OTEL_RESOURCE_ATTRIBUTES: comma-separated key=value pairs, values percent-encoded. */
function parseResourceAttributes(raw: string | undefined, warnings: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  if (!raw) return out;
  for (const pair of raw.split(',')) {
    if (!pair.trim()) continue;
    const eq = pair.indexOf('=');
    if (eq <= 0) {
      warnings.push(`ignoring malformed OTEL_RESOURCE_ATTRIBUTES entry "${pair}"`);
      continue;
    }
    try {
      out[pair.slice(0, eq).trim()] = decodeURIComponent(pair.slice(eq + 1).trim());
    } catch {
      warnings.push(`ignoring malformed OTEL_RESOURCE_ATTRIBUTES entry "${pair}"`);
    }
  }
  return out;
}

export function readConfig(options: TelemetryOptions): TelemetryConfig {
  const env = options.env ?? process.env;
  const warnings: string[] = [];
  const rawLevel = (env.LOG_LEVEL ?? 'info').trim().toLowerCase();
  let logLevel = rawLevel;
  if (!LOG_LEVELS.has(rawLevel)) {
    warnings.push(`ignoring invalid LOG_LEVEL "${env.LOG_LEVEL}": using info`);
    logLevel = 'info';
  }
  const telemetrySwitch = (env.VIGIL_TELEMETRY ?? 'on').trim().toLowerCase();
  if (!['on', 'off', ''].includes(telemetrySwitch)) {
    warnings.push(`ignoring invalid VIGIL_TELEMETRY "${env.VIGIL_TELEMETRY}": using on`);
  }
  const requestLogsSwitch = (env.VIGIL_OTLP_REQUEST_LOGS ?? 'off').trim().toLowerCase();
  if (!['on', 'off', ''].includes(requestLogsSwitch)) {
    warnings.push(`ignoring invalid VIGIL_OTLP_REQUEST_LOGS "${env.VIGIL_OTLP_REQUEST_LOGS}": using off`);
  }
  return {
    service: env.OTEL_SERVICE_NAME?.trim() || options.service,
    version: options.version,
    instanceId: randomUUID(),
    environment: env.DEPLOYMENT_ENVIRONMENT?.trim() || 'local',
    enabled: telemetrySwitch !== 'off',
    logLevel,
    tracesEndpoint: signalEndpoint(env, 'TRACES', warnings),
    logsEndpoint: signalEndpoint(env, 'LOGS', warnings),
    otlpRequestLogs: requestLogsSwitch === 'on',
    sampler: parseSampler(env.OTEL_TRACES_SAMPLER, env.OTEL_TRACES_SAMPLER_ARG, warnings),
    resourceAttributes: parseResourceAttributes(env.OTEL_RESOURCE_ATTRIBUTES, warnings),
    shutdownTimeoutMs: options.shutdownTimeoutMs ?? 5000,
    healthCheckTimeoutMs: options.healthCheckTimeoutMs ?? 1000,
    warnings,
  };
}
