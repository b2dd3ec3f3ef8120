import { z } from 'zod';

export const FAULT_KINDS = ['latency', 'error', 'cpu', 'memory', 'dependency', 'readiness'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** Longest a fault may live: chaos must end on its own even if nobody clears it. */
export const MAX_TTL_SECONDS = 3600;

const ttl = z.number().int().min(1).max(MAX_TTL_SECONDS);
const probability = z.number().min(0).max(1).default(1);
// A route template (`/orders/:id`) or a path prefix (`/orders`); never matches admin/health/metrics.
const route = z
  .string()
  .regex(/^\/[A-Za-z0-9/:._-]{0,200}$/, 'must be a path starting with /')
  .optional();
const method = z
  .string()
  .regex(/^[A-Za-z]{3,7}$/, 'must be an HTTP method')
  .transform((m) => m.toUpperCase())
  .optional();
const target = z.string().regex(/^[a-z][a-z0-9-]{0,63}$/, 'must be a lowercase dependency name');

export const faultSpecSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('latency'),
    ttl_seconds: ttl,
    latency_ms: z.number().int().min(0).max(60_000),
    jitter_ms: z.number().int().min(0).max(60_000).default(0),
    probability,
    route,
    method,
  }),
  z.strictObject({
    kind: z.literal('error'),
    ttl_seconds: ttl,
    status: z.number().int().min(400).max(599).default(500),
    probability,
    route,
    method,
  }),
  z.strictObject({
    kind: z.literal('cpu'),
    ttl_seconds: ttl,
    // Share of each 100 ms slice the event loop spends burning.
    utilization: z.number().min(0.05).max(0.95).default(0.8),
  }),
  z.strictObject({
    kind: z.literal('memory'),
    ttl_seconds: ttl,
    megabytes: z.number().int().min(1).max(512),
  }),
  z.strictObject({
    kind: z.literal('dependency'),
    ttl_seconds: ttl,
    target,
    mode: z.enum(['hang', 'refuse']).default('refuse'),
    probability,
  }),
  z.strictObject({
    kind: z.literal('readiness'),
    ttl_seconds: ttl,
  }),
]);

export type FaultSpec = z.output<typeof faultSpecSchema>;

export type Fault = FaultSpec & {
  id: string;
  created_at: string;
  expires_at: string;
};
