import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  encodeTraces,
  getJson,
  postOtlp,
  randomHex,
  type SpanSpec,
  startTestHub,
  type TestHub,
} from './helpers.ts';

// Case by case against the Jaeger query service's HTTP handlers (jaegertracing/jaeger,
// cmd/jaeger/internal/extension/jaegerquery/internal/{http_handler,query_parser,default_params}.go
// as of the last release with the v1 search API): each expectation names the Go behaviour it mirrors.

let t: TestHub;
const MS = 1_000_000n;
const HOUR = 3_600_000n * MS;
const now = BigInt(Date.now()) * MS;
const ids = {
  fast: randomHex(16),
  mid: randomHex(16),
  slow: randomHex(16),
  h47: randomHex(16),
  h49: randomHex(16),
  dep: randomHex(16),
  depOld: randomHex(16),
};

async function post(service: string, spans: SpanSpec[]) {
  const r = await postOtlp(`${t.otlpUrl}/v1/traces`, encodeTraces(service, spans));
  expect(r.status).toBe(200);
}

beforeAll(async () => {
  t = await startTestHub();
  await post('parity', [
    {
      traceId: ids.fast,
      spanId: randomHex(8),
      name: 'fast',
      durationNs: 1n * MS,
      attributes: { 'http.route': '/a', 'peer.url': 'http://x:1/y', level: 'gold' },
    },
    {
      traceId: ids.mid,
      spanId: randomHex(8),
      name: 'mid',
      durationNs: 10n * MS,
      attributes: { 'http.route': '/b', level: 'gold' },
    },
    {
      traceId: ids.slow,
      spanId: randomHex(8),
      name: 'slow',
      durationNs: 100n * MS,
      attributes: { 'http.route': '/a', level: 'silver' },
    },
    { traceId: ids.h47, spanId: randomHex(8), name: 'old', startNs: now - 47n * HOUR, durationNs: 300n * MS },
    { traceId: ids.h49, spanId: randomHex(8), name: 'old', startNs: now - 49n * HOUR, durationNs: 300n * MS },
  ]);
  // 101 more traces for the default limit.
  await post(
    'many',
    Array.from({ length: 101 }, () => ({ traceId: randomHex(16), spanId: randomHex(8), name: 'bulk' })),
  );
  // Dependencies: front → back, one hour ago (twice, as two traces), and 25 h ago.
  for (const [trace, at] of [
    [ids.dep, now - HOUR],
    [randomHex(16), now - HOUR],
    [ids.depOld, now - 25n * HOUR],
  ] as const) {
    const parent = randomHex(8);
    await post('front', [{ traceId: trace, spanId: parent, name: 'GET /', startNs: at }]);
    await post('back', [
      { traceId: trace, spanId: randomHex(8), parentSpanId: parent, name: 'GET /x', startNs: at + MS },
    ]);
  }
}, 60_000);
afterAll(async () => {
  await t?.close();
});

const api = (q: string) => getJson(`${t.apiUrl}/api/${q}`);
const traceIds = (body: { data: { traceID: string }[] }) => body.data.map((tr) => tr.traceID).sort();
const search = (q: string) => api(`traces?${q}`);

/** http_handler.go handleError: http.Error with a structuredResponse holding one error. */
function expectJaegerError(r: { status: number; body: any }, msg: string | RegExp) {
  expect(r.status).toBe(400);
  expect(r.body).toMatchObject({ data: null, total: 0, limit: 0, offset: 0 });
  expect(r.body.errors).toHaveLength(1);
  expect(r.body.errors[0].code).toBe(400);
  if (typeof msg === 'string') expect(r.body.errors[0].msg).toBe(msg);
  else expect(r.body.errors[0].msg).toMatch(msg);
}

