import { type Env, hostVar, loadConfig, portVar, serviceEnvShape } from '@vigil/service-kit';
import { defaultPort } from '@vigil/topology';
import { z } from 'zod';
import { parseAllowEntries } from './adapters/webhook-destination.ts';

export const SERVICE_NAME = 'notification-service' as const;

const int = (min: number, max: number, fallback: number) =>
  z.coerce.number().int().min(min).max(max).default(fallback);

const schema = z.object({
  ...serviceEnvShape(SERVICE_NAME),
  SMTP_HOST: hostVar(),
  SMTP_PORT: portVar(defaultPort('smtp-sink')),
  SMTP_FROM: z.string().min(3).max(200).default('Vigil Shop <orders@vigil.local>'),
  NOTIFY_MAX_ATTEMPTS: int(1, 100, 10),
  NOTIFY_RETRY_BASE_MS: int(10, 600_000, 500),
  NOTIFY_RETRY_MAX_MS: int(10, 3_600_000, 60_000),
  NOTIFY_POLL_MS: int(10, 60_000, 500),
  NOTIFY_SEND_TIMEOUT_MS: int(100, 120_000, 5_000),
  /**
   * Non-public webhook destinations that are nevertheless allowed, comma-separated `ip:port` or CIDR
   * entries (e.g. `127.0.0.1:9000`); default none. See adapters/webhook-destination.ts.
   */
  NOTIFY_WEBHOOK_ALLOW: z
    .string()
    .default('')
    .transform((s) =>
      s
        .split(',')
        .map((h) => h.trim())
        .filter(Boolean),
    )
    .superRefine((entries, ctx) => {
      try {
        parseAllowEntries(entries);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: (err as Error).message });
      }
    }),
});

export type NotificationConfig = Readonly<z.output<typeof schema>>;

/** Read once at boot; exits with a one-line message naming the variable when invalid. */
export function readConfig(env: Env = process.env): NotificationConfig {
  return loadConfig(schema, env, SERVICE_NAME);
}
