export type HealthCheck = () => unknown | Promise<unknown>;

export interface CheckResult {
  name: string;
  status: 'ok' | 'failing';
  duration_ms: number;
  error?: string;
}

export interface Readiness {
  ready: boolean;
  status: 'ok' | 'failing' | 'shutting_down';
  checks: CheckResult[];
}

export interface Health {
  /** Register a readiness check: throwing, rejecting or exceeding the timeout means failing. */
  addCheck(name: string, check: HealthCheck): void;
  removeCheck(name: string): void;
  /** Readiness turns 503 from now on (the first step of shutdown). */
  markShuttingDown(): void;
  readonly shuttingDown: boolean;
  readiness(): Promise<Readiness>;
}

const TIMED_OUT = Symbol('timed out');

async function runCheck(name: string, check: HealthCheck, timeoutMs: number): Promise<CheckResult> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    const outcome = await Promise.race([
      Promise.resolve().then(check),
      new Promise((resolve) => {
        timer = setTimeout(resolve, timeoutMs, TIMED_OUT);
      }),
    ]);
    const duration_ms = Math.round((performance.now() - started) * 100) / 100;
    if (outcome === TIMED_OUT)
      return { name, status: 'failing', duration_ms, error: `timed out after ${timeoutMs} ms` };
    return { name, status: 'ok', duration_ms };
  } catch (err) {
    const duration_ms = Math.round((performance.now() - started) * 100) / 100;
    // The message names what failed; stacks and internals stay in the logs.
    return { name, status: 'failing', duration_ms, error: err instanceof Error ? err.message : String(err) };
  } finally {
    clearTimeout(timer);
  }
}

export function createHealth(timeoutMs: number): Health {
  const checks = new Map<string, HealthCheck>();
  let shuttingDown = false;
  return {
    addCheck(name, check) {
      checks.set(name, check);
    },
    removeCheck(name) {
      checks.delete(name);
    },
    markShuttingDown() {
      shuttingDown = true;
    },
    get shuttingDown() {
      return shuttingDown;
    },
    async readiness() {
      const results = await Promise.all([...checks].map(([name, check]) => runCheck(name, check, timeoutMs)));
      if (shuttingDown) return { ready: false, status: 'shutting_down', checks: results };
      const ready = results.every((r) => r.status === 'ok');
      return { ready, status: ready ? 'ok' : 'failing', checks: results };
    },
  };
}
