import { httpError } from '@vigil/service-kit';
import { z } from 'zod';

// Alertmanager API v2 (https://github.com/prometheus/alertmanager/blob/main/api/v2/openapi.yaml).
const matcher = z.object({
  name: z.string(),
  value: z.string(),
  isRegex: z.boolean(),
  isEqual: z.boolean().optional().default(true),
});
export type Matcher = z.output<typeof matcher>;

const gettableAlert = z.object({
  labels: z.record(z.string(), z.string()),
  annotations: z.record(z.string(), z.string()).optional().default({}),
  startsAt: z.string(),
  endsAt: z.string().optional().default(''),
  updatedAt: z.string().optional().default(''),
  fingerprint: z.string(),
  generatorURL: z.string().optional().default(''),
  receivers: z
    .array(z.object({ name: z.string() }))
    .optional()
    .default([]),
  status: z.object({
    state: z.enum(['active', 'suppressed', 'unprocessed']),
    silencedBy: z.array(z.string()).nullable().optional().default([]),
    inhibitedBy: z.array(z.string()).nullable().optional().default([]),
  }),
});
export type AmAlert = z.output<typeof gettableAlert>;

const gettableSilence = z.object({
  id: z.string(),
  status: z.object({ state: z.enum(['active', 'pending', 'expired']) }),
  updatedAt: z.string().optional().default(''),
  matchers: z.array(matcher),
  startsAt: z.string(),
  endsAt: z.string(),
  createdBy: z.string(),
  comment: z.string(),
});
export type AmSilence = z.output<typeof gettableSilence>;

export interface PostableSilence {
  id?: string;
  matchers: Matcher[];
  startsAt: string;
  endsAt: string;
  createdBy: string;
  comment: string;
}

/** Alertmanager's matcher syntax for `filter=` (label name, operator, double-quoted value). */
export function matcherString(m: Matcher): string {
  const op = m.isRegex ? (m.isEqual ? '=~' : '!~') : m.isEqual ? '=' : '!=';
  const value = m.value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
  return `${m.name}${op}"${value}"`;
}

/** One configured Alertmanager, spoken to over its API v2 with a deadline on every call. */
export class AlertmanagerClient {
  readonly name: string;
  readonly url: string;
  readonly #timeoutMs: number;

  constructor(name: string, url: string, timeoutMs = 3000) {
    this.name = name;
    this.url = url.replace(/\/+$/, '');
    this.#timeoutMs = timeoutMs;
  }

  async #call(method: string, path: string, body?: unknown): Promise<unknown> {
    let res: Response;
    try {
      res = await fetch(`${this.url}/api/v2${path}`, {
        method,
        headers: body === undefined ? { accept: 'application/json' } : { 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
    } catch (err) {
      const why =
        (err as Error).name === 'TimeoutError' ? `no answer within ${this.#timeoutMs} ms` : 'unreachable';
      throw httpError(502, 'ALERTMANAGER_UNAVAILABLE', `Alertmanager "${this.name}" is ${why}`);
    }
    const text = await res.text();
    if (res.status === 400 || res.status === 422) {
      // Alertmanager's own words (e.g. a bad matcher or regex), JSON-quoted or plain.
      let message = text;
      try {
        const parsed = JSON.parse(text) as unknown;
        message = typeof parsed === 'string' ? parsed : ((parsed as { message?: string }).message ?? text);
      } catch {}
      throw httpError(
        400,
        'ALERTMANAGER_REJECTED',
        `Alertmanager "${this.name}": ${message.trim().slice(0, 300)}`,
      );
    }
    if (res.status === 404)
      throw httpError(404, 'NOT_FOUND', `Alertmanager "${this.name}" has no such object`);
    if (!res.ok)
      throw httpError(502, 'ALERTMANAGER_ERROR', `Alertmanager "${this.name}" answered ${res.status}`);
    return text ? JSON.parse(text) : undefined;
  }

  async alerts(
    filter: Matcher[] = [],
    opts: { silenced?: boolean; inhibited?: boolean } = {},
  ): Promise<AmAlert[]> {
    const q = new URLSearchParams({
      active: 'true',
      silenced: String(opts.silenced ?? true),
      inhibited: String(opts.inhibited ?? true),
      unprocessed: 'true',
    });
    for (const m of filter) q.append('filter', matcherString(m));
    return z.array(gettableAlert).parse(await this.#call('GET', `/alerts?${q}`));
  }

  async silences(): Promise<AmSilence[]> {
    return z.array(gettableSilence).parse(await this.#call('GET', '/silences'));
  }

  async silence(id: string): Promise<AmSilence> {
    return gettableSilence.parse(await this.#call('GET', `/silence/${encodeURIComponent(id)}`));
  }

  async createSilence(silence: PostableSilence): Promise<string> {
    const out = (await this.#call('POST', '/silences', silence)) as { silenceID?: string };
    if (!out?.silenceID)
      throw httpError(502, 'ALERTMANAGER_ERROR', `Alertmanager "${this.name}" returned no silence id`);
    return out.silenceID;
  }

  async expireSilence(id: string): Promise<void> {
    await this.#call('DELETE', `/silence/${encodeURIComponent(id)}`);
  }
}

/** `name=url,name=url` (or a bare URL, named "default"); at least one. */
export function parseAlertmanagers(spec: string, timeoutMs?: number): AlertmanagerClient[] {
  const out: AlertmanagerClient[] = [];
  for (const part of spec
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const eq = part.indexOf('=');
    const [name, url] =
      eq > 0 && !part.slice(0, eq).includes(':')
        ? [part.slice(0, eq), part.slice(eq + 1)]
        : ['default', part];
    if (!/^[a-z0-9][a-z0-9._-]{0,62}$/i.test(name))
      throw new Error(`alertmanager name "${name}" is not a simple name`);
    if (!/^https?:\/\/[^\s]+$/.test(url))
      throw new Error(`alertmanager "${name}": "${url}" is not an http(s) URL`);
    if (out.some((c) => c.name === name)) throw new Error(`alertmanager "${name}" is listed twice`);
    out.push(new AlertmanagerClient(name, url, timeoutMs));
  }
  if (out.length === 0) throw new Error('list at least one Alertmanager');
  return out;
}