describe('Jaeger parity: /api/traces', () => {
  it('traceID= (repeated) returns exactly those traces, ignores the other filters, names the missing ones', async () => {
    const missing = randomHex(16);
    const r = await search(
      `traceID=${ids.fast}&traceID=${ids.slow}&traceID=${missing}&service=nobody&minDuration=1h`,
    );
    expect(r.status).toBe(200);
    expect(traceIds(r.body)).toEqual([ids.fast, ids.slow].sort());
    // tracesByIDs: a structuredError without code per missing id (ErrTraceNotFound).
    expect(r.body.errors).toEqual([{ msg: 'trace not found', traceID: missing }]);
    expect(r.body).toMatchObject({ total: 0, limit: 0, offset: 0 });
    // Leading zeros may be left out (model.TraceIDFromString).
    const short = ids.fast.replace(/^0+/, '');
    expect(traceIds((await search(`traceID=${short}`)).body)).toEqual([ids.fast]);
  });

  it("an unparsable traceID is a 400 in the error envelope, with model.TraceIDFromString's message", async () => {
    expectJaegerError(
      await search('traceID=xyz'),
      'cannot parse traceID param: strconv.ParseUint: parsing "xyz": invalid syntax',
    );
    // More than 16 characters: the high part (all but the last 16) is parsed first, then the low part.
    expectJaegerError(
      await search(`traceID=g${'a'.repeat(16)}`),
      'cannot parse traceID param: strconv.ParseUint: parsing "g": invalid syntax',
    );
    expectJaegerError(
      await search(`traceID=${'a'.repeat(15)}z${'b'.repeat(4)}`),
      `cannot parse traceID param: strconv.ParseUint: parsing "${'a'.repeat(11)}zbbbb": invalid syntax`,
    );
    expectJaegerError(
      await search(`traceID=${'a'.repeat(33)}`),
      `cannot parse traceID param: TraceID cannot be longer than 32 hex characters: ${'a'.repeat(33)}`,
    );
    expectJaegerError(
      await search('traceID='),
      'cannot parse traceID param: strconv.ParseUint: parsing "": invalid syntax',
    );
    // All zeros parses in Jaeger: no such trace, named in errors (status 200).
    const zero = await search('traceID=0');
    expect(zero.status).toBe(200);
    expect(zero.body.data).toEqual([]);
    expect(zero.body.errors).toEqual([{ msg: 'trace not found', traceID: '0000000000000000' }]);
  });

  it('tags= (JSON, repeatable) and tag=k:v (repeatable) filter; every pair must match', async () => {
    const tags = (o: object) => `tags=${encodeURIComponent(JSON.stringify(o))}`;
    expect(traceIds((await search(`service=parity&${tags({ level: 'gold' })}`)).body)).toEqual(
      [ids.fast, ids.mid].sort(),
    );
    expect(
      traceIds((await search(`service=parity&${tags({ level: 'gold', 'http.route': '/a' })}`)).body),
    ).toEqual([ids.fast]);
    expect(traceIds((await search(`service=parity&tag=level:gold&tag=http.route:/b`)).body)).toEqual([
      ids.mid,
    ]);
    // parseTags: split on ':' and re-join the rest, so a value may contain ':'.
    expect(
      traceIds((await search(`service=parity&tag=${encodeURIComponent('peer.url:http://x:1/y')}`)).body),
    ).toEqual([ids.fast]);
    // tag= and tags= together (merged into one map).
    expect(
      traceIds((await search(`service=parity&tag=level:gold&${tags({ 'http.route': '/b' })}`)).body),
    ).toEqual([ids.mid]);
  });

  it("malformed tag/tags answer 400 with Jaeger's messages", async () => {
    expectJaegerError(
      await search('tag=level'),
      "malformed 'tag' parameter, expecting key:value, received: level",
    );
    expectJaegerError(
      await search('tags=%7Bnot-json'),
      /^malformed 'tags' parameter, cannot unmarshal JSON: /,
    );
    // map[string]string: a number is not a string.
    expectJaegerError(
      await search(`tags=${encodeURIComponent('{"http.response.status_code":500}')}`),
      /^malformed 'tags' parameter, cannot unmarshal JSON: /,
    );
  });

  it('minDuration / maxDuration take Go durations and bound the span duration', async () => {
    expect(traceIds((await search('service=parity&minDuration=5ms&maxDuration=50ms')).body)).toEqual([
      ids.mid,
    ]);
    expect(traceIds((await search('service=parity&minDuration=0.05s&maxDuration=150ms')).body)).toEqual([
      ids.slow,
    ]);
    expect(traceIds((await search('service=parity&maxDuration=1500us')).body)).toEqual([ids.fast]);
    expectJaegerError(
      await search('minDuration=10'),
      `unable to parse param 'minDuration': time: missing unit in duration "10"`,
    );
    expectJaegerError(
      await search('maxDuration=1d'),
      `unable to parse param 'maxDuration': time: unknown unit "d" in duration "1d"`,
    );
    expectJaegerError(
      await search('minDuration=1s&maxDuration=10ms'),
      "'maxDuration' should be greater than 'minDuration'",
    );
  });

  it('defaults: limit 100, start = now - 2 days, end = now', async () => {
    expect((await search('service=many')).body.data).toHaveLength(100);
    expect((await search('service=many&limit=101')).body.data).toHaveLength(101);
    const old = traceIds((await search('service=parity&operation=old')).body);
    expect(old).toEqual([ids.h47]);
    const start = (now - 50n * HOUR) / 1000n;
    expect(traceIds((await search(`service=parity&operation=old&start=${start}`)).body)).toEqual(
      [ids.h47, ids.h49].sort(),
    );
    // end before the spans: nothing (Jaeger does not reject start > end either).
    const end = (now - 48n * HOUR) / 1000n;
    expect(traceIds((await search(`service=parity&operation=old&start=${start}&end=${end}`)).body)).toEqual([
      ids.h49,
    ]);
  });

  it('the first value of a repeated single parameter wins (url.Values.Get); unknown parameters are ignored', async () => {
    expect(
      traceIds((await search('service=parity&service=many&operation=mid&prettyPrint=true&raw=false')).body),
    ).toEqual([ids.mid]);
  });

  it('a search without service (Jaeger: 400 "parameter \'service\' is required") searches every service — a documented Vigil extension the console uses', async () => {
    const r = await search(`operation=fast&tags=${encodeURIComponent('{"level":"gold"}')}`);
    expect(r.status).toBe(200);
    expect(traceIds(r.body)).toEqual([ids.fast]);
    expect((await search('operation=bulk&limit=7')).body.data).toHaveLength(7);
  });

  it('unparsable start/end/limit answer 400 with strconv messages', async () => {
    expectJaegerError(
      await search('start=abc'),
      `unable to parse param 'start': strconv.ParseInt: parsing "abc": invalid syntax`,
    );
    expectJaegerError(
      await search('end=1.5'),
      `unable to parse param 'end': strconv.ParseInt: parsing "1.5": invalid syntax`,
    );
    expectJaegerError(await search('limit=ten'), `strconv.ParseInt: parsing "ten": invalid syntax`);
  });
});

