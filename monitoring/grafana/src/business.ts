import type { DashboardSpec } from './dashboard-spec.ts';
import { RATE } from './promql.ts';

const perHour = (expr: string) => `${expr} * 3600`;

/**
 * Growth of a counter over `range`, summed, without increase()'s extrapolation: a counter that
 * went 0 -> 6 in the window reads 6, not 6 x (window / sampled span). Exact while no process
 * restarts in the window; after a restart it counts the larger of the two runs.
 */
const exactIncrease = (metric: string, range: string) =>
  `sum(max_over_time(${metric}[${range}]) - min_over_time(${metric}[${range}]))`;

export const business: DashboardSpec = {
  uid: 'vigil-business',
  title: 'Vigil / Business',
  description: 'Orders, revenue, checkout funnel, payments and inventory of the e-commerce flow.',
  tags: ['vigil', 'business'],
  serviceVariable: false,
  sections: [
    {
      title: 'Orders and revenue',
      panels: [
        {
          title: 'Orders (last hour)',
          description:
            'Orders accepted in the last hour (orders_created_total), counted exactly: the growth of each counter over the hour (max - min, no extrapolation). LowOrderVolume watches this rate.',
          type: 'stat',
          unit: 'short',
          queries: [{ expr: exactIncrease('orders_created_total', '1h') }],
        },
        {
          title: 'Revenue (last hour)',
          description:
            'Sum of completed order values in the last hour (order_value_dollars histogram sum), counted exactly like Orders.',
          type: 'stat',
          unit: 'currencyUSD',
          queries: [{ expr: exactIncrease('order_value_dollars_sum', '1h') }],
        },
        {
          title: 'Average order value',
          description: 'Revenue divided by completed orders over the last hour.',
          type: 'stat',
          unit: 'currencyUSD',
          queries: [
            {
              expr: `${exactIncrease('order_value_dollars_sum', '1h')} / ${exactIncrease('order_value_dollars_count', '1h')}`,
            },
          ],
        },
        {
          title: 'Lowest stock level',
          description:
            'The smallest inventory_level of any product in any warehouse; InventoryLow fires below its threshold.',
          type: 'stat',
          unit: 'short',
          queries: [{ expr: 'min(inventory_level)' }],
          thresholds: [
            { value: null, color: 'red' },
            { value: 10, color: 'orange' },
            { value: 50, color: 'green' },
          ],
        },
        {
          title: 'Orders per hour',
          description: 'Order rate, scaled to an hourly figure, by customer segment.',
          type: 'timeseries',
          unit: 'short',
          queries: [
            {
              expr: perHour(`sum by (customer_segment) (rate(orders_created_total[${RATE}]))`),
              legend: '{{customer_segment}}',
            },
          ],
        },
        {
          title: 'Orders per hour by category',
          description:
            'Order rate per hour by product category (the category of the order’s largest line; categories outside the seeded catalogue count as "other").',
          type: 'timeseries',
          unit: 'short',
          queries: [
            {
              expr: perHour(`sum by (product_category) (rate(orders_created_total[${RATE}]))`),
              legend: '{{product_category}}',
            },
          ],
        },
        {
          title: 'Orders per hour by payment method',
          description: 'Order rate per hour by card brand.',
          type: 'timeseries',
          unit: 'short',
          queries: [
            {
              expr: perHour(`sum by (payment_method) (rate(orders_created_total[${RATE}]))`),
              legend: '{{payment_method}}',
            },
          ],
        },
        {
          title: 'Revenue per hour',
          description:
            'Revenue rate of completed orders, scaled to dollars per hour, by customer segment and product category.',
          type: 'timeseries',
          unit: 'currencyUSD',
          queries: [
            {
              expr: perHour(
                `sum by (customer_segment, product_category) (rate(order_value_dollars_sum[${RATE}]))`,
              ),
              legend: '{{customer_segment}} {{product_category}}',
            },
          ],
        },
        {
          title: 'Average order value over time',
          description: 'Revenue rate divided by completed-order rate.',
          type: 'timeseries',
          unit: 'currencyUSD',
          queries: [
            {
              expr: `sum(rate(order_value_dollars_sum[${RATE}])) / sum(rate(order_value_dollars_count[${RATE}]))`,
              legend: 'average',
            },
          ],
        },
        {
          title: 'Order processing time p95',
          description:
            'p95 time to place an order (POST /orders end to end), by complexity (simple = 1 item, standard = 2-5, complex = 6+) and resulting order status.',
          type: 'timeseries',
          unit: 's',
          exemplars: true,
          queries: [
            {
              expr: `histogram_quantile(0.95, sum by (complexity, status, le) (rate(order_processing_duration_seconds_bucket[${RATE}])))`,
              legend: '{{complexity}} {{status}}',
            },
          ],
        },
      ],
    },
    {
      title: 'Checkout funnel',
      panels: [
        {
          title: 'Checkout funnel',
          description:
            'Checkout steps reached per second (cart → shipping → payment → confirmation), by success or failure.',
          type: 'timeseries',
          unit: 'short',
          queries: [
            {
              expr: `sum by (step, status) (rate(checkout_funnel_total[${RATE}]))`,
              legend: '{{step}} {{status}}',
            },
          ],
        },
        {
          title: 'Checkout conversion',
          description: 'Successful confirmations divided by carts started, over the last hour.',
          type: 'stat',
          unit: 'percentunit',
          queries: [
            {
              expr: 'sum(increase(checkout_funnel_total{step="confirmation", status="success"}[1h])) / sum(increase(checkout_funnel_total{step="cart"}[1h]))',
            },
          ],
        },
      ],
    },
    {
      title: 'Payments, notifications and inventory',
      panels: [
        {
          title: 'Payments by outcome',
          description: 'Settled payments per second by method and status (succeeded, declined).',
          type: 'timeseries',
          unit: 'short',
          queries: [
            {
              expr: `sum by (method, status) (rate(payments_total[${RATE}]))`,
              legend: '{{method}} {{status}}',
            },
          ],
        },
        {
          title: 'Payment failures',
          description:
            'Share of payments that did not succeed (declines included), and the failure ratio PaymentFailuresHigh alerts on (recording rule :payment_failure_ratio:rate5m).',
          type: 'timeseries',
          unit: 'percentunit',
          min: 0,
          queries: [
            {
              expr: `(sum(rate(payments_total{status!="succeeded"}[${RATE}])) or vector(0)) / sum(rate(payments_total[${RATE}]))`,
              legend: 'not succeeded',
            },
            { expr: ':payment_failure_ratio:rate5m', legend: 'failure ratio (alert)' },
          ],
        },
        {
          title: 'High-value checkouts',
          description:
            'Checkouts above the high-value threshold (order-service ORDER_HIGH_VALUE_DOLLARS, shown as order_high_value_threshold_dollars) that reached payment, per hour, by outcome. HighValueOrdersDropped fires on payment_failed.',
          type: 'timeseries',
          unit: 'short',
          min: 0,
          queries: [
            {
              expr: perHour(`sum by (outcome) (rate(high_value_checkouts_total[${RATE}]))`),
              legend: '{{outcome}}',
            },
          ],
        },
        {
          title: 'Notifications',
          description: 'Notification delivery attempts per second by channel and result (sent, retry, dead).',
          type: 'timeseries',
          unit: 'short',
          queries: [
            {
              expr: `sum by (channel, status) (rate(notifications_sent_total[${RATE}]))`,
              legend: '{{channel}} {{status}}',
            },
          ],
        },
        {
          title: 'Inventory',
          description: 'Units in stock per product and warehouse.',
          type: 'timeseries',
          unit: 'short',
          queries: [
            {
              expr: 'sum by (product_id, warehouse) (inventory_level)',
              legend: '{{product_id}} @ {{warehouse}}',
            },
          ],
        },
      ],
    },
  ],
};
