import type { Server } from 'node:http';
import { createServer } from 'node:http';

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

export interface ReceivedRequest {
  readonly path: string;
  readonly body: unknown;
  readonly receivedAt: number;
}

/** Records every POST it receives (Alertmanager webhooks, or Slack/PagerDuty stand-ins) and answers 200. */
export interface HttpSink {
  readonly url: string;
  readonly received: ReceivedRequest[];
  close(): Promise<void>;
}

export async function startHttpSink(): Promise<HttpSink> {
  const received: ReceivedRequest[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString();
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {}
      received.push({ path: req.url ?? '/', body, receivedAt: Date.now() });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"success"}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
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
