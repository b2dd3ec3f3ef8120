import { Counter, Histogram, type Registry } from 'prom-client';

/**
 * What the escalation engine counts. The engine itself only sees this interface: on the escalation
 * thread the counts are posted to the main thread, which keeps the counters (and prom-client).
 */
export interface EngineMetrics {
  step(policy: string): void;
  notification(channelType: string, outcome: 'delivered' | 'retry' | 'failed'): void;
  lag(seconds: number): void;
}

/** The engine's counters in the hub's registry (`/metrics`). */
export function engineMetrics(registry: Registry): EngineMetrics {
  const steps = new Counter({
    name: 'vigil_hub_escalation_steps_total',
    help: 'Escalation steps fired',
    labelNames: ['policy'],
    registers: [registry],
  });
  const notifications = new Counter({
    name: 'vigil_hub_notifications_total',
    help: 'Notification attempts by channel type and outcome (delivered, retry, failed)',
    labelNames: ['channel_type', 'outcome'],
    registers: [registry],
  });
  const lag = new Histogram({
    name: 'vigil_hub_escalation_lag_seconds',
    help: 'How late an escalation step fired after it was due',
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 30],
    registers: [registry],
  });
  return {
    step: (policy) => steps.inc({ policy }),
    notification: (channel_type, outcome) => notifications.inc({ channel_type, outcome }),
    lag: (seconds) => lag.observe(seconds),
  };
}
