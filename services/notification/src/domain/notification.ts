import { z } from 'zod';

export const CHANNELS = ['email', 'webhook'] as const;
export type Channel = (typeof CHANNELS)[number];
export type NotificationStatus = 'pending' | 'sent' | 'dead';

const orderDataSchema = z.strictObject({
  order_id: z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
  customer_name: z.string().trim().min(1).max(100).optional(),
  total_cents: z.number().int().min(0).max(100_000_000),
  currency: z.string().regex(/^[A-Z]{3}$/, 'must be a 3-letter ISO 4217 code'),
  items: z
    .array(
      z.strictObject({
        product_id: z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
        name: z.string().max(200).optional(),
        quantity: z.number().int().min(1).max(10_000),
        unit_price_cents: z.number().int().min(0).max(100_000_000),
      }),
    )
    .min(1)
    .max(100),
});

export type OrderData = z.output<typeof orderDataSchema>;

export const newNotificationSchema = z.discriminatedUnion('channel', [
  z.strictObject({
    channel: z.literal('email'),
    template: z.literal('order_confirmation'),
    to: z.string().trim().toLowerCase().max(254).pipe(z.email()),
    data: orderDataSchema,
  }),
  z.strictObject({
    channel: z.literal('webhook'),
    template: z.literal('order_confirmation'),
    url: z.url({ protocol: /^https?$/ }).max(2000),
    data: orderDataSchema,
  }),
]);

export type NewNotification = z.output<typeof newNotificationSchema>;

export const dedupeKeySchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/, 'must be 1-128 characters of letters, digits, . _ : -');

export const listQuerySchema = z.strictObject({
  status: z.enum(['pending', 'sent', 'dead']).optional(),
});

/** `ada@example.com` → `a***@example.com`: enough to recognise, not enough to harvest. */
export function maskEmail(address: string): string {
  const at = address.lastIndexOf('@');
  if (at <= 0) return '***';
  return `${address[0]}***${address.slice(at)}`;
}

export function formatMoney(cents: number, currency: string): string {
  return `${(cents / 100).toFixed(2)} ${currency}`;
}

/** Subject and plain-text body of an order confirmation. */
export function renderOrderConfirmation(data: OrderData): { subject: string; text: string } {
  const lines = data.items.map(
    (item) =>
      `  ${item.quantity} × ${item.name ?? `product ${item.product_id}`} @ ${formatMoney(item.unit_price_cents, data.currency)}`,
  );
  const greeting = data.customer_name ? `Hello ${data.customer_name},` : 'Hello,';
  return {
    subject: `Order #${data.order_id} confirmed`,
    text: [
      greeting,
      '',
      `Thank you for your order #${data.order_id}.`,
      '',
      ...lines,
      '',
      `Total: ${formatMoney(data.total_cents, data.currency)}`,
      '',
      '— Vigil Shop',
    ].join('\n'),
  };
}

/**
 * Many notifications queued in one call (order-service's outbox sends a sweep's confirmations at once).
 * Items are checked one by one (a bad one is refused alone); each may carry its own dedupe key and the
 * W3C traceparent of the work it belongs to, so its delivery continues that trace.
 */
export const batchSchema = z.strictObject({
  items: z
    .array(
      z.strictObject({
        idempotency_key: dedupeKeySchema.optional(),
        traceparent: z
          .string()
          .regex(/^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/, 'must be a W3C traceparent')
          .optional(),
        notification: z.unknown(),
      }),
    )
    .min(1, 'must list at least one notification')
    .max(100, 'must list at most 100 notifications'),
});
