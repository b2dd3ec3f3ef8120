import type {
  Confirmation,
  ConfirmationSender,
  CustomerDirectory,
  Inventory,
  OrderStore,
  OutboxKind,
  OutboxTask,
} from './ports.ts';
import { Refused } from './ports.ts';

export interface OutboxDeps {
  store: Pick<OrderStore, 'find'>;
  inventory: Inventory;
  customers: CustomerDirectory;
  confirmations: ConfirmationSender;
}

/** A task of a sweep, with the W3C traceparent of the span its delivery runs in. */
export interface OutboxItem {
  task: OutboxTask;
  trace: string | null;
}

/** Kinds delivered a sweep at a time, in one call (the others one call per task). */
export const BATCHED_KINDS: ReadonlySet<OutboxKind> = new Set(['commit_reservation', 'send_confirmation']);

/**
 * What each outbox task does (commit or release the order's stock, send its confirmation). A task's
 * result is null when done, `Refused` when retrying cannot help, `DependencyUnavailable` when it may.
 */
export function createOutboxTasks(deps: OutboxDeps) {
  async function confirmationOf(task: OutboxTask): Promise<Confirmation> {
    const record = deps.store.find(task.orderId);
    if (!record) throw new Refused('order vanished');
    const { order } = record;
    let to = typeof task.payload.to === 'string' ? task.payload.to : undefined;
    let name = typeof task.payload.name === 'string' ? task.payload.name : null;
    if (!to) {
      // Completed by the recovery loop: the placing request's lookup is gone, so ask again.
      const customer = await deps.customers.find(order.customer_id);
      if (!customer?.contact) throw new Refused('the customer has no contact');
      to = customer.contact.to;
      name = customer.contact.name;
    }
    return { to, name, order };
  }

  const asError = (err: unknown): Error => (err instanceof Error ? err : new Error(String(err)));

  /** One task of a kind outside BATCHED_KINDS. */
  async function run(task: OutboxTask): Promise<void> {
    if (task.kind === 'release_reservation') return deps.inventory.release(task.orderId);
    throw new Refused(`${task.kind} is delivered in batches`);
  }

  /** The tasks of one kind of BATCHED_KINDS in one call; answers each (in order). */
  async function runBatch(kind: OutboxKind, items: readonly OutboxItem[]): Promise<Array<Error | null>> {
    if (kind === 'commit_reservation') {
      try {
        return await deps.inventory.commitMany(
          items.map(({ task, trace }) => ({ orderId: task.orderId, trace })),
        );
      } catch (err) {
        return items.map(() => asError(err));
      }
    }
    if (kind !== 'send_confirmation')
      return items.map(({ task }) => new Refused(`${task.kind} is not batched`));
    const results: Array<Error | null> = items.map(() => null);
    const ready: Array<{ index: number; confirmation: Confirmation; trace: string | null }> = [];
    await Promise.all(
      items.map(async ({ task, trace }, index) => {
        try {
          ready.push({ index, confirmation: await confirmationOf(task), trace });
        } catch (err) {
          results[index] = asError(err);
        }
      }),
    );
    if (ready.length === 0) return results;
    let sent: Array<Error | null>;
    try {
      sent = await deps.confirmations.sendMany(ready);
    } catch (err) {
      sent = ready.map(() => asError(err));
    }
    ready.forEach(({ index }, i) => {
      results[index] = sent[i] ?? null;
    });
    return results;
  }

  return { run, runBatch };
}

export type OutboxTasks = ReturnType<typeof createOutboxTasks>;
