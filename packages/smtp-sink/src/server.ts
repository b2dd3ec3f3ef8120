import { resolve } from 'node:path';
import { defaultPort } from '@vigil/topology';
import { startSmtpSink } from './smtp-sink.ts';

// Local-mode SMTP sink for notification-service: `node packages/smtp-sink/src/server.ts`.
function port(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!/^[0-9]{1,5}$/.test(raw) || value > 65535) {
    process.stderr.write(
      `smtp-sink: invalid configuration: ${name} must be an integer between 0 and 65535\n`,
    );
    process.exit(78);
  }
  return value;
}

const host = process.env.HOST || '127.0.0.1';
const directory = resolve(process.env.SMTP_SINK_DIR || 'var/mail');
const sink = await startSmtpSink({
  host,
  port: port('SMTP_SINK_PORT', defaultPort('smtp-sink')),
  httpPort: port('SMTP_SINK_HTTP_PORT', defaultPort('smtp-sink.http')),
  directory,
  onMessage: (file) =>
    process.stdout.write(
      `${JSON.stringify({ time: new Date().toISOString(), level: 'info', service: 'smtp-sink', event: 'mail_stored', file, msg: 'mail stored' })}\n`,
    ),
});
process.stdout.write(
  `${JSON.stringify({ time: new Date().toISOString(), level: 'info', service: 'smtp-sink', msg: 'listening', smtp_port: sink.port, http_port: sink.httpPort, directory })}\n`,
);

let closing = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (closing) return;
    closing = true;
    void sink.close().then(() => process.exit(0));
    setTimeout(() => process.exit(0), 3000).unref();
  });
}
