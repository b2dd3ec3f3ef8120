import type { Readable } from 'node:stream';
import { serviceCallHeaders } from '@vigil/service-kit';
import { applyDependencyFault } from '@vigil/telemetry';
import { request as send } from 'undici';

export interface ProxyRequest {
  method: string;
  /** Path and query, as received (already checked canonical by the request guard). */
  url: string;
  headers: Record<string, string | string[] | undefined>;
  /** The request body as received, streamed to the upstream unparsed; undefined when there is none. */
  body: unknown;
}

export type ProxyResult =
  | { ok: true; status: number; headers: Record<string, string>; body: Readable }
  | { ok: false; reason: 'timeout' | 'unavailable' };

// Only what upstreams need; hop-by-hop headers and client credentials stay at the edge.
const FORWARDED_REQUEST = ['accept', 'idempotency-key', 'content-type', 'content-length'];
const FORWARDED_RESPONSE = ['content-type', 'location', 'idempotent-replayed', 'retry-after'];
const CALLER = serviceCallHeaders('gateway');

function isStream(body: unknown): body is Readable {
  return typeof (body as Readable | undefined)?.pipe === 'function';
}

/** Sends one request to `baseUrl` within `timeoutMs`, streaming the body both ways; never throws. */
export async function forward(
  upstream: string,
  baseUrl: string,
  request: ProxyRequest,
  timeoutMs: number,
): Promise<ProxyResult> {
  const signal = AbortSignal.timeout(timeoutMs);
  const headers: Record<string, string> = { ...CALLER };
  for (const name of FORWARDED_REQUEST) {
    const value = request.headers[name];
    if (typeof value === 'string') headers[name] = value;
  }
  const body = isStream(request.body) ? request.body : undefined;
  if (body === undefined) delete headers['content-length'];
  try {
    await applyDependencyFault(upstream, signal);
    // undici.request, not fetch: no WHATWG streams/Headers per proxied call.
    const res = await send(baseUrl + request.url, {
      method: request.method as 'GET',
      headers,
      body,
      signal,
    });
    const out: Record<string, string> = {};
    for (const name of FORWARDED_RESPONSE) {
      const value = res.headers[name];
      if (typeof value === 'string') out[name] = value;
    }
    return { ok: true, status: res.statusCode, headers: out, body: res.body };
  } catch (err) {
    const name = (err as { name?: string })?.name;
    return {
      ok: false,
      reason: name === 'TimeoutError' || name === 'AbortError' ? 'timeout' : 'unavailable',
    };
  }
}
