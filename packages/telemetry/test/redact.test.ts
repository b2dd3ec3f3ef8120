import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createTelemetry } from '../src/index.ts';
import {
  isSensitiveKey,
  REDACTED,
  REDACTED_CARD,
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
