import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createTelemetry } from '../src/index.ts';
import { redactedUrlAttributes } from '../src/process-globals.ts';
import {
  isSensitiveKey,
  REDACTED,
  REDACTED_CARD,
  redactQuery,
  redactString,
  redactUrl,
  redactValue,
} from '../src/redact.ts';

function capturingTelemetry() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk, _encoding, callback) {
      for (const line of String(chunk).split('\n')) if (line) lines.push(JSON.parse(line));
      callback();
    },
  });
  const telemetry = createTelemetry({
    service: 'redact-test',
    version: '1',
    env: {},
    logDestination: destination,
  });
  return { telemetry, lines };
}

describe('redactString', () => {
  it('replaces Luhn-valid card numbers inside free text, with or without separators', () => {
    expect(redactString('charged 4111111111111111 ok')).toBe(`charged ${REDACTED_CARD} ok`);
    expect(redactString('card 4111 1111 1111 1111.')).toBe(`card ${REDACTED_CARD}.`);
    expect(redactString('amex 3782-822463-10005 end')).toBe(`amex ${REDACTED_CARD} end`);
  });

  it('catches card numbers glued to letters or split by any separators', () => {
    expect(redactString('ref4111111111111111x')).toBe(`ref${REDACTED_CARD}x`);
    expect(redactString('/orders/4111.1111.1111.1111/x')).toBe(`/orders/${REDACTED_CARD}/x`);
    expect(redactString('q=4111/1111/1111/1111&a=1')).toBe(`q=${REDACTED_CARD}&a=1`);
    expect(redactString('n:4111_1111_1111_1111')).toBe(`n:${REDACTED_CARD}`);
    expect(redactString('id 5555,5555,5555,4444 end')).toBe(`id ${REDACTED_CARD} end`);
  });

  it('redactUrl decodes percent-encoding before the scan and keeps clean URLs as they are', () => {
    expect(redactUrl('/products/4111%201111%201111%201111')).toBe(`/products/${REDACTED_CARD}`);
    expect(redactUrl('http://h:1/p?card=4111%2F1111%2F1111%2F1111')).toBe(
      `http://h:1/p?card=${REDACTED_CARD}`,
    );
    expect(redactUrl('/products/12?q=a%20b')).toBe('/products/12?q=a%20b');
    expect(redactUrl('/bad%zz/4111111111111111')).toBe(`/bad%zz/${REDACTED_CARD}`);
  });

  it("redactQuery keeps each key and redacts the values of the semantic conventions' signed-URL keys, secret-named keys and card numbers", () => {
    // The url registry's default list (case-sensitive), AWS SigV4 presigned URLs, and our own sensitive keys.
    expect(redactQuery('q=OpenTelemetry&sig=abc')).toBe(`q=OpenTelemetry&sig=${REDACTED}`);
    expect(redactQuery('AWSAccessKeyId=AKIA1&Signature=s%2Bx&Expires=1')).toBe(
      `AWSAccessKeyId=${REDACTED}&Signature=${REDACTED}&Expires=1`,
    );
    expect(redactQuery('X-Goog-Signature=ab12&X-Goog-Date=20260101')).toBe(
      `X-Goog-Signature=${REDACTED}&X-Goog-Date=20260101`,
    );
    expect(redactQuery('X-Amz-Credential=AKIA%2F2026&X-Amz-Signature=ff&X-Amz-Security-Token=t')).toBe(
      `X-Amz-Credential=${REDACTED}&X-Amz-Signature=${REDACTED}&X-Amz-Security-Token=${REDACTED}`,
    );
    expect(redactQuery('access_token=abc&api-key=k&password=p')).toBe(
      `access_token=${REDACTED}&api-key=${REDACTED}&password=${REDACTED}`,
    );
    expect(redactQuery('card=4111+1111+1111+1111&n=4111-1111-1111-1111')).toBe(
      `card=${REDACTED_CARD}&n=${REDACTED_CARD}`,
    );
    expect(redactQuery('q=a%20b&page=2&flag')).toBe('q=a%20b&page=2&flag');
  });

  it("an outgoing request's url.full and url.query are redacted like a server span's url.query", () => {
    expect(redactedUrlAttributes('http://127.0.0.1:8004', '/payments?order_id=7&sig=abc&token=t')).toEqual({
      'url.full': `http://127.0.0.1:8004/payments?order_id=7&sig=${REDACTED}&token=${REDACTED}`,
      'url.path': '/payments',
      'url.query': `?order_id=7&sig=${REDACTED}&token=${REDACTED}`,
    });
    expect(redactedUrlAttributes('http://h:1', '/p/4111%201111%201111%201111?card=4111111111111111')).toEqual(
      {
        'url.full': `http://h:1/p/${REDACTED_CARD}?card=${REDACTED_CARD}`,
        'url.path': `/p/${REDACTED_CARD}`,
        'url.query': `?card=${REDACTED_CARD}`,
      },
    );
    expect(redactedUrlAttributes('http://h:1', '/products/12')).toEqual({
      'url.full': 'http://h:1/products/12',
      'url.path': '/products/12',
      'url.query': '',
    });
  });

  it('leaves digit runs that are not card numbers alone', () => {
    expect(redactString('logged at 2026-12-01 20:43:28.123 by 7')).toBe(
      'logged at 2026-12-01 20:43:28.123 by 7',
    );
    expect(redactString('order 4111111111111112 failed')).toBe('order 4111111111111112 failed'); // Luhn fails
    expect(redactString('took 1234 ms at 2026-11-24T10:00:00Z')).toBe('took 1234 ms at 2026-11-24T10:00:00Z');
  });

  it('masks email local parts and bearer credentials', () => {
    expect(redactString('mail to john.doe@example.com now')).toBe('mail to j***@example.com now');
    expect(redactString('Authorization: Bearer abc.def-123')).toBe(`Authorization: Bearer ${REDACTED}`);
    expect(redactString('j***@example.com')).toBe('j***@example.com');
  });
});

