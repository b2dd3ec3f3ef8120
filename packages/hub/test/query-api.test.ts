import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeLogs, getJson, postOtlp, randomHex, startTestHub, type TestHub } from './helpers.ts';

let t: TestHub;
const traceId = randomHex(16);
const baseNs = BigInt(Date.now()) * 1_000_000n;

function logs(
  records: { body: string; sev: number; offsetMs: number; attrs?: Record<string, string>; trace?: boolean }[],
) {
  return encodeLogs({
    resourceLogs: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'query-svc' } }] },
        scopeLogs: [
          {
            logRecords: records.map((r) => ({
              timeUnixNano: String(baseNs + BigInt(r.offsetMs) * 1_000_000n),
              severityNumber: r.sev,
              body: { stringValue: r.body },
              attributes: Object.entries(r.attrs ?? {}).map(([key, v]) => ({
                key,
                value: { stringValue: v },
              })),
              ...(r.trace
                ? { traceId: Buffer.from(traceId, 'hex'), spanId: Buffer.from(randomHex(8), 'hex') }
                : {}),
            })),
          },
        ],
      },
    ],
  });
}

beforeAll(async () => {
  t = await startTestHub();
  const records = Array.from({ length: 25 }, (_, i) => ({
    body: `message ${i} 100%_done`,
    sev: i % 5 === 0 ? 17 : 9,
    offsetMs: i,
    attrs: { idx: String(i) },
    trace: i < 3,
  }));
  expect((await postOtlp(`${t.otlpUrl}/v1/logs`, logs(records))).status).toBe(200);
});
afterAll(async () => {
  await t?.close();
});

