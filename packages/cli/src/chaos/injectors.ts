import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from '../paths.ts';
import { isAlive, type ProcessRef, processRef } from '../processes.ts';
import { which } from '../which.ts';
import { seconds } from './bounds.ts';
import type { Experiment } from './catalogue.ts';
import type { Injection, RollbackStep } from './chaos-state.ts';
import { promQuery } from './observe.ts';
import type { LocalStack } from './stack.ts';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** What an injector did: the rollback steps (recorded before the fault went in) and what to say. */
export interface Injected {
  readonly rollback: RollbackStep[];
  readonly description: string;
  /** Runs after the rollback steps: waits until the target is healthy again (e.g. restarted). */
  readonly settle?: () => Promise<void>;
}

/** A helper in its own process group, detached from the runner: its TTL holds if the runner dies. */
function detached(cmd: string, args: string[]): ProcessRef {
  const child = spawn(cmd, args, { detached: true, stdio: 'ignore', cwd: repoRoot });
  child.unref();
  if (!child.pid) throw new Error(`could not start ${cmd}`);
  return processRef(child.pid);
}

async function waitRestarted(
  stack: LocalStack,
  service: string,
  old: ProcessRef,
  timeoutMs = 60_000,
): Promise<ProcessRef> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    const now = stack.process(service);
    const c = stack.component(service);
    if (now && now.pid !== old.pid && isAlive(now) && c.status === 'ready') return now;
    await sleep(100);
  }
  throw new Error(`${service} was not restarted by the supervisor within ${timeoutMs / 1000} s`);
}

/** The start time Prometheus last scraped from the service (undefined before its first scrape). */
async function startTimeSeen(stack: LocalStack, service: string): Promise<string | undefined> {
  const r = await promQuery(
    stack.prometheusUrl,
    `process_start_time_seconds{job="vigil-services",service="${service}"}`,
  ).catch(() => []);
  return r[0]?.value[1];
}

async function waitScraped(
  stack: LocalStack,
  service: string,
  before: string | undefined,
  timeoutMs = 30_000,
) {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    const now = await startTimeSeen(stack, service);
    if (now !== undefined && now !== before) return;
    await sleep(200);
  }
}

async function adminPost(url: string, token: string, body: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
    // A large memory fault allocates before answering: give a busy machine time.
    signal: AbortSignal.timeout(30_000),
  });
  const json = (await res.json().catch(() => ({}))) as Record<string, unknown>;
  if (res.status !== 201)
    throw new Error(
      `POST ${url}: HTTP ${res.status} ${JSON.stringify((json as { error?: unknown }).error ?? json)}`,
    );
  return json;
}

function servicePid(stack: LocalStack, service: string): ProcessRef {
  const ref = stack.process(service);
  if (!ref || !isAlive(ref)) throw new Error(`${service} has no running process`);
  return ref;
}

const DB_FILE: Record<string, string> = {
  'user-service': 'user.sqlite',
  'product-service': 'product.sqlite',
  'order-service': 'order.sqlite',
  'payment-service': 'payment.sqlite',
  'notification-service': 'notification.sqlite',
};

/**
 * Prepares an experiment's fault: returns its rollback steps (to persist first) and a function
 * that injects it. Every fault carries the experiment's duration as its own TTL.
 */
