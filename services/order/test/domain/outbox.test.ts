import { openDatabase } from '@vigil/service-kit';
import { describe, expect, it } from 'vitest';
import { migrations } from '../../src/adapters/migrations.ts';
import { createOrdersRepository } from '../../src/adapters/orders-repository.ts';
import { createOutboxTasks } from '../../src/domain/outbox.ts';
import { DependencyUnavailable, type OutboxTask, Refused } from '../../src/domain/ports.ts';

// The outbox's batches alone (in-memory ports, the real SQLite store): each task is answered alone.
function setup(options: { commitFails?: boolean } = {}) {
  const store = createOrdersRepository(openDatabase(':memory:', migrations));
  const sent: Array<{ to: string; orderId: number; trace: string | null }> = [];
  const tasks = createOutboxTasks({
    store,
    customers: { find: async (id) => (id === 2 ? { segment: 'x', contact: null } : null) },
    inventory: {
      reserve: async () => ({ kind: 'rejected' }),
      release: async () => {},
      async commitMany(orders) {
        if (options.commitFails) throw new DependencyUnavailable('product-service', 'timeout');
        return orders.map(({ orderId }) => (orderId % 2 === 0 ? new Refused('RESERVATION_RELEASED') : null));
      },
    },
    confirmations: {
      async sendMany(items) {
        for (const { confirmation, trace } of items)
          sent.push({ to: confirmation.to, orderId: confirmation.order.id, trace });
        return items.map(() => null);
      },
    },
  });
  const task = (id: number, kind: OutboxTask['kind'], payload: Record<string, unknown> = {}): OutboxTask => ({
    id,
    orderId: id,
    kind,
    payload,
    attempts: 0,
    traceparent: null,
  });
  return { store, tasks, task, sent };
}

describe('outbox batches', () => {
  it('commits a batch in one call and answers each task alone', async () => {
    const { tasks, task } = setup();
    const results = await tasks.runBatch('commit_reservation', [
      { task: task(1, 'commit_reservation'), trace: null },
      { task: task(2, 'commit_reservation'), trace: null },
    ]);
    expect(results[0]).toBeNull();
    expect(results[1]).toBeInstanceOf(Refused);
  });

  it('a call that got no answer fails every task of the batch as retryable', async () => {
    const { tasks, task } = setup({ commitFails: true });
    const results = await tasks.runBatch('commit_reservation', [
      { task: task(1, 'commit_reservation'), trace: null },
      { task: task(3, 'commit_reservation'), trace: null },
    ]);
    for (const r of results) expect(r).toBeInstanceOf(DependencyUnavailable);
  });

  it('sends the confirmations it can in one call; one without an address or order is refused alone', async () => {
    const { store, tasks, task, sent } = setup();
    const a = store.begin('k-a', 'h', 1, null).record.order.id;
    const b = store.begin('k-b', 'h', 2, null).record.order.id;
    const results = await tasks.runBatch('send_confirmation', [
      {
        task: { ...task(1, 'send_confirmation', { to: 'a@example.test', name: 'A' }), orderId: a },
        trace: 't-a',
      },
      // Completed by the recovery loop: no address in the task, and the customer has none.
      { task: { ...task(2, 'send_confirmation'), orderId: b }, trace: 't-b' },
      { task: { ...task(3, 'send_confirmation', { to: 'c@example.test' }), orderId: 999 }, trace: null },
    ]);
    expect(results[0]).toBeNull();
    expect(results[1]).toBeInstanceOf(Refused);
    expect(results[2]).toBeInstanceOf(Refused);
    expect(sent).toEqual([{ to: 'a@example.test', orderId: a, trace: 't-a' }]);
  });
});
