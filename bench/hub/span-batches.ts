import { randomBytes } from 'node:crypto';
import { ExportTraceServiceRequest as Req } from '@vigil/hub/otlp-proto';

// The same vendored OTLP protos the hub decodes with, to encode realistic requests once up front.

const str = (key: string, v: string) => ({ key, value: { stringValue: v } });
const int = (key: string, v: number) => ({ key, value: { intValue: v } });

/**
 * One ExportTraceServiceRequest with `spans` spans: traces of 10 spans (server/client pairs),
 * ~8 attributes each, an event on every 5th span — roughly what an instrumented Fastify service emits.
 */
export function encodeBatch(service: string, spans: number, startMs = Date.now()): Buffer {
  const list = [];
  let traceId = randomBytes(16);
  let parent: Buffer | null = null;
  for (let i = 0; i < spans; i++) {
    if (i % 10 === 0) {
      traceId = randomBytes(16);
      parent = null;
    }
    const spanId = randomBytes(8);
    const start = BigInt(startMs) * 1_000_000n + BigInt(i) * 1000n;
    list.push({
      traceId,
      spanId,
      parentSpanId: parent ?? undefined,
      name: i % 2 === 0 ? 'GET /products/:id' : 'SELECT products',
      kind: i % 2 === 0 ? 2 : 3,
      startTimeUnixNano: start.toString(),
      endTimeUnixNano: (start + 1_500_000n).toString(),
      attributes: [
        str('http.request.method', 'GET'),
        str('http.route', '/products/:id'),
        str('url.path', `/products/${i}`),
        int('http.response.status_code', 200),
        str('server.address', '127.0.0.1'),
        int('server.port', 8002),
        str('network.protocol.version', '1.1'),
        str('user_agent.original', 'undici'),
      ],
      events:
        i % 5 === 0
          ? [{ timeUnixNano: start.toString(), name: 'cache miss', attributes: [str('key', `p:${i}`)] }]
          : [],
      status: { code: 0 },
    });
    parent = spanId;
  }
  const msg = Req.fromObject({
    resourceSpans: [
      {
        resource: {
          attributes: [
            str('service.name', service),
            str('service.version', '0.1.0'),
            str('deployment.environment', 'bench'),
          ],
        },
        scopeSpans: [{ scope: { name: '@vigil/telemetry', version: '0.1.0' }, spans: list }],
      },
    ],
  });
  return Buffer.from(Req.encode(msg).finish());
}
