import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';

/**
 * The test profile's intervals (tests, and `vigil start` with VIGIL_MONITORING_PROFILE=test):
 * every timing in a detection bound comes from here.
 */
export const TEST_PROFILE = {
  scrapeInterval: '1s',
  evaluationInterval: '1s',
  alertFor: '2s',
  timings: { groupWait: '1s', groupInterval: '1s', repeatInterval: '1h' },
  /**
   * Range windows of the rules `vigil start` renders in the test profile (longer ones, such as the
   * SLOs' 30m-6h burn windows, stay): an alert on a 5 m rate takes up to 5 m to clear after the
   * fault, longer than the short gameday can wait for every experiment to recover.
   */
  windows: { '5m': '30s', '1m': '20s' } as Readonly<Record<string, string>>,
} as const;

type RuleFile = {
  groups?: Array<{ interval?: string; rules?: Array<{ alert?: string; for?: string; expr?: unknown }> }>;
};

/**
 * The test profile's transform of a real rules file: every alert's `for` becomes `forDuration`
 * and group intervals are dropped so the (short) global evaluation interval applies. The
 * expressions and labels are untouched, so the end-to-end test exercises the real rules.
 */
export function shortenRules(
  source: string,
  forDuration: string,
  windows: Readonly<Record<string, string>> = {},
): string {
  const rules = parse(source) as RuleFile;
  for (const group of rules.groups ?? []) {
    delete group.interval;
    for (const rule of group.rules ?? []) {
      if (rule.alert !== undefined && rule.for !== undefined) rule.for = forDuration;
      if (typeof rule.expr === 'string') rule.expr = shortenWindows(rule.expr, windows);
    }
  }
  return stringify(rules);
}

/** Rewrites the range of every `[5m]`-style selector (and subquery range) found in `windows`. */
export function shortenWindows(expr: string, windows: Readonly<Record<string, string>>): string {
  return expr.replace(/\[(\w+)(:\w*)?\]/g, (all, range: string, step: string | undefined) =>
    windows[range] ? `[${windows[range]}${step ?? ''}]` : all,
  );
}

/** Copies every rule file of `sourceDir` into `dir` with each `for` shortened; returns the files written. */
export function writeShortenedRules(
  sourceDir: string,
  dir: string,
  forDuration: string = TEST_PROFILE.alertFor,
  windows: Readonly<Record<string, string>> = {},
): string[] {
  mkdirSync(dir, { recursive: true });
  let files: string[] = [];
  try {
    files = readdirSync(sourceDir).filter((f) => f.endsWith('.yml'));
  } catch {}
  for (const file of files)
    writeFileSync(
      join(dir, file),
      shortenRules(readFileSync(join(sourceDir, file), 'utf8'), forDuration, windows),
    );
  return files;
}
