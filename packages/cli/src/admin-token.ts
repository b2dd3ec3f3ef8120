import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

export interface AdminToken {
  readonly token: string;
  /** Where a generated token was stored; undefined when it came from VIGIL_ADMIN_TOKEN. */
  readonly file: string | undefined;
}

/** VIGIL_ADMIN_TOKEN when set; otherwise a fresh random token written to `file` with mode 0600. */
export function ensureAdminToken(file: string, env: NodeJS.ProcessEnv = process.env): AdminToken {
  const fromEnv = env.VIGIL_ADMIN_TOKEN;
  if (fromEnv) return { token: fromEnv, file: undefined };
  const token = randomBytes(24).toString('base64url');
  writeSecretFile(file, token);
  return { token, file };
}

/** Writes a secret readable by its owner only (mode 0600). */
export function writeSecretFile(file: string, secret: string): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  // writeFileSync keeps the mode of an existing file, so tighten it explicitly.
  chmodSync(file, 0o600);
}

/** The token other commands (e.g. `vigil fault`) send: VIGIL_ADMIN_TOKEN, else the file `vigil start` wrote. */
export function readAdminToken(file: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.VIGIL_ADMIN_TOKEN) return env.VIGIL_ADMIN_TOKEN;
  return readSecretFile(file);
}

/** A secret file's content (trimmed); undefined when it is missing or empty. */
export function readSecretFile(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

/** The hub webhook's shared secret: `vigil start` writes a fresh one (0600) each run; hub and Alertmanager read it. */
export function hubWebhookTokenFile(varDir: string): string {
  return resolve(varDir, 'run', 'hub-webhook-token');
}

export function writeFreshSecret(file: string): void {
  writeSecretFile(file, randomBytes(32).toString('base64url'));
}
