import { timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';

/**
 * The shared secret Alertmanager sends as `Authorization: Bearer …` (its http_config
 * credentials_file) to the webhook; the same machine credential may read the notifications back.
 */
export function readWebhookToken(file: string | undefined): Buffer | undefined {
  if (!file) return undefined;
  const token = readFileSync(file, 'utf8').trim();
  if (token.length < 16) throw new Error(`${file}: the webhook token must be at least 16 characters`);
  return Buffer.from(token);
}

/** Whether `header` is `Bearer <token>` (compared in constant time). */
export function bearerMatches(header: string | undefined, token: Buffer): boolean {
  const m = /^Bearer ([\x21-\x7e]{1,512})$/.exec(header ?? '');
  if (!m) return false;
  const given = Buffer.from(m[1]!);
  return given.length === token.length && timingSafeEqual(given, token);
}
