import { accessSync, constants } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';

/** Absolute path of an executable `cmd` (a name looked up on PATH, or a path), or undefined. */
export function which(cmd: string, path: string = process.env.PATH ?? ''): string | undefined {
  const candidates =
    isAbsolute(cmd) || cmd.includes('/') ? [cmd] : path.split(delimiter).map((d) => join(d, cmd));
  for (const candidate of candidates) {
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {}
  }
  return undefined;
}
