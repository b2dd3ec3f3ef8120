import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { waitFor } from '@vigil/service-kit/testing';

const FIXTURE = fileURLToPath(new URL('../fixtures/fixture-service.ts', import.meta.url));

export interface FixtureProcess {
  url: string;
  child: ChildProcess;
  /** Parsed JSON log lines from stdout (non-JSON lines are kept in `raw`). */
  logs: Record<string, unknown>[];
  raw: string[];
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stop(): Promise<void>;
}

/** Starts the fixture service with `node` on a free port and waits until it listens. */
export async function startFixture(env: Record<string, string>): Promise<FixtureProcess> {
  const child = spawn(process.execPath, [FIXTURE], {
    env: { PATH: process.env.PATH ?? '', PORT: '0', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: Record<string, unknown>[] = [];
  const raw: string[] = [];
  let pending = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    pending += chunk;
    let newline = pending.indexOf('\n');
    while (newline !== -1) {
      const line = pending.slice(0, newline);
      pending = pending.slice(newline + 1);
      try {
        logs.push(JSON.parse(line));
      } catch {
        raw.push(line);
      }
      newline = pending.indexOf('\n');
    }
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => raw.push(chunk));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  let exited = false;
  void exit.then(() => {
    exited = true;
  });
  const started = await Promise.race([
    waitFor(() => logs.find((l) => l.event === 'service_started'), {
      timeoutMs: 20_000,
      description: 'fixture to listen',
    }),
    exit.then(({ code }) => {
      throw new Error(`fixture exited (${code}) before listening: ${raw.join('\n')}`);
    }),
  ]);
  return {
    url: String(started.address),
    child,
    logs,
    raw,
    exit,
    async stop() {
      if (!exited) {
        child.kill('SIGKILL');
        await exit;
      }
    },
  };
}
