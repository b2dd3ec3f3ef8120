import { appendFileSync, mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import { createServer } from 'node:http';
import { dirname } from 'node:path';

export interface ReceivedRequest {
  readonly id: number;
  readonly method: string;
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body: unknown;
  readonly receivedAt: number;
}

export interface WebhookSink {
  readonly url: string;
  readonly port: number;
  /** Every request, in arrival order (the newest `keep`). */
  readonly received: ReceivedRequest[];
  /** The next requests on `path` answer `status` (a fault for tests), then normal service resumes. */
  failNext(path: string, count: number, status?: number): void;
  /**
   * The next `count` requests on `path` are recorded and never answered (a hung endpoint; the
   * caller's timeout is what ends them), then normal service resumes.
   */
  hangNext(path: string, count: number): void;
  close(): Promise<void>;
}

export interface WebhookSinkOptions {
  host?: string;
  port?: number;
  /** Each request is also appended to this JSON-lines file. */
  file?: string;
  keep?: number;
  maxBodyBytes?: number;
}

// Headers worth showing; an Authorization value is never recorded.
const SHOWN = ['content-type', 'user-agent', 'idempotency-key', 'x-request-id'];

/**
 * A local stand-in for Slack incoming webhooks, PagerDuty Events v2 and generic webhooks:
 * records every request (GET /requests lists them, newest first) and answers like the real
 * services (202 {"status":"success","dedup_key"} for PagerDuty paths, 200 "ok" otherwise).
 */
export async function startWebhookSink(options: WebhookSinkOptions = {}): Promise<WebhookSink> {
  const keep = options.keep ?? 10_000;
  const maxBody = options.maxBodyBytes ?? 1024 * 1024;
  const received: ReceivedRequest[] = [];
  const failures = new Map<string, { count: number; status: number }>();
  const hangs = new Map<string, number>();
  let nextId = 1;
  if (options.file) mkdirSync(dirname(options.file), { recursive: true });

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://sink');
    if (req.method === 'GET' && (url.pathname === '/health/ready' || url.pathname === '/health/live')) {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
      return;
    }
    if (req.method === 'GET' && url.pathname === '/requests') {
      const limit = Math.min(1000, Math.max(1, Number(url.searchParams.get('limit')) || 200));
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ data: received.slice(-limit).reverse() }));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= maxBody) chunks.push(c);
    });
    req.on('end', () => {
      if (size > maxBody) {
        res.writeHead(413, { 'content-type': 'application/json' }).end('{"status":"too large"}');
        return;
      }
      const text = Buffer.concat(chunks).toString();
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {}
      const headers: Record<string, string> = {};
      for (const h of SHOWN) if (typeof req.headers[h] === 'string') headers[h] = req.headers[h] as string;
      const entry: ReceivedRequest = {
        id: nextId++,
        method: req.method ?? 'POST',
        path: url.pathname,
        headers,
        body,
        receivedAt: Date.now(),
      };
      received.push(entry);
      if (received.length > keep) received.splice(0, received.length - keep);
      if (options.file) appendFileSync(options.file, `${JSON.stringify(entry)}\n`);
      const hang = hangs.get(url.pathname) ?? 0;
      if (hang > 0) {
        hangs.set(url.pathname, hang - 1);
        return; // no answer; close() ends the connection
      }
      const fail = failures.get(url.pathname);
      if (fail && fail.count > 0) {
        fail.count--;
        res
          .writeHead(fail.status, { 'content-type': 'application/json' })
          .end('{"status":"injected failure"}');
        return;
      }
      if (url.pathname.includes('pagerduty')) {
        const dedup = (body as { dedup_key?: string } | null)?.dedup_key ?? `sink-${entry.id}`;
        res
          .writeHead(202, { 'content-type': 'application/json' })
          .end(JSON.stringify({ status: 'success', message: 'Event processed', dedup_key: dedup }));
        return;
      }
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://${options.host ?? '127.0.0.1'}:${port}`,
    port,
    received,
    failNext(path, count, status = 500) {
      failures.set(path, { count, status });
    },
    hangNext(path, count) {
      hangs.set(path, count);
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