describe('query API', () => {
  it('pages through logs newest first with an opaque cursor and no duplicates', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const r: { body: { data: { body: string }[]; next_cursor: string | null } } = await getJson(
        `${t.apiUrl}/api/logs?service=query-svc&limit=10${cursor ? `&cursor=${cursor}` : ''}`,
      );
      seen.push(...r.body.data.map((l) => l.body));
      cursor = r.body.next_cursor;
      pages++;
    } while (cursor && pages < 10);
    expect(pages).toBe(3);
    expect(seen).toEqual(Array.from({ length: 25 }, (_, i) => `message ${24 - i} 100%_done`));
  });

  it('filters logs by time range, level list and literal text (LIKE wildcards escaped)', async () => {
    const startMs = Number(baseNs / 1_000_000n) + 10;
    const endIso = new Date(Number(baseNs / 1_000_000n) + 14).toISOString();
    const range = await getJson(`${t.apiUrl}/api/logs?start=${startMs}&end=${endIso}`);
    expect(range.body.data.map((l: any) => l.attributes.idx)).toEqual(['14', '13', '12', '11', '10']);
    const levels = await getJson(`${t.apiUrl}/api/logs?level=error,fatal`);
    expect(levels.body.data).toHaveLength(5);
    expect(levels.body.data.every((l: any) => l.level === 'error')).toBe(true);
    const text = async (q: string) =>
      (await getJson(`${t.apiUrl}/api/logs?limit=1000&q=${encodeURIComponent(q)}`)).body.data.map(
        (l: any) => l.body,
      );
    expect(await text('MESSAGE 2')).toEqual([
      'message 24 100%_done',
      'message 23 100%_done',
      'message 22 100%_done',
      'message 21 100%_done',
      'message 20 100%_done',
      'message 2 100%_done',
    ]);
    expect(await text('0%_d')).toHaveLength(25);
    // As LIKE wildcards these would match many lines; taken literally they match none.
    expect(await text('e_2')).toEqual([]);
    expect(await text('1%0')).toEqual([]);
    expect((await getJson(`${t.apiUrl}/api/logs?q=${encodeURIComponent('x%')}`)).body.data).toEqual([]);
    const byTrace = await getJson(`${t.apiUrl}/api/traces/${traceId}/logs`);
    expect(byTrace.body.data.map((l: any) => l.attributes.idx)).toEqual(['0', '1', '2']);
  });

  it('answers 400 INVALID_QUERY naming the parameter for bad values', async () => {
    const bad: [string, string][] = [
      ['/api/logs?limit=-1', 'limit'],
      ['/api/logs?limit=100000', 'limit'],
      ['/api/logs?limit=abc', 'limit'],
      ['/api/logs?start=yesterday', 'start'],
      ['/api/logs?start=2000&end=1000', 'end'],
      ['/api/logs?level=loud', 'level'],
      ['/api/logs?trace_id=xyz', 'trace_id'],
      ['/api/logs?cursor=bm9wZQ', 'cursor'],
      ['/api/logs?service=a&service=b', 'service'],
      ['/api/logs?attr.bad%20key=1', 'attr.bad key'],
      ['/api/traces?limit=0', 'limit'],
      ['/api/traces?limit=99999', 'limit'],
      ['/api/traces?start=-5x', 'start'],
      ['/api/traces?minDuration=fast', 'minDuration'],
      ['/api/traces?minDuration=2s&maxDuration=1s', 'maxDuration'],
      ['/api/traces?tags=notjson', 'tags'],
      ['/api/traces?tags=%5B1%5D', 'tags'],
      ['/api/traces/not-hex', 'traceID'],
      ['/api/dependencies?endTs=abc', 'endTs'],
      ['/api/operations', 'service'],
      ['/api/operations?service=a&spanKind=weird', 'spanKind'],
    ];
    for (const [path, param] of bad) {
      const r = await getJson(`${t.apiUrl}${path}`);
      expect(r.status, path).toBe(400);
      expect(r.body.error.code, path).toBe('INVALID_QUERY');
      expect(r.body.error.message.startsWith(`${param}:`), `${path}: ${r.body.error.message}`).toBe(true);
      if (!path.startsWith('/api/logs')) expect(r.body.errors[0].code, path).toBe(400);
    }
  });

  it('answers an unknown trace with the Jaeger 404 shape and unknown routes with ROUTE_NOT_FOUND', async () => {
    const r = await getJson(`${t.apiUrl}/api/traces/${randomHex(16)}`);
    expect(r.status).toBe(404);
    expect(r.body).toEqual({
      data: null,
      total: 0,
      limit: 0,
      offset: 0,
      errors: [{ code: 404, msg: 'trace not found' }],
    });
    const missing = await getJson(`${t.apiUrl}/api/nothing-here`);
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('ROUTE_NOT_FOUND');
    const res = await fetch(`${t.apiUrl}/api/services`);
    expect(res.headers.get('x-trace-id')).toMatch(/^[0-9a-f]{32}$/);
  });

  it('streams new matching log records to a live tail as server-sent events', async () => {
    const ac = new AbortController();
    const res = await fetch(`${t.apiUrl}/api/logs/stream?level=error&q=tail`, { signal: ac.signal });
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    await reader.read(); // ": connected"
    await postOtlp(
      `${t.otlpUrl}/v1/logs`,
      logs([
        { body: 'tail info', sev: 9, offsetMs: 100 },
        { body: 'tail error', sev: 17, offsetMs: 101 },
        { body: 'other error', sev: 17, offsetMs: 102 },
      ]),
    );
    const deadline = Date.now() + 5000;
    while (!buffer.includes('\n\n') && Date.now() < deadline) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value).replace(/^: [^\n]*\n\n/gm, '');
    }
    ac.abort();
    const events = buffer
      .split('\n\n')
      .filter((e) => e.startsWith('data: '))
      .map((e) => JSON.parse(e.slice(6)));
    expect(events.map((e) => e.body)).toEqual(['tail error']);
    expect(events[0]).toMatchObject({ service: 'query-svc', level: 'error', severity_number: 17 });
  });

  it('serves the console with deep-link fallback but never for /api', async () => {
    const dist = join(t.dir, 'dist');
    mkdirSync(join(dist, 'assets'), { recursive: true });
    writeFileSync(join(dist, 'index.html'), '<!doctype html><title>Vigil</title>');
    writeFileSync(join(dist, 'assets', 'app.js'), 'console.log(1)');
    const { createHub } = await import('../src/app.ts');
    const { parseHubConfig } = await import('../src/config.ts');
    const pino = (await import('pino')).default;
    const hub = await createHub(parseHubConfig({ VIGIL_DATA_DIR: join(t.dir, 'ui-hub') }), {
      logger: pino({ level: 'silent' }),
      uiDistDir: dist,
    });
    try {
      const page = await hub.query.inject({ url: '/traces/abc123' });
      expect(page.statusCode).toBe(200);
      expect(page.headers['content-type']).toContain('text/html');
      expect(page.body).toContain('<title>Vigil</title>');
      const asset = await hub.query.inject({ url: '/assets/app.js' });
      expect(asset.headers['content-type']).toContain('javascript');
      expect((await hub.query.inject({ url: '/assets/missing.js' })).statusCode).toBe(404);
      expect((await hub.query.inject({ url: '/../../etc/passwd' })).body).not.toContain('root:');
      const api = await hub.query.inject({ url: '/api/unknown' });
      expect(api.statusCode).toBe(404);
      expect(api.json().error.code).toBe('ROUTE_NOT_FOUND');
    } finally {
      await hub.close();
    }
  });
});