describe('Jaeger parity: other endpoints', () => {
  it('/api/services and /api/services/{s}/operations set total; /api/traces/{id} 404 envelope', async () => {
    const services = await api('services');
    expect(services.body.total).toBe(services.body.data.length);
    expect(services.body.data).toEqual(expect.arrayContaining(['parity', 'many', 'front', 'back']));
    const ops = await api('services/parity/operations');
    expect(ops.body.total).toBe(ops.body.data.length);
    const missing = await api(`traces/${randomHex(16)}`);
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({
      data: null,
      total: 0,
      limit: 0,
      offset: 0,
      errors: [{ code: 404, msg: 'trace not found' }],
    });
  });

  it('/api/dependencies: endTs (ms) and lookback (ms, default 24 h), links summed per (parent, child), service filter', async () => {
    const nowMs = Date.now();
    const dep = async (q: string) => (await api(`dependencies?${q}`)).body;
    const day = await dep(`endTs=${nowMs}`);
    expect(day.data).toEqual([{ parent: 'front', child: 'back', callCount: 2, errorCount: 0 }]);
    expect(day).toMatchObject({ total: 0, limit: 0, offset: 0, errors: null });
    // The 25-hour-old call is inside a 26-hour lookback.
    expect((await dep(`endTs=${nowMs}&lookback=${26 * 3_600_000}`)).data[0].callCount).toBe(3);
    // A window that ends before the calls: nothing.
    expect((await dep(`endTs=${nowMs - 2 * 3_600_000}&lookback=${3_600_000}`)).data).toEqual([]);
    expect((await dep(`service=back`)).data).toHaveLength(1);
    expect((await dep(`service=parity`)).data).toEqual([]);
    expectJaegerError(
      await api('dependencies?endTs=soon'),
      `unable to parse param 'endTs': strconv.ParseInt: parsing "soon": invalid syntax`,
    );
    expectJaegerError(
      await api('dependencies?lookback=1h'),
      `unable to parse param 'lookback': strconv.ParseInt: parsing "1h": invalid syntax`,
    );
  });
});