describe('redactValue', () => {
  it('redacts sensitive keys at any depth, including arrays, and scrubs nested strings', () => {
    const input = {
      user: { email: 'alice@example.com', password: 'hunter2', profile: { apiKey: 'k-1' } },
      payment: { card_number: '4242424242424242', cvv: '123', note: 'paid with 5555 5555 5555 4444' },
      headers: { Authorization: 'Bearer secret-token', cookie: 'sid=1', 'x-request-id': 'r-1' },
      items: [{ token: 't' }, 'contact bob@example.org'],
      amount: 42,
    };
    expect(redactValue(input)).toEqual({
      user: { email: 'a***@example.com', password: REDACTED, profile: { apiKey: REDACTED } },
      payment: { card_number: REDACTED, cvv: REDACTED, note: `paid with ${REDACTED_CARD}` },
      headers: { Authorization: REDACTED, cookie: REDACTED, 'x-request-id': 'r-1' },
      items: [{ token: REDACTED }, 'contact b***@example.org'],
      amount: 42,
    });
    expect(input.user.password).toBe('hunter2'); // the caller's object is not mutated
  });

  it('returns the same object when nothing needs redacting, and survives cycles and depth', () => {
    const clean = { a: 1, b: 'plain', c: [1, 2] };
    expect(redactValue(clean)).toBe(clean);
    const cyclic: Record<string, unknown> = { name: 'x' };
    cyclic.self = cyclic;
    expect(redactValue(cyclic)).toEqual({ name: 'x', self: '[Circular]' });
    let deep: Record<string, unknown> = { leaf: true };
    for (let i = 0; i < 20; i++) deep = { next: deep };
    expect(JSON.stringify(redactValue(deep))).toContain('[Truncated]');
  });

  it('turns errors into plain records with scrubbed message and stack', () => {
    const out = redactValue(new TypeError('card 4111111111111111 declined')) as TypeError;
    expect(out).toBeInstanceOf(TypeError);
    expect(out.message).toBe(`card ${REDACTED_CARD} declined`);
    expect(String(out.stack)).not.toContain('4111111111111111');
  });

  it('matches key names regardless of case and separators', () => {
    for (const key of [
      'password',
      'PASSWORD',
      'api-key',
      'api_key',
      'apiKey',
      'x-api-key',
      'CVC',
      'set-cookie',
      'client_secret',
      'access_token',
      'cardNumber',
    ]) {
      expect(isSensitiveKey(key), key).toBe(true);
    }
    for (const key of ['id', 'status', 'route', 'email', 'amount'])
      expect(isSensitiveKey(key), key).toBe(false);
  });
});

describe('logger redaction', () => {
  it('applies to message strings, printf arguments, merged objects, errors and child bindings', () => {
    const { telemetry, lines } = capturingTelemetry();
    const log = telemetry.logger;
    log.info('customer paid with 4111 1111 1111 1111');
    log.info(
      { payment: { cvv: '999', card: { number: '5555555555554444' } }, email: 'jane@shop.test' },
      'charge',
    );
    log.warn('retry for %s', 'carol@example.com');
    log.error(new Error('declined 4012888888881881'));
    log.child({ token: 'abc', tenant: 't1' }).info({ authorization: 'Basic dXNlcjpwYXNz' }, 'child');
    const text = JSON.stringify(lines);
    for (const secret of [
      '4111 1111 1111 1111',
      '999',
      '5555555555554444',
      'jane@',
      'carol@',
      '4012888888881881',
      'dXNlcjpwYXNz',
      '"abc"',
    ]) {
      expect(text).not.toContain(secret);
    }
    expect(lines[0]?.msg).toBe(`customer paid with ${REDACTED_CARD}`);
    expect(lines[1]).toMatchObject({
      payment: { cvv: REDACTED, card: { number: REDACTED_CARD } },
      email: 'j***@shop.test',
    });
    expect(lines[2]?.msg).toBe('retry for c***@example.com');
    expect(lines[3]).toMatchObject({
      level: 'error',
      msg: `declined ${REDACTED_CARD}`,
      err: { type: 'Error' },
    });
    expect(lines[4]).toMatchObject({ token: REDACTED, tenant: 't1', authorization: REDACTED, msg: 'child' });
  });

  it('writes the naming-contract fields: ISO time, string level, service, msg', () => {
    const { telemetry, lines } = capturingTelemetry();
    telemetry.logger.info({ order_id: 7 }, 'hello');
    const line = lines[0] as Record<string, unknown>;
    expect(line).toMatchObject({ level: 'info', service: 'redact-test', msg: 'hello', order_id: 7 });
    expect(new Date(String(line.time)).toISOString()).toBe(line.time);
  });
});
