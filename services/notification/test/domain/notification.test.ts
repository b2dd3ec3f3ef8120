import { describe, expect, it } from 'vitest';
import { maskEmail, newNotificationSchema, renderOrderConfirmation } from '../../src/domain/notification.ts';

const data = {
  order_id: 7,
  total_cents: 4998,
  currency: 'USD',
  items: [{ product_id: 1, name: 'Mouse', quantity: 2, unit_price_cents: 2499 }],
};

describe('notifications', () => {
  it('masks email addresses', () => {
    expect(maskEmail('ada@example.com')).toBe('a***@example.com');
    expect(maskEmail('nope')).toBe('***');
  });

  it('renders an order confirmation', () => {
    const { subject, text } = renderOrderConfirmation({ ...data, customer_name: 'Ada' });
    expect(subject).toBe('Order #7 confirmed');
    expect(text).toContain('2 × Mouse @ 24.99 USD');
    expect(text).toContain('Total: 49.98 USD');
  });

  it('validates channels', () => {
    expect(
      newNotificationSchema.safeParse({
        channel: 'email',
        template: 'order_confirmation',
        to: 'A@Example.com',
        data,
      }).success,
    ).toBe(true);
    expect(
      newNotificationSchema.safeParse({
        channel: 'email',
        template: 'order_confirmation',
        to: 'not-an-email',
        data,
      }).success,
    ).toBe(false);
    expect(
      newNotificationSchema.safeParse({
        channel: 'webhook',
        template: 'order_confirmation',
        url: 'file:///etc/passwd',
        data,
      }).success,
    ).toBe(false);
    expect(
      newNotificationSchema.safeParse({ channel: 'sms', template: 'order_confirmation', data }).success,
    ).toBe(false);
  });
});
