import { trace } from '@opentelemetry/api';
import { faultRegistry } from './fault-registry.ts';

export class InjectedDependencyError extends Error {
  readonly code: string;
  constructor(target: string, code: string) {
    super(
      `injected fault: ${target} ${code === 'ECONNREFUSED' ? 'refused the connection' : 'did not answer'}`,
    );
    this.name = 'InjectedDependencyError';
    this.code = code;
  }
}

/**
 * Call before an outgoing request to `target`. With a `refuse` fault it throws like a refused
 * connection; with `hang` it waits until `signal` aborts (the caller's timeout) and throws
 * its reason, exactly as a silent peer would. Without a fault it returns at once.
 */
export async function applyDependencyFault(target: string, signal?: AbortSignal): Promise<void> {
  const fault = faultRegistry().dependency(target);
  if (!fault) return;
  trace.getActiveSpan()?.setAttribute('fault.injected', `dependency/${fault.id}`);
  if (fault.mode === 'refuse') throw new InjectedDependencyError(target, 'ECONNREFUSED');
  await new Promise<void>((_, reject) => {
    const fail = () => reject(signal?.reason ?? new InjectedDependencyError(target, 'ETIMEDOUT'));
    if (!signal) {
      // No deadline from the caller: hang for the rest of the fault's life, then fail.
      setTimeout(fail, Math.max(0, Date.parse(fault.expires_at) - Date.now())).unref();
      return;
    }
    if (signal.aborted) fail();
    else signal.addEventListener('abort', fail, { once: true });
  });
}