export function planInjection(
  e: Experiment,
  stack: LocalStack,
): { rollback: RollbackStep[]; inject: () => Promise<Injected> } {
  const ttl = Math.ceil(seconds(e.duration));
  const service = e.target.service;
  const f = e.fault;
  const rollback: RollbackStep[] = [];

  if (f.kind === 'process.freeze') {
    const ref = servicePid(stack, service!);
    rollback.push({ type: 'sigcont', process: ref });
    return {
      rollback,
      inject: async () => {
        // The watchdog resumes it on the TTL even if this runner is killed.
        const watchdog = detached('sh', ['-c', `sleep ${ttl}; kill -CONT ${ref.pid}`]);
        rollback.unshift({ type: 'kill', process: watchdog, group: true });
        process.kill(ref.pid, 'SIGSTOP');
        return {
          rollback,
          description: `SIGSTOP pid ${ref.pid} (${service}); SIGCONT at the latest in ${ttl} s`,
        };
      },
    };
  }
  if (f.kind === 'process.kill' || f.kind === 'process.crashloop') {
    const kills = f.kind === 'process.kill' ? 1 : f.kills;
    return {
      rollback,
      inject: async () => {
        let ref = servicePid(stack, service!);
        const pids: number[] = [];
        process.kill(ref.pid, 'SIGKILL');
        pids.push(ref.pid);
        for (let i = 1; i < kills; i++) {
          const scrapedBefore = await startTimeSeen(stack, service!);
          ref = await waitRestarted(stack, service!, ref);
          // A crash loop's process dies shortly after it starts, not before anything saw it:
          // kill it once Prometheus has scraped it (as a crash at start-up would be).
          await waitScraped(stack, service!, scrapedBefore);
          process.kill(ref.pid, 'SIGKILL');
          pids.push(ref.pid);
        }
        return {
          rollback,
          description: `kill -9 ${service} ${kills === 1 ? `pid ${pids[0]}` : `${kills} times in a row (pids ${pids.join(', ')})`}; the supervisor restarts it`,
          settle: async () => void (await waitRestarted(stack, service!, ref)),
        };
      },
    };
  }
  if (f.kind.startsWith('network.')) {
    if (!stack.proxyUrl)
      throw new Error('the fault proxy is not running (VIGIL_FAULT_PROXY=off?); network faults need it');
    const proxyUrl = stack.proxyUrl;
    rollback.push({ type: 'proxy-clear', url: proxyUrl, route: service! });
    const { kind, ...params } = f;
    return {
      rollback,
      inject: async () => {
        await adminPost(`${proxyUrl}/faults`, stack.token, {
          route: service,
          kind: kind.slice('network.'.length),
          ...params,
          ttl_seconds: ttl,
        });
        const detail = Object.entries(params)
          .map(([k, v]) => `${k}=${v}`)
          .join(' ');
        return {
          rollback,
          description: `fault proxy: ${kind.slice('network.'.length)} ${detail} on every connection to ${service}${e.target.from ? ` (from ${e.target.from} and any other caller)` : ''} for up to ${ttl} s`,
        };
      },
    };
  }
  if (f.kind === 'resource.cpu-stress' || f.kind === 'resource.memory-stress') {
    return {
      rollback,
      inject: async () => {
        if (!which('stress-ng')) throw new Error("stress-ng is not installed; 'make start' installs it");
        const args =
          f.kind === 'resource.cpu-stress'
            ? ['--cpu', String(f.workers), '--cpu-load', String(f.load_percent)]
            : ['--vm', String(f.workers), '--vm-bytes', `${f.megabytes}M`, '--vm-keep'];
        const ref = detached('stress-ng', [...args, '--timeout', `${ttl}s`, '--quiet']);
        rollback.push({ type: 'kill', process: ref, group: true });
        return {
          rollback,
          description: `stress-ng ${args.join(' ')} --timeout ${ttl}s (pid ${ref.pid}), a noisy neighbour`,
        };
      },
    };
  }
  if (f.kind.startsWith('app.')) {
    const url = stack.baseUrl(service!);
    const { kind, ...params } = f;
    const spec: Record<string, unknown> = { kind: kind.slice('app.'.length), ttl_seconds: ttl, ...params };
    if (f.kind === 'app.dependency') {
      delete spec.dependency;
      spec.target = f.dependency;
    }
    // Recorded before the POST: if the answer never arrives the fault may still be in, and
    // clearing every fault of the service (never two experiments at once on one service) removes it.
    rollback.push({ type: 'service-fault-clear', url, id: '' });
    return {
      rollback,
      inject: async () => {
        const created = await adminPost(`${url}/admin/faults`, stack.token, spec);
        // Now that the id is known, the rollback clears only this fault (another experiment's
        // fault on the same service, e.g. a monkey's, stays until its own rollback).
        if (typeof created.id === 'string' && created.id)
          rollback.splice(0, rollback.length, { type: 'service-fault-clear', url, id: created.id });
        const detail = Object.entries(params)
          .map(([k, v]) => `${k}=${v}`)
          .join(' ');
        return {
          rollback,
          description: `${service} admin API: ${kind.slice(4)} fault ${detail} (id ${String(created.id)}), TTL ${ttl} s`,
        };
      },
    };
  }
  // db.lock
  return {
    rollback,
    inject: async () => {
      const file = join(stack.layout.dataDir, DB_FILE[service!]!);
      const ref = detached(process.execPath, [
        join(repoRoot, 'packages/cli/src/chaos/db-lock.ts'),
        file,
        String(ttl),
      ]);
      rollback.push({ type: 'kill', process: ref, group: true });
      return {
        rollback,
        description: `write lock on ${file} (pid ${ref.pid}) for up to ${ttl} s: writers wait, then fail`,
      };
    },
  };
}

export function newInjection(e: Experiment, rollback: RollbackStep[]): Injection {
  const now = Date.now();
  return {
    experiment: e.name,
    kind: e.fault.kind,
    target: e.target.service,
    startedAt: new Date(now).toISOString(),
    expiresAt: new Date(now + seconds(e.duration) * 1000).toISOString(),
    rollback,
  };
}
