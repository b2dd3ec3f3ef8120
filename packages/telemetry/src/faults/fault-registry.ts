import { randomUUID } from 'node:crypto';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { Fault, FaultKind, FaultSpec } from './fault-spec.ts';

export type LatencyFault = Extract<Fault, { kind: 'latency' }>;
export type ErrorFault = Extract<Fault, { kind: 'error' }>;
export type DependencyFault = Extract<Fault, { kind: 'dependency' }>;

/** What a request should suffer, decided once per request. */
export interface RequestFaults {
  latencyMs: number;
  error: ErrorFault | undefined;
  /** `kind/id` of every fault applied, for the `fault.injected` span attribute. */
  applied: string[];
}

interface Active {
  fault: Fault;
  timer: NodeJS.Timeout;
  stop?: () => void;
}

const BURN_SLICE_MS = 100;
const MB = 1024 * 1024;

/** Burns `utilization` of every 100 ms slice on the event loop, like a runaway hot path. */
function startCpuBurn(utilization: number): () => void {
  const timer = setInterval(() => {
    const until = performance.now() + BURN_SLICE_MS * utilization;
    while (performance.now() < until) {
      // busy on purpose
    }
  }, BURN_SLICE_MS);
  return () => clearInterval(timer);
}

/**
 * Holds `megabytes` of touched memory (so RSS really grows) until released. Each megabyte is a
 * JS array of doubles, which V8 places in its large-object space: one mapping per array, unmapped
 * by the GC that frees it. Buffers came from malloc instead, and once glibc's dynamic mmap
 * threshold had risen they stayed in its arenas after being freed, so RSS (and MemoryHigh) did not
 * come down after the fault (seen once in a short gameday: memory-order never resolved).
 */
function startMemoryGrowth(megabytes: number): () => void {
  let chunks: number[][] | undefined = [];
  for (let i = 0; i < megabytes; i++) chunks.push(new Array<number>(MB / 8).fill(1.5));
  return () => {
    chunks = undefined;
    // Without a major GC the released buffers (and the RSS they hold) linger for minutes on an
    // idle service, so a memory alert would not resolve after the fault ends.
    fullGc();
  };
}

let gc: (() => void) | undefined;
/** A full garbage collection, also when node runs without --expose-gc. */
function fullGc(): void {
  if (!gc) {
    setFlagsFromString('--expose-gc');
    gc = runInNewContext('gc') as () => void;
  }
  gc();
}

function matchesRoute(
  fault: { route?: string | undefined; method?: string | undefined },
  method: string,
  template: string,
  path: string,
): boolean {
  if (fault.method && fault.method !== method) return false;
  if (!fault.route) return true;
  if (fault.route === template) return true;
  return path === fault.route || path.startsWith(fault.route.endsWith('/') ? fault.route : `${fault.route}/`);
}

function roll(probability: number): boolean {
  return probability >= 1 || Math.random() < probability;
}

export interface FaultRegistry {
  add(spec: FaultSpec): Fault;
  list(): Fault[];
  /** True when no fault is active: the per-request check costs one comparison. */
  isEmpty(): boolean;
  remove(id: string): boolean;
  clear(): number;
  /** Active count per kind (every kind present, 0 when none). */
  counts(): Record<FaultKind, number>;
  forRequest(method: string, template: string, path: string): RequestFaults | undefined;
  /** A dependency fault to apply to a call to `target` right now, if any. */
  dependency(target: string): DependencyFault | undefined;
  readinessFault(): Fault | undefined;
}

/** In-memory registry of active faults; each expires on its TTL and releases what it holds. */
export function createFaultRegistry(): FaultRegistry {
  const active = new Map<string, Active>();

  function remove(id: string): boolean {
    const entry = active.get(id);
    if (!entry) return false;
    clearTimeout(entry.timer);
    entry.stop?.();
    active.delete(id);
    return true;
  }

  return {
    add(spec) {
      const now = Date.now();
      const fault = {
        ...spec,
        id: randomUUID(),
        created_at: new Date(now).toISOString(),
        expires_at: new Date(now + spec.ttl_seconds * 1000).toISOString(),
      } as Fault;
      const timer = setTimeout(() => remove(fault.id), spec.ttl_seconds * 1000);
      timer.unref();
      const entry: Active = { fault, timer };
      if (spec.kind === 'cpu') entry.stop = startCpuBurn(spec.utilization);
      if (spec.kind === 'memory') entry.stop = startMemoryGrowth(spec.megabytes);
      active.set(fault.id, entry);
      return fault;
    },
    list: () => [...active.values()].map((entry) => entry.fault),
    isEmpty: () => active.size === 0,
    remove,
    clear() {
      const ids = [...active.keys()];
      for (const id of ids) remove(id);
      return ids.length;
    },
    counts() {
      const counts: Record<FaultKind, number> = {
        latency: 0,
        error: 0,
        cpu: 0,
        memory: 0,
        dependency: 0,
        readiness: 0,
      };
      for (const { fault } of active.values()) counts[fault.kind]++;
      return counts;
    },
    forRequest(method, template, path) {
      if (active.size === 0) return undefined;
      let result: RequestFaults | undefined;
      for (const { fault } of active.values()) {
        if (fault.kind !== 'latency' && fault.kind !== 'error') continue;
        if (!matchesRoute(fault, method, template, path) || !roll(fault.probability)) continue;
        result ??= { latencyMs: 0, error: undefined, applied: [] };
        if (fault.kind === 'latency')
          result.latencyMs += fault.latency_ms + Math.round(Math.random() * fault.jitter_ms);
        else result.error ??= fault;
        result.applied.push(`${fault.kind}/${fault.id}`);
      }
      return result;
    },
    dependency(target) {
      for (const { fault } of active.values()) {
        if (fault.kind === 'dependency' && fault.target === target && roll(fault.probability)) return fault;
      }
      return undefined;
    },
    readinessFault() {
      for (const { fault } of active.values()) if (fault.kind === 'readiness') return fault;
      return undefined;
    },
  };
}

let processRegistry: FaultRegistry | undefined;

/** The process-wide registry (one service per process): the admin API and outgoing clients share it. */
export function faultRegistry(): FaultRegistry {
  processRegistry ??= createFaultRegistry();
  return processRegistry;
}
