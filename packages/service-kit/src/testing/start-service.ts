import { type ChildProcess, spawn } from 'node:child_process';
import { isAbsolute, join } from 'node:path';
import { freePort } from './free-port.ts';
import { repoRoot } from './repo-root.ts';
import { waitFor } from './wait-for.ts';

export interface StartServiceOptions {
  /** Script to run with this Node (e.g. `services/user/src/server.ts`); relative to the repo root. */
  readonly entry: string;
  /** Extra environment; HOST=127.0.0.1 and PORT=<free port> are set unless given here. */
  readonly env?: Record<string, string | undefined>;
  /** Path polled until it answers 200 (default `/health/ready`). */
  readonly readyPath?: string;
  /** Deadline for readiness (default 20 s). */
  readonly timeoutMs?: number;
}

export interface ExitResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface RunningService {
  readonly url: string;
  readonly port: number;
  readonly child: ChildProcess;
  /** stdout + stderr captured so far. */
  output(): string;
  /** Resolves when the process exits (already-exited processes resolve at once). */
  exited(): Promise<ExitResult>;
  /** Sends `signal` (default SIGTERM) and waits for exit; SIGKILLs after `timeoutMs` (default 10 s). */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<ExitResult>;
}

const running = new Set<RunningService>();

function resolveEntry(entry: string): string {
  return isAbsolute(entry) ? entry : join(repoRoot, entry);
}

function childEnv(port: number, extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  // Inherit PATH etc., but never the parent's service settings, so a running stack cannot leak in.
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of ['PORT', 'HOST', 'OTEL_EXPORTER_OTLP_ENDPOINT', 'VIGIL_DATA_DIR', 'NODE_OPTIONS'])
    delete env[key];
  env.HOST = '127.0.0.1';
  env.PORT = String(port);
  for (const [key, value] of Object.entries(extra)) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  return env;
}

function trackExit(child: ChildProcess): Promise<ExitResult> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) {
      resolve({ code: child.exitCode, signal: child.signalCode });
      return;
    }
    // 'close' (not 'exit') so output written just before exiting has been captured.
    child.once('close', (code, signal) => resolve({ code, signal }));
  });
}

/**
 * Spawns `node <entry>` on a free port and waits until `readyPath` answers 200.
 * Call `stop()` (or `stopAllServices()` in afterAll) to end it.
 */
export async function startService(options: StartServiceOptions): Promise<RunningService> {
  const port = options.env?.PORT ? Number(options.env.PORT) : await freePort();
  const child = spawn(process.execPath, [resolveEntry(options.entry)], {
    cwd: repoRoot,
    env: childEnv(port, options.env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let captured = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    captured += chunk.toString('utf8');
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    captured += chunk.toString('utf8');
  });
  const exit = trackExit(child);
  const url = `http://127.0.0.1:${port}`;
  const service: RunningService = {
    url,
    port,
    child,
    output: () => captured,
    exited: () => exit,
    async stop(signal = 'SIGTERM', timeoutMs = 10_000) {
      running.delete(service);
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      try {
        return await exit;
      } finally {
        clearTimeout(timer);
      }
    },
  };
  running.add(service);
  const readyPath = options.readyPath ?? '/health/ready';
  // A process that dies before it is ready fails the wait at once instead of at the deadline.
  const died = new AbortController();
  void exit.then(({ code, signal }) =>
    died.abort(new Error(`process exited early (code ${code}, signal ${signal})`)),
  );
  try {
    await waitFor(
      async () => {
        const res = await fetch(url + readyPath, { signal: AbortSignal.timeout(1000) });
        await res.arrayBuffer();
        return res.status === 200;
      },
      {
        timeoutMs: options.timeoutMs ?? 20_000,
        intervalMs: 100,
        description: `${options.entry} ready at ${url}${readyPath}`,
        signal: died.signal,
      },
    );
  } catch (err) {
    await service.stop('SIGKILL');
    throw new Error(`${(err as Error).message}\n--- output ---\n${captured.slice(-4000)}`);
  }
  return service;
}

/** Stops every service started by startService in this process that is still running. */
export async function stopAllServices(): Promise<void> {
  await Promise.all([...running].map((service) => service.stop()));
}

export interface RunToExitResult extends ExitResult {
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `node <entry>` expecting it to exit by itself (e.g. on bad config); kills it after `timeoutMs`. */
export function runToExit(
  entry: string,
  env: Record<string, string | undefined> = {},
  timeoutMs = 15_000,
): Promise<RunToExitResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [resolveEntry(entry)], {
      cwd: repoRoot,
      env: childEnv(Number(env.PORT ?? 0), env),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString('utf8');
    });
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString('utf8');
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}
