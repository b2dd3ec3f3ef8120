import type { ConfirmationSender, CustomerDirectory, Inventory, OrderStore, OutboxTask } from './ports.ts';
import { Refused } from './ports.ts';

export interface OutboxDeps {
  store: Pick<OrderStore, 'find'>;
  inventory: Inventory;
  customers: CustomerDirectory;
  confirmations: ConfirmationSender;
}

/**
 * What each outbox task does (commit or release the order's stock, send its confirmation). Throws
 * `Refused` when retrying cannot help, `DependencyUnavailable` when it may.
 */
export function createOutboxTasks(deps: OutboxDeps) {
  return async function run(task: OutboxTask): Promise<void> {
    if (task.kind === 'commit_reservation') return deps.inventory.commit(task.orderId);
    if (task.kind === 'release_reservation') return deps.inventory.release(task.orderId);
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
    await deps.confirmations.send({ to, name, order });
  };
}

export type RunOutboxTask = ReturnType<typeof createOutboxTasks>;
