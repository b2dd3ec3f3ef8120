import type { Dependency, JaegerList, LogPage, LogRecord, Trace } from './types.ts';

export class ApiError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

interface ErrorBody {
  error?: { message?: string };
  errors?: { msg?: string }[] | null;
}

function errorMessage(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const b = body as ErrorBody;
  return b.error?.message ?? b.errors?.[0]?.msg;
}

export async function getJson<T>(path: string, signal?: AbortSignal): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, { headers: { accept: 'application/json' }, signal });
  } catch (err) {
    if (signal?.aborted) throw err;
    throw new ApiError(0, 'Cannot reach the Vigil hub API — is the hub running?');
  }
  const text = await res.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  if (!res.ok) {
    throw new ApiError(
      res.status,
      errorMessage(body) ?? `The hub answered ${res.status} ${res.statusText}`.trim(),
    );
  }
  if (body === undefined) throw new ApiError(res.status, 'The hub answered with something that is not JSON');
  return body as T;
}

export function query(params: Record<string, string | number | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== '') q.set(k, String(v));
  }
  const s = q.toString();
  return s ? `?${s}` : '';
}

const enc = encodeURIComponent;

export const api = {
  services: (signal?: AbortSignal) =>
    getJson<JaegerList<string>>('/api/services', signal).then((r) => r.data ?? []),
  operations: (service: string, signal?: AbortSignal) =>
    getJson<JaegerList<string>>(`/api/services/${enc(service)}/operations`, signal).then((r) => r.data ?? []),
  searchTraces: (params: Record<string, string | number | undefined>, signal?: AbortSignal) =>
    getJson<JaegerList<Trace>>(`/api/traces${query(params)}`, signal).then((r) => r.data ?? []),
  trace: (id: string, signal?: AbortSignal) =>
    getJson<JaegerList<Trace>>(`/api/traces/${enc(id)}`, signal).then((r) => r.data?.[0] ?? null),
  traceLogs: (id: string, signal?: AbortSignal) =>
    getJson<{ data: LogRecord[] }>(`/api/traces/${enc(id)}/logs`, signal).then((r) => r.data ?? []),
  logs: (params: Record<string, string | number | undefined>, signal?: AbortSignal) =>
    getJson<LogPage>(`/api/logs${query(params)}`, signal),
  dependencies: (endTs: number, lookback: number, signal?: AbortSignal) =>
    getJson<JaegerList<Dependency>>(`/api/dependencies${query({ endTs, lookback })}`, signal).then(
      (r) => r.data ?? [],
    ),
};
