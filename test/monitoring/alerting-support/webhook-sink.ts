import { startWebhookSink, type WebhookSink } from '../../../packages/webhook-sink/src/webhook-sink.ts';

export interface AlertmanagerAlert {
  status: 'firing' | 'resolved';
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
}

/** The Alertmanager webhook payload (version 4). */
export interface WebhookPayload {
  receiver: string;
  status: 'firing' | 'resolved';
  alerts: AlertmanagerAlert[];
  groupLabels: Record<string, string>;
  commonLabels: Record<string, string>;
}

export type { ReceivedRequest } from '../../../packages/webhook-sink/src/webhook-sink.ts';

/** Records every request it receives (Alertmanager webhooks, or Slack/PagerDuty stand-ins): the local-mode sink. */
export type HttpSink = WebhookSink;

export function startHttpSink(): Promise<HttpSink> {
  return startWebhookSink();
}

/** Webhook payloads received on `path`, in arrival order. */
export function webhookPayloads(
  sink: HttpSink,
  path: string,
): Array<WebhookPayload & { receivedAt: number }> {
  return sink.received
    .filter((r) => r.path === path && typeof r.body === 'object' && r.body !== null)
    .map((r) => ({ ...(r.body as WebhookPayload), receivedAt: r.receivedAt }));
}
