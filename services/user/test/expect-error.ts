import { expect } from 'vitest';

interface Res {
  statusCode: number;
  headers: Record<string, unknown>;
  json(): unknown;
}

/** Asserts the shared error contract: status, code, optional field name, and a trace id. */
export function expectError(res: Res, status: number, code: string, field?: string): void {
  expect(res.statusCode).toBe(status);
  const body = res.json() as { error: { code: string; message: string } };
  expect(body.error.code).toBe(code);
  expect(typeof body.error.message).toBe('string');
  if (field) expect(body.error.message.startsWith(`${field}:`), body.error.message).toBe(true);
  expect(res.headers['x-trace-id']).toMatch(/^[0-9a-f]{32}$/);
}
