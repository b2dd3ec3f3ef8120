import { join } from 'node:path';
import { mapError } from '@vigil/service-kit';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { type AlertmanagerClient, parseAlertmanagers } from './alerts/alertmanager-client.ts';
import type { WebhookPayload } from './alerts/alertmanager-payload.ts';
import type { NotificationSink } from './alerts/alerts-routes.ts';
import { AlertsView } from './alerts/alerts-view.ts';
import { registerConsoleAlertsRoutes } from './alerts/console-alerts-routes.ts';
import { NotificationStore } from './alerts/notification-store.ts';
import { AuditLog } from './auth/audit-log.ts';
import { registerConsoleAuth } from './auth/console-auth.ts';
import { SessionStore } from './auth/sessions.ts';
import { UsersSource } from './auth/users-file.ts';
import type { HubConfig } from './config.ts';
import { EscalationEngine } from './escalation/escalation-engine.ts';
import { engineMetrics } from './escalation/escalation-metrics.ts';
import { EscalationThread } from './escalation/escalation-thread.ts';
import { registerIncidentRoutes } from './incidents/incident-routes.ts';
import { IncidentStore } from './incidents/incidents.ts';
import { reconcileIncidents } from './incidents/reconcile.ts';
import { policyFor } from './oncall/oncall-config.ts';
import { OncallSource } from './oncall/oncall-source.ts';
import { type ConsoleDatabase, openConsoleDatabase, startCheckpointer } from './storage/console-db.ts';

export interface Console extends NotificationSink {
  db: ConsoleDatabase;
  incidents: IncidentStore;
  engine: EscalationEngine;
  /** The thread that runs the engine's loop (sends, retries, outcomes). */
  escalationThread: EscalationThread;
  alertmanagers: AlertmanagerClient[];
  close(): Promise<void>;
}

/**
 * The alert console: sign-in, Alerts and Silences over Alertmanager, incidents, on-call and the
 * persisted escalation engine, on the query app (HUB_PORT). State lives in console.db.
 */
