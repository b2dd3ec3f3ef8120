import type { OutboxNotifier } from '../domain/ports.ts';

/** The in-process outbox notifier: the checkout notifies, the outbox worker listens. */
export interface OutboxSignal extends OutboxNotifier {
  /** Calls `listener` on every notify until the returned function is called. */
  listen(listener: () => void): () => void;
}

export function createOutboxSignal(): OutboxSignal {
  const listeners = new Set<() => void>();
  return {
    notify() {
      for (const listener of listeners) listener();
    },
    listen(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
