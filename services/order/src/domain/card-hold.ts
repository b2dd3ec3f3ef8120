import type { Card } from './ports.ts';

/**
 * Cards of orders whose charge may still be retried, kept in this process's memory only: never stored,
 * logged or sent anywhere but payment-service. An entry ends when its charge has an answer, after `ttlMs`,
 * or when `max` newer ones push it out; a retry without the card then lets payment-service finish the charge
 * from the card it vaulted under the key (or answer that it never started one).
 */
export function createCardHold(options: { ttlMs: number; max: number; now?: () => number }) {
  const now = options.now ?? Date.now;
  // Insertion order is expiry order (one TTL for all), so the oldest entries are at the front.
  const held = new Map<number, { card: Card; until: number }>();

  function prune(at: number): void {
    for (const [id, entry] of held) {
      if (entry.until > at && held.size <= options.max) break;
      held.delete(id);
    }
  }

  return {
    hold(orderId: number, card: Card): void {
      held.delete(orderId);
      held.set(orderId, { card, until: now() + options.ttlMs });
      prune(now());
    },
    get(orderId: number): Card | undefined {
      const entry = held.get(orderId);
      if (!entry) return undefined;
      if (entry.until > now()) return entry.card;
      held.delete(orderId);
      return undefined;
    },
    release(orderId: number): void {
      held.delete(orderId);
    },
    get size(): number {
      return held.size;
    },
  };
}