export async function registerConsole(
  app: FastifyInstance,
  config: HubConfig,
  logger: Logger,
  registry: Registry,
  webhookToken: Buffer | undefined,
): Promise<Console> {
  const dbFile = join(config.VIGIL_DATA_DIR, 'console.db');
  const db = openConsoleDatabase(dbFile);
  const stopCheckpointer = startCheckpointer(db, dbFile, 1000, (message) =>
    logger.warn({ error: message }, 'console.db checkpoint failed; retrying'),
  );
  const alertmanagers = parseAlertmanagers(config.VIGIL_HUB_ALERTMANAGERS);
  const view = new AlertsView(alertmanagers, config.VIGIL_HUB_ALERTS_CACHE_MS);
  view.start();
  const audit = new AuditLog(db);
  const incidents = new IncidentStore(db);
  const notifications = new NotificationStore(db, config.VIGIL_HUB_ALERTS_KEEP);
  const oncall = new OncallSource(config.VIGIL_HUB_ONCALL_DIR, logger);
  // The loop (due steps, channel sends, outcomes) runs on its own thread with its own connection;
  // this engine records the incident events (start, stop, PagerDuty follow-ups) and wakes it.
  const consoleUrl = config.VIGIL_HUB_PUBLIC_URL ?? `http://${config.HOST}:${config.HUB_PORT}`;
  const metrics = engineMetrics(registry);
  const loop = new EscalationThread(
    {
      dbFile,
      smtp: { host: config.VIGIL_HUB_SMTP_HOST, port: config.VIGIL_HUB_SMTP_PORT },
      notifyTimeoutMs: config.VIGIL_HUB_NOTIFY_TIMEOUT_MS,
      consoleUrl,
      tickMs: config.VIGIL_HUB_ESCALATION_TICK_MS,
      maxAttempts: config.VIGIL_HUB_NOTIFY_MAX_ATTEMPTS,
      backoffMs: config.VIGIL_HUB_NOTIFY_BACKOFF_MS,
    },
    metrics,
    logger,
  );
  const engine = new EscalationEngine({
    db,
    incidents,
    oncall: () => oncall.current(),
    metrics,
    logger,
    consoleUrl,
    wake: () => loop.kick(),
  });
  // One reader of monitoring/oncall: each good config it loads goes to the escalation thread too
  // (before any step that needs it: the message precedes the kick). Polled, so a change reaches
  // that thread even while nothing here asks for the config.
  oncall.onChange = (cfg) => loop.oncall(cfg);
  oncall.current();
  const oncallPoll = setInterval(() => oncall.current(), 250); // it looks at the files every 500 ms at most
  oncallPoll.unref();
  incidents.events = engine;

  await app.register(async (scope) => {
    scope.setErrorHandler((err, req, reply) => {
      const { status, body } = mapError(err);
      if (status >= 500 && status !== 502) req.log.error({ err }, 'console request failed');
      return reply.code(status).send(body);
    });
    await registerConsoleAuth(scope, {
      users: new UsersSource(config.VIGIL_HUB_USERS_FILE),
      sessions: new SessionStore(db, config.VIGIL_HUB_SESSION_MINUTES * 60_000),
      audit,
      secureCookie: config.VIGIL_HUB_COOKIE_SECURE,
      loginAttemptsPerMinute: config.VIGIL_HUB_LOGIN_ATTEMPTS_PER_MINUTE,
    });
    registerConsoleAlertsRoutes(scope, {
      alertmanagers,
      view,
      audit,
      acks: {
        acknowledged: (labels, by, silenceId) => void incidents.acknowledgeMatching(labels, by, silenceId),
        unacknowledged: (silenceId, by) => void incidents.unacknowledgeSilence(silenceId, by),
      },
      notifications: { recent: (limit) => notifications.recent(limit), token: webhookToken },
    });
    registerIncidentRoutes(scope, {
      incidents,
      engine,
      audit,
      alertmanagers,
      silencesChanged: () => view.invalidate(),
      oncall: () => ({ config: oncall.current(), error: oncall.error, dir: oncall.dir }),
      webhookSinkUrl: config.VIGIL_WEBHOOK_SINK_URL,
    });
  });
  loop.start();

  // What never reaches the webhook (silenced resolutions, silences made outside Vigil, their
  // expiry) is read from Alertmanager: incidents/reconcile.ts.
  let reconciling = false;
  const reconcile = setInterval(async () => {
    if (reconciling) return;
    reconciling = true;
    try {
      await reconcileIncidents(incidents, alertmanagers);
    } catch (err) {
      logger.warn({ err }, 'incident reconciliation failed; retrying');
    } finally {
      reconciling = false;
    }
  }, config.VIGIL_HUB_RECONCILE_MS);
  reconcile.unref();

  const incidentReceivers = new Set(config.VIGIL_HUB_INCIDENT_RECEIVERS.split(',').map((s) => s.trim()));
  const amByUrl = (externalURL: string) =>
    alertmanagers.find((a) => a.url === externalURL.replace(/\/+$/, ''))?.name ?? alertmanagers[0]!.name;
  // The webhook's whole synchronous path: the record, the incident, its timeline and its
  // escalation row in one transaction (one commit); the escalation thread fires and sends the step.
  // IMMEDIATE: that thread writes console.db too, so take the write lock before the first read.
  const ingest = db.transaction((payload: WebhookPayload): number => {
    const id = notifications.add(payload);
    if (incidentReceivers.has(payload.receiver))
      incidents.ingest(payload, amByUrl(payload.externalURL), (labels) => {
        const cfg = oncall.current();
        return cfg ? policyFor(cfg, labels) : null;
      });
    return id;
  });
  return {
    db,
    incidents,
    engine,
    escalationThread: loop,
    alertmanagers,
    ingest: (payload) => ingest.immediate(payload),
    async close() {
      clearInterval(reconcile);
      clearInterval(oncallPoll);
      view.stop();
      await loop.stop();
      await stopCheckpointer();
      db.close();
    },
  };
}
