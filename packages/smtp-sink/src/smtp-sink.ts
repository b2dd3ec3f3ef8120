import { randomUUID } from 'node:crypto';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';

export interface SmtpSinkOptions {
  host: string;
  port: number;
  /** Readiness probe port (GET /health/ready); 0 = pick one, undefined = none. */
  httpPort?: number | undefined;
  directory: string;
  /** Largest accepted message in bytes. */
  maxBytes?: number;
  onMessage?: (file: string) => void;
}

export interface SmtpSink {
  readonly port: number;
  readonly httpPort: number | undefined;
  close(): Promise<void>;
}

function listen(
  server: {
    listen: (port: number, host: string, cb: () => void) => unknown;
    once: (event: 'error', cb: (err: Error) => void) => unknown;
  },
  port: number,
  host: string,
): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
}

/**
 * Accepts any mail without auth or TLS (local only) and writes each message as
 * `<epoch ms>-<uuid>.eml`, written to a temp name first so readers never see half a file.
 */
export async function startSmtpSink(options: SmtpSinkOptions): Promise<SmtpSink> {
  mkdirSync(options.directory, { recursive: true });
  const maxBytes = options.maxBytes ?? 10 * 1024 * 1024;
  const smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    size: maxBytes,
    logger: false,
    banner: 'Vigil SMTP sink',
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('error', (err) => callback(err));
      stream.on('end', () => {
        if ((stream as unknown as { sizeExceeded?: boolean }).sizeExceeded) {
          callback(Object.assign(new Error('message too large'), { responseCode: 552 }));
          return;
        }
        const name = `${Date.now()}-${randomUUID()}.eml`;
        const file = join(options.directory, name);
        try {
          writeFileSync(`${file}.tmp`, Buffer.concat(chunks));
          renameSync(`${file}.tmp`, file);
        } catch (err) {
          callback(err as Error);
          return;
        }
        options.onMessage?.(file);
        callback();
      });
    },
  });
  await listen(smtp.server, options.port, options.host);
  const address = smtp.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;

  let http: HttpServer | undefined;
  let httpPort: number | undefined;
  if (options.httpPort !== undefined) {
    http = createHttpServer((req, res) => {
      const ok = req.url === '/health/ready' || req.url === '/health/live' || req.url === '/health';
      res.writeHead(ok ? 200 : 404, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify(
          ok
            ? { status: 'ok', smtp_port: port }
            : { error: { code: 'ROUTE_NOT_FOUND', message: 'not found' } },
        ),
      );
    });
    await listen(http, options.httpPort, options.host);
    const httpAddress = http.address();
    httpPort = typeof httpAddress === 'object' && httpAddress ? httpAddress.port : options.httpPort;
  }

  return {
    port,
    httpPort,
    async close() {
      await new Promise<void>((resolve) => smtp.close(() => resolve()));
      if (http) await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}
