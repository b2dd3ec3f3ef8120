import { readFileSync } from 'node:fs';
import nodemailer from 'nodemailer';
import type { Channel } from '../oncall/oncall-config.ts';

export const PAGERDUTY_EVENTS_URL = 'https://events.pagerduty.com/v2/enqueue';

/** One notification to send: who, what, and the key that makes a re-send recognisable downstream. */
export interface Notification {
  key: string;
  action: 'trigger' | 'acknowledge' | 'resolve';
  incident: { id: number; title: string; service: string; severity: string; url: string };
  /** "step 1 (round 1)" etc., for the message text. */
  context: string;
  user?: { name: string; email: string } | undefined;
}

export interface ChannelEnv {
  env: NodeJS.ProcessEnv;
  smtp: { host: string; port: number };
  timeoutMs: number;
}

export class DeliveryError extends Error {}

function secret(
  channel: { name: string },
  value: string | undefined,
  envName: string | undefined,
  file: string | undefined,
  env: NodeJS.ProcessEnv,
  what: string,
): string {
  if (value) return value;
  if (envName && env[envName]) return env[envName]!;
  if (file) {
    try {
      return readFileSync(file, 'utf8').trim();
    } catch {
      throw new DeliveryError(`channel ${channel.name}: cannot read ${what} file ${file}`);
    }
  }
  throw new DeliveryError(
    `channel ${channel.name}: no ${what} configured${envName ? ` (set ${envName})` : ''}`,
  );
}

async function post(
  url: string,
  body: unknown,
  headers: Record<string, string>,
  timeoutMs: number,
): Promise<void> {
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
      redirect: 'error',
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    throw new DeliveryError(
      (err as Error).name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : 'unreachable',
    );
  }
  await res.arrayBuffer().catch(() => undefined);
  if (!res.ok) throw new DeliveryError(`answered ${res.status}`);
}

const PD_SEVERITY: Record<string, string> = { critical: 'critical', error: 'error', warning: 'warning' };

/** Sends notifications over the four channel types; throws DeliveryError on any failure. */
export class ChannelSender {
  readonly #ctx: ChannelEnv;
  readonly #mail;

  constructor(ctx: ChannelEnv) {
    this.#ctx = ctx;
    this.#mail = nodemailer.createTransport({
      host: ctx.smtp.host,
      port: ctx.smtp.port,
      secure: false,
      ignoreTLS: true,
      connectionTimeout: ctx.timeoutMs,
      greetingTimeout: ctx.timeoutMs,
      socketTimeout: ctx.timeoutMs,
    });
  }

  close(): void {
    this.#mail.close();
  }

  async send(channel: Channel, n: Notification): Promise<void> {
    const { env, timeoutMs } = this.#ctx;
    const verb =
      n.action === 'trigger' ? 'TRIGGERED' : n.action === 'acknowledge' ? 'ACKNOWLEDGED' : 'RESOLVED';
    const line = `[${verb}] #${n.incident.id} ${n.incident.title}`;
    switch (channel.type) {
      case 'email': {
        if (!n.user) throw new DeliveryError(`channel ${channel.name}: email needs a person`);
        try {
          await this.#mail.sendMail({
            from: channel.from,
            to: n.user.email,
            subject: `[Vigil] ${line}`,
            messageId: `<${n.key.replace(/[^A-Za-z0-9.-]/g, '.')}@vigil.local>`,
            headers: { 'X-Vigil-Idempotency-Key': n.key },
            text: `${line}\nservice: ${n.incident.service}\nseverity: ${n.incident.severity}\n${n.context}\n\nAcknowledge: ${n.incident.url}\n`,
          });
        } catch (err) {
          throw new DeliveryError(`smtp: ${(err as Error).message.slice(0, 200)}`);
        }
        return;
      }
      case 'slack': {
        const url = secret(channel, channel.url, channel.url_env, channel.url_file, env, 'webhook URL');
        await post(
          url,
          { text: `${line}${n.user ? ` — for ${n.user.name}` : ''} (${n.context}) <${n.incident.url}|open>` },
          {},
          timeoutMs,
        );
        return;
      }
      case 'webhook': {
        const url = secret(channel, channel.url, channel.url_env, channel.url_file, env, 'URL');
        await post(
          url,
          {
            version: '1',
            action: n.action,
            incident: n.incident,
            context: n.context,
            user: n.user?.name ?? null,
            idempotencyKey: n.key,
          },
          { 'idempotency-key': n.key },
          timeoutMs,
        );
        return;
      }
      case 'pagerduty': {
        const url =
          channel.url ??
          (channel.url_env ? env[channel.url_env] : undefined) ??
          (channel.url_file
            ? secret(channel, undefined, undefined, channel.url_file, env, 'URL')
            : PAGERDUTY_EVENTS_URL);
        const routingKey = secret(
          channel,
          undefined,
          channel.routing_key_env,
          channel.routing_key_file,
          env,
          'routing key',
        );
        const dedupKey = `vigil-incident-${n.incident.id}`;
        const body =
          n.action === 'trigger'
            ? {
                routing_key: routingKey,
                event_action: 'trigger',
                dedup_key: dedupKey,
                payload: {
                  summary: `${line}${n.user ? ` (on call: ${n.user.name})` : ''}`.slice(0, 1024),
                  source: n.incident.service || 'vigil',
                  severity: PD_SEVERITY[n.incident.severity] ?? 'info',
                  custom_details: { context: n.context, user: n.user?.name ?? null },
                },
                links: [{ href: n.incident.url, text: 'Vigil incident' }],
              }
            : { routing_key: routingKey, event_action: n.action, dedup_key: dedupKey };
        await post(url, body, {}, timeoutMs);
        return;
      }
    }
  }
}
