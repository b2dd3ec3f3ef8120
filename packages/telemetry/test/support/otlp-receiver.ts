import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { type DecodedLog, type DecodedSpan, decodeLogs, decodeTraces } from './otlp-decode.ts';

export interface OtlpReceiver {
  /** Base URL for OTEL_EXPORTER_OTLP_ENDPOINT. */
  url: string;
  spans: DecodedSpan[];
  logs: DecodedLog[];
  requests: number;
  close(): Promise<void>;
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const body = Buffer.concat(chunks);
  return request.headers['content-encoding'] === 'gzip' ? gunzipSync(body) : body;
}

/** A real OTLP/HTTP protobuf endpoint on 127.0.0.1:0 that decodes and keeps what it receives. */
export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const receiver: Omit<OtlpReceiver, 'url' | 'close'> = { spans: [], logs: [], requests: 0 };
  const server = createServer((request, response) => {
    readBody(request)
      .then((body) => {
        receiver.requests++;
        if (request.url === '/v1/traces') receiver.spans.push(...decodeTraces(body));
        else if (request.url === '/v1/logs') receiver.logs.push(...decodeLogs(body));
        else {
          response.writeHead(404).end();
          return;
        }
        response.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
      })
      .catch(() => response.writeHead(400).end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(receiver, {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}

/** A port that was free a moment ago and has nothing listening: a collector that is down. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
