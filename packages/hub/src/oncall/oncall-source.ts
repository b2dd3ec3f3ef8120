import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { loadOncallDir, type OncallConfig } from './oncall-config.ts';

/** Where a rejected edit is reported. */
export interface OncallLogger {
  error(obj: Record<string, unknown>, msg: string): void;
}

/** monitoring/oncall/*.yaml, re-read when a file changes; a bad edit keeps the last good config. */
export class OncallSource {
  readonly dir: string;
  #stamp = '';
  #checked = 0;
  config: OncallConfig | undefined;
  error: Error | undefined;
  readonly #logger: OncallLogger;
  /** Called with each newly loaded good config (the escalation thread gets its copy this way). */
  onChange: ((config: OncallConfig) => void) | undefined;

  constructor(dir: string, logger: OncallLogger) {
    this.dir = dir;
    this.#logger = logger;
  }

  current(): OncallConfig | undefined {
    const now = Date.now();
    if (now - this.#checked < 500 && this.#stamp) return this.config; // a readdir + stats, 2×/s at most
    this.#checked = now;
    let stamp: string;
    try {
      stamp = JSON.stringify(
        readdirSync(this.dir)
          .filter((f) => /\.ya?ml$/.test(f))
          .map((f) => [f, statSync(join(this.dir, f)).mtimeMs]),
      );
    } catch {
      stamp = 'missing';
    }
    if (stamp === this.#stamp) return this.config;
    this.#stamp = stamp;
    try {
      this.config = loadOncallDir(this.dir);
      this.error = undefined;
      this.onChange?.(this.config);
    } catch (err) {
      this.error = err as Error;
      this.#logger.error(
        { problems: (err as Error).message },
        'on-call config rejected; keeping the last good one',
      );
    }
    return this.config;
  }
}
