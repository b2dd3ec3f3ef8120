import { z } from 'zod';

// Alertmanager's webhook body, version 4 (https://prometheus.io/docs/alerting/latest/configuration/#webhook_config).
const text = (max: number) => z.string().max(max);
const labelSet = z
  .record(text(256), text(16 * 1024))
  .refine((o) => Object.keys(o).length <= 256, 'has more than 256 entries');
const time = text(64).regex(
  /^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+(Z|[+-][0-9]{2}:[0-9]{2})$/,
  'must be an RFC 3339 time',
);

const alertSchema = z.object({
  status: z.enum(['firing', 'resolved']),
  labels: labelSet,
  annotations: labelSet,
  startsAt: time,
  endsAt: time,
  generatorURL: text(4096).optional().default(''),
  fingerprint: text(64).optional().default(''),
});

export const webhookPayloadSchema = z.object({
  version: z.literal('4'),
  groupKey: text(8192),
  truncatedAlerts: z.number().int().min(0).optional().default(0),
  status: z.enum(['firing', 'resolved']),
  receiver: text(256).min(1),
  groupLabels: labelSet,
  commonLabels: labelSet,
  commonAnnotations: labelSet.optional().default({}),
  externalURL: text(4096),
  alerts: z.array(alertSchema).max(10_000),
});

export type WebhookPayload = z.output<typeof webhookPayloadSchema>;
