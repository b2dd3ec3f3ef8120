import { resolve } from 'node:path';
import { startWebhookSink } from './webhook-sink.ts';

// Local-mode Slack/PagerDuty/webhook stand-in: `node packages/webhook-sink/src/server.ts`.
const raw = process.env.WEBHOOK_SINK_PORT ?? '2527';
if (!/^[0-9]{1,5}$/.test(raw) || Number(raw) > 65535) {
  process.stderr.write(
    'webhook-sink: invalid configuration: WEBHOOK_SINK_PORT must be an integer between 0 and 65535\n',
  );
  process.exit(78);
}
const file = resolve(process.env.WEBHOOK_SINK_FILE || 'var/webhook-sink/requests.jsonl');
const sink = await startWebhookSink({ host: process.env.HOST || '127.0.0.1', port: Number(raw), file });
const log = (fields: Record<string, unknown>) =>
  process.stdout.write(
    `${JSON.stringify({ time: new Date().toISOString(), level: 'info', service: 'webhook-sink', ...fields })}\n`,
  );
log({ msg: 'listening', port: sink.port, file });

let closing = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (closing) return;
    closing = true;
    void sink.close().then(() => process.exit(0));
    setTimeout(() => process.exit(0), 3000).unref();
  });
}
