import { spawn } from 'node:child_process';
import { repoRoot } from './repo-root.ts';

export interface PromtoolResult {
  readonly code: number | null;
  /** Everything promtool printed (lint findings); empty when the exposition is clean. */
  readonly output: string;
}

/** Runs `promtool check metrics` on a Prometheus text exposition (needs the Debian `prometheus` package). */
export function promtoolCheckMetrics(exposition: string, timeoutMs = 15_000): Promise<PromtoolResult> {
  return run('promtool', ['check', 'metrics'], exposition, timeoutMs);
}

/**
 * The minimal transformation that lets Debian's promtool 2.42 (text format only; it refuses
 * exemplars) lint an OpenMetrics exposition: exemplars (` # {…} value [ts]`), `# UNIT` lines and
 * the `# EOF` terminator are dropped, and a counter family's HELP/TYPE name gets the `_total` its
 * samples carry (OpenMetrics names the family `foo`, the text format `foo_total`). Every sample
 * stays as it is. What it removes or renames is what checkOpenMetrics validates.
 */
export function openMetricsForPromtool(exposition: string): string {
  const counters = new Set(
    [...exposition.matchAll(/^# TYPE (\S+) counter$/gm)]
      .map((m) => m[1]!)
      .filter((n) => !n.endsWith('_total')),
  );
  return exposition
    .split('\n')
    .filter((line) => line !== '# EOF' && !line.startsWith('# UNIT '))
    .map((line) => {
      const meta = /^# (HELP|TYPE) (\S+)( .*)?$/.exec(line);
      if (meta) return counters.has(meta[2]!) ? `# ${meta[1]} ${meta[2]}_total${meta[3] ?? ''}` : line;
      return line.startsWith('#') ? line : line.replace(/ # \{.*$/, '');
    })
    .join('\n');
}

/**
 * Strict OpenMetrics 1.0 parse of an exposition (scripts/check-openmetrics.py: the parser of the
 * Prometheus Python client, Debian python3-prometheus-client): `# EOF`, counters' `_total`,
 * exemplars only where allowed, one block per family. Output: the counts, or the parser's error.
 */
export function checkOpenMetrics(exposition: string, timeoutMs = 15_000): Promise<PromtoolResult> {
  return run('/usr/bin/python3', [`${repoRoot}/scripts/check-openmetrics.py`], exposition, timeoutMs);
}

function run(cmd: string, args: string[], input: string, timeoutMs: number): Promise<PromtoolResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (c: Buffer) => {
      output += c.toString('utf8');
    });
    child.stderr.on('data', (c: Buffer) => {
      output += c.toString('utf8');
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output: output.trim() });
    });
    child.stdin.end(input);
  });
}
