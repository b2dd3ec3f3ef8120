import { applyDependencyFault } from '@vigil/telemetry';
import { Agent, request } from 'undici';
import { checkWebhookUrl, createWebhookDestinationPolicy } from './webhook-destination.ts';

export interface WebhookSenderOptions {
  timeoutMs: number;
  /**
   * Non-public destinations webhooks may still target (`ip:port` or CIDR); by default none: loopback,
   * private, link-local and reserved addresses (Vigil's own services among them) are refused.
   */
  allow: readonly string[];
}

export class WebhookRejected extends Error {}

export function createWebhookSender(options: WebhookSenderOptions) {
  const policy = createWebhookDestinationPolicy(options.allow);
  // Every connection goes through the policy's connector (checked on the resolved address); redirects are
  // never followed (undici.request does not), so a 3xx is a failed delivery, not a hop into the network.
  const dispatcher = new Agent({ connect: policy.connector, keepAliveTimeout: 1_000 });
  return {
    /** Why `url` may not be a webhook target, or undefined when it may (checked again at each delivery). */
    refusal(url: string): Promise<string | undefined> {
      return checkWebhookUrl(url, policy);
    },
    async send(url: string, body: unknown, idempotencyKey: string): Promise<void> {
      const signal = AbortSignal.timeout(options.timeoutMs);
      await applyDependencyFault('webhook', signal);
      const res = await request(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': idempotencyKey },
        body: JSON.stringify(body),
        signal,
        dispatcher,
      });
      await res.body.dump();
      if (res.statusCode < 200 || res.statusCode >= 300)
        throw new WebhookRejected(`webhook answered ${res.statusCode}`);
    },
    close(): Promise<void> {
      return dispatcher.close();
    },
  };
}

export type WebhookSender = ReturnType<typeof createWebhookSender>;
