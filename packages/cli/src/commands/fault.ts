import { parseArgs } from 'node:util';
import { SERVICE_NAMES } from '@vigil/topology';
import { readAdminToken } from '../admin-token.ts';
import { components } from '../components.ts';
import { HOST, resolvePorts } from '../context.ts';
import { CliError } from '../errors.ts';
import { varLayout } from '../paths.ts';

export const usage = `usage: vigil fault set <service> <kind> [options]
       vigil fault list [<service>...]
       vigil fault clear <service>|--all [<fault id>]

Injects faults through each service's admin API (POST/GET/DELETE /admin/faults) for chaos
experiments. The token is VIGIL_ADMIN_TOKEN, else var/run/admin-token written by 'vigil start'.

services: ${SERVICE_NAMES.map((s) => s.replace(/-service$/, '')).join(', ')} (or their full names)
kinds and their options (every fault needs --ttl <seconds>, default 60, at most 3600):
  latency     --latency <ms> [--jitter <ms>] [--probability 0..1] [--route /orders/:id] [--method GET]
  error       [--status 500] [--probability 0..1] [--route <path>] [--method <m>]
  cpu         [--utilization 0.05..0.95]
  memory      --megabytes <n>
  dependency  --target <service name|smtp|webhook> [--mode refuse|hang] [--probability 0..1]
  readiness   (health/ready answers 503)

examples:
  vigil fault set payment latency --latency 800 --jitter 200 --ttl 120
  vigil fault set order dependency --target payment-service --mode hang --ttl 60
  vigil fault list
  vigil fault clear --all`;

/** Every service with the admin fault API: role `service` in @vigil/topology. */
export const FAULT_SERVICES: readonly string[] = SERVICE_NAMES;

function serviceName(raw: string): string {
  const name = FAULT_SERVICES.find((s) => s === raw || s === `${raw}-service`);
  if (!name)
    throw new CliError(
      'UNKNOWN_SERVICE',
      `unknown service '${raw}'; one of: ${FAULT_SERVICES.join(', ')}`,
      2,
    );
  return name;
}

function number(value: string | undefined, option: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n))
    throw new CliError('BAD_OPTION', `--${option} must be a number`, 2);
  return n;
}

/** The JSON body of POST /admin/faults from command-line options; the service validates it again. */
export function faultSpec(kind: string, values: Record<string, string | undefined>): Record<string, unknown> {
  const spec: Record<string, unknown> = { kind, ttl_seconds: number(values.ttl, 'ttl') ?? 60 };
  const put = (key: string, value: unknown) => {
    if (value !== undefined) spec[key] = value;
  };
  switch (kind) {
    case 'latency':
      put('latency_ms', number(values.latency, 'latency'));
      put('jitter_ms', number(values.jitter, 'jitter'));
      break;
    case 'error':
      put('status', number(values.status, 'status'));
      break;
    case 'cpu':
      put('utilization', number(values.utilization, 'utilization'));
      break;
    case 'memory':
      put('megabytes', number(values.megabytes, 'megabytes'));
      break;
    case 'dependency':
      put('target', values.target);
      put('mode', values.mode);
      break;
    case 'readiness':
      break;
    default:
      throw new CliError('UNKNOWN_KIND', `unknown fault kind '${kind}'; see 'vigil fault --help'`, 2);
  }
  if (kind === 'latency' || kind === 'error' || kind === 'dependency')
    put('probability', number(values.probability, 'probability'));
  if (kind === 'latency' || kind === 'error') {
    put('route', values.route);
    put('method', values.method);
  }
  return spec;
}

interface ApiBody {
  error?: { message?: string };
  items?: Array<Record<string, unknown>>;
  cleared?: number;
  [key: string]: unknown;
}

async function call(
  method: string,
  url: string,
  token: string,
  body?: unknown,
): Promise<{ status: number; body: ApiBody }> {
  let res: Response;
  try {
    res = await fetch(url, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(5000),
    });
  } catch {
    throw new CliError('UNREACHABLE', `${url} is not reachable; is the stack running ('vigil status')?`);
  }
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // keep text
  }
  if (res.status === 401)
    throw new CliError(
      'UNAUTHORIZED',
      'the admin token was refused (VIGIL_ADMIN_TOKEN or var/run/admin-token)',
    );
  return {
    status: res.status,
    body: (typeof parsed === 'object' && parsed !== null ? parsed : {}) as ApiBody,
  };
}

