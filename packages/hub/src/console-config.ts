import { z } from 'zod';
import { intVar } from './env-vars.ts';

/** The alert console's settings (docs/alerting.md, "Alert console"). */
export const consoleEnvShape = {
  /** File holding the bearer token Alertmanager must send to /api/alerts/webhook (written by `vigil start`). */
  VIGIL_HUB_WEBHOOK_TOKEN_FILE: z.string().min(1).optional(),
  /** Console users and roles with scrypt hashes (`vigil user add`). */
  VIGIL_HUB_USERS_FILE: z.string().min(1).default('var/users.yaml'),
  /** `name=url,...`: the Alertmanagers the Alerts page reads (API v2). */
  VIGIL_HUB_ALERTMANAGERS: z.string().min(1).default('local=http://127.0.0.1:9093'),
  /** How long Alertmanager's alerts and silences are reused across viewers (single-flight fetch). */
  VIGIL_HUB_ALERTS_CACHE_MS: intVar(2000, 0, 60_000),
  /** Escalation policies, schedules, channels and routing as code. */
  VIGIL_HUB_ONCALL_DIR: z.string().min(1).default('monitoring/oncall'),
  VIGIL_HUB_COOKIE_SECURE: z.enum(['auto', 'on', 'off']).default('auto'),
  VIGIL_HUB_SESSION_MINUTES: intVar(720, 1, 43_200),
  VIGIL_HUB_LOGIN_ATTEMPTS_PER_MINUTE: intVar(10, 1, 10_000),
  VIGIL_HUB_ESCALATION_TICK_MS: intVar(200, 10, 10_000),
  VIGIL_HUB_NOTIFY_TIMEOUT_MS: intVar(5000, 100, 60_000),
  VIGIL_HUB_NOTIFY_MAX_ATTEMPTS: intVar(8, 1, 100),
  VIGIL_HUB_NOTIFY_BACKOFF_MS: intVar(1000, 1, 600_000),
  /** Receivers whose notifications open incidents (one receiver, so a group is one incident). */
  VIGIL_HUB_INCIDENT_RECEIVERS: z.string().min(1).default('vigil-hub'),
  /** How often open incidents are checked against Alertmanager (a silenced resolution never arrives). */
  VIGIL_HUB_RECONCILE_MS: intVar(5000, 100, 600_000),
  VIGIL_HUB_SMTP_HOST: z.string().min(1).default('127.0.0.1'),
  VIGIL_HUB_SMTP_PORT: intVar(2525, 1, 65_535),
  /** The local webhook sink (Slack/PagerDuty stand-in) whose record the console shows. */
  VIGIL_WEBHOOK_SINK_URL: z.string().url().optional(),
  /** Base URL of the console in notifications; default http://HOST:HUB_PORT. */
  VIGIL_HUB_PUBLIC_URL: z.string().url().optional(),
};
