import { spawn } from 'node:child_process';

export interface PromtoolResult {
  readonly code: number | null;
  /** Everything promtool printed (lint findings); empty when the exposition is clean. */
  readonly output: string;
}

/** Runs `promtool check metrics` on a Prometheus text exposition (needs the Debian `prometheus` package). */
export function promtoolCheckMetrics(exposition: string, timeoutMs = 15_000): Promise<PromtoolResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('promtool', ['check', 'metrics'], { stdio: ['pipe', 'pipe', 'pipe'] });
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
    child.stdin.end(exposition);
  });
}
