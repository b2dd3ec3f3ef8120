export interface PrometheusAnswer {
  status: number;
  /** Prometheus' JSON body, passed on as is on success. */
  body: unknown;
}

export class PrometheusUnavailable extends Error {
  readonly timedOut: boolean;
  constructor(message: string, timedOut: boolean) {
    super(message);
    this.timedOut = timedOut;
  }
}

const MAX_ANSWER_BYTES = 32 * 1024 * 1024;

/** POSTs a read-only query to Prometheus' HTTP API; only /api/v1/query and /api/v1/query_range. */
export async function askPrometheus(
  baseUrl: string,
  endpoint: 'query' | 'query_range',
  params: Record<string, string>,
  timeoutMs: number,
): Promise<PrometheusAnswer> {
  // Prometheus gives up at the same moment, so a heavy query does not keep running unseen.
  const form = new URLSearchParams({ ...params, timeout: `${Math.max(1, Math.floor(timeoutMs / 1000))}s` });
  let res: Response;
  let text: string;
  try {
    res = await fetch(`${baseUrl}/api/v1/${endpoint}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: form,
      signal: AbortSignal.timeout(timeoutMs),
    });
    const length = Number(res.headers.get('content-length') ?? 0);
    if (length > MAX_ANSWER_BYTES) {
      await res.body?.cancel();
      throw new PrometheusUnavailable('Prometheus answered with more data than the hub relays', false);
    }
    text = await res.text();
  } catch (err) {
    if (err instanceof PrometheusUnavailable) throw err;
    const timedOut = err instanceof DOMException && err.name === 'TimeoutError';
    throw new PrometheusUnavailable(
      timedOut ? `Prometheus did not answer within ${timeoutMs} ms` : `cannot reach Prometheus at ${baseUrl}`,
      timedOut,
    );
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new PrometheusUnavailable(`Prometheus at ${baseUrl} answered ${res.status} without JSON`, false);
  }
  return { status: res.status, body };
}
