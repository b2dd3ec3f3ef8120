import { applyDependencyFault } from '@vigil/telemetry';

export interface WebhookSenderOptions {
  timeoutMs: number;
  /** Hostnames webhooks may target; anything else is refused (no SSRF into the network). */
  allowedHosts: readonly string[];
}

export class WebhookRejected extends Error {}

export function createWebhookSender(options: WebhookSenderOptions) {
  const allowed = new Set(options.allowedHosts.map((h) => h.toLowerCase()));
  return {
    allows(url: string): boolean {
      return allowed.has(new URL(url).hostname.toLowerCase());
    },
    async send(url: string, body: unknown, idempotencyKey: string): Promise<void> {
      const signal = AbortSignal.timeout(options.timeoutMs);
      await applyDependencyFault('webhook', signal);
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': idempotencyKey },
        body: JSON.stringify(body),
        signal,
        redirect: 'manual',
      });
      await res.arrayBuffer();
      if (res.status < 200 || res.status >= 300) throw new WebhookRejected(`webhook answered ${res.status}`);
    },
  };
}

export type WebhookSender = ReturnType<typeof createWebhookSender>;