function describe(fault: Record<string, unknown>): string {
  const { id, kind, expires_at, created_at, ttl_seconds, ...rest } = fault;
  const details = Object.entries(rest)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  return `${String(id)}  ${String(kind).padEnd(10)} ${details}  (expires ${String(expires_at)})`;
}

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    strict: true,
    options: {
      ttl: { type: 'string' },
      latency: { type: 'string' },
      jitter: { type: 'string' },
      probability: { type: 'string' },
      route: { type: 'string' },
      method: { type: 'string' },
      status: { type: 'string' },
      utilization: { type: 'string' },
      megabytes: { type: 'string' },
      target: { type: 'string' },
      mode: { type: 'string' },
      all: { type: 'boolean' },
      json: { type: 'boolean' },
      'var-dir': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [action, ...rest] = positionals;
  if (values.help || !action) {
    console.log(usage);
    return values.help ? 0 : 2;
  }
  const token = readAdminToken(varLayout(values['var-dir']).adminTokenFile);
  if (!token)
    throw new CliError(
      'NO_TOKEN',
      "no admin token: set VIGIL_ADMIN_TOKEN or start the stack with 'vigil start'",
      2,
    );
  const ports = resolvePorts(components, process.env);
  const base = (service: string) => {
    const port = ports[service];
    if (port === undefined)
      throw new CliError('UNKNOWN_SERVICE', `${service} is not registered in 'vigil start'`, 2);
    return `http://${HOST}:${port}/admin/faults`;
  };

  if (action === 'set') {
    const [service, kind] = rest;
    if (!service || !kind)
      throw new CliError('USAGE', 'usage: vigil fault set <service> <kind> [options]', 2);
    const name = serviceName(service);
    const res = await call(
      'POST',
      base(name),
      token,
      faultSpec(kind, values as Record<string, string | undefined>),
    );
    if (res.status !== 201)
      throw new CliError('REFUSED', `${name}: ${res.body?.error?.message ?? `HTTP ${res.status}`}`, 2);
    console.log(values.json ? JSON.stringify(res.body) : `${name}: ${describe(res.body)}`);
    return 0;
  }
  if (action === 'list') {
    const names = rest.length > 0 ? rest.map(serviceName) : FAULT_SERVICES;
    const out: Record<string, unknown> = {};
    for (const name of names) {
      const res = await call('GET', base(name), token).catch((err: unknown) => {
        if (rest.length > 0) throw err;
        return undefined;
      });
      const items = (res?.body?.items ?? []) as Array<Record<string, unknown>>;
      out[name] = res ? items : 'unreachable';
      if (!values.json) {
        if (!res) console.log(`${name}: unreachable`);
        else if (items.length === 0) console.log(`${name}: no active faults`);
        else for (const fault of items) console.log(`${name}: ${describe(fault)}`);
      }
    }
    if (values.json) console.log(JSON.stringify(out, null, 2));
    return 0;
  }
  if (action === 'clear') {
    const names = values.all ? FAULT_SERVICES : rest[0] ? [serviceName(rest[0])] : [];
    if (names.length === 0)
      throw new CliError('USAGE', 'usage: vigil fault clear <service>|--all [<fault id>]', 2);
    const id = values.all ? undefined : rest[1];
    for (const name of names) {
      const res = await call(
        'DELETE',
        id ? `${base(name)}/${encodeURIComponent(id)}` : base(name),
        token,
      ).catch((err: unknown) => {
        if (!values.all) throw err;
        return undefined;
      });
      if (!res) console.log(`${name}: unreachable`);
      else if (res.status !== 200)
        throw new CliError('REFUSED', `${name}: ${res.body?.error?.message ?? `HTTP ${res.status}`}`, 2);
      else console.log(`${name}: cleared ${res.body.cleared}`);
    }
    return 0;
  }
  throw new CliError('USAGE', `unknown action '${action}'; use set, list or clear`, 2);
}
