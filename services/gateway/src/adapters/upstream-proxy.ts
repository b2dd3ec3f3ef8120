import { applyDependencyFault } from '@vigil/telemetry';
import { request as send } from 'undici';

export interface ProxyRequest {
  method: string;
  /** Path and query, as received. */
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
}

export type ProxyResult =
  | { ok: true; status: number; headers: Record<string, string>; body: Buffer }
  | { ok: false; reason: 'timeout' | 'unavailable' };

// Only what upstreams need; hop-by-hop headers and credentials stay at the edge.
const FORWARDED_REQUEST = ['accept', 'idempotency-key', 'content-type'];
const FORWARDED_RESPONSE = ['content-type', 'location', 'idempotent-replayed', 'retry-after'];

/** Sends one request to `baseUrl` within `timeoutMs`; never throws. */
export async function forward(
  upstream: string,
  baseUrl: string,
  request: ProxyRequest,
  timeoutMs: number,
): Promise<ProxyResult> {
  const signal = AbortSignal.timeout(timeoutMs);
  const headers: Record<string, string> = {};
  for (const name of FORWARDED_REQUEST) {
    const value = request.headers[name];
    if (typeof value === 'string') headers[name] = value;
  }
  const hasBody = request.body !== undefined && request.method !== 'GET' && request.method !== 'HEAD';
  if (hasBody) headers['content-type'] = 'application/json';
  try {
    await applyDependencyFault(upstream, signal);
    // undici.request, not fetch: no WHATWG streams/Headers per proxied call.
    const res = await send(baseUrl + request.url, {
      method: request.method as 'GET',
      headers,
      body: hasBody ? JSON.stringify(request.body) : undefined,
      signal,
    });
    const body = Buffer.from(await res.body.arrayBuffer());
    const out: Record<string, string> = {};
    for (const name of FORWARDED_RESPONSE) {
      const value = res.headers[name];
      if (typeof value === 'string') out[name] = value;
    }
    return { ok: true, status: res.statusCode, headers: out, body };
  } catch (err) {
    const name = (err as { name?: string })?.name;
    return {
      ok: false,
      reason: name === 'TimeoutError' || name === 'AbortError' ? 'timeout' : 'unavailable',
    };
  }
}
