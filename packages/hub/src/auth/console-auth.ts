import { timingSafeEqual } from 'node:crypto';
import cookie from '@fastify/cookie';
import rateLimit from '@fastify/rate-limit';
import { httpError } from '@vigil/service-kit';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AuditLog } from './audit-log.ts';
import { bearerMatches } from './bearer.ts';
import { burnPasswordCheck, verifyPassword } from './password.ts';
import type { Session, SessionStore } from './sessions.ts';
import { type Role, roleAtLeast, type UsersSource } from './users-file.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The least role a console route needs; a route without it is not a console route. */
    role?: Role;
    /**
     * A machine credential accepted instead of a session on this read-only (GET) route, as
     * `Authorization: Bearer …` (the Alertmanager webhook's secret for the notifications it sent).
     */
    bearer?: Buffer | undefined;
  }
  interface FastifyRequest {
    consoleUser?: Session;
  }
}

export const SESSION_COOKIE = 'vigil_session';
export const CSRF_HEADER = 'x-csrf-token';

export interface ConsoleAuthOptions {
  users: UsersSource;
  sessions: SessionStore;
  audit: AuditLog;
  /** 'auto': Secure when the request came over TLS (directly or X-Forwarded-Proto from a local proxy). */
  secureCookie: 'auto' | 'on' | 'off';
  loginAttemptsPerMinute: number;
}

const loginBody = z.strictObject({
  name: z.string().min(1).max(64),
  password: z.string().min(1).max(1024),
});

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function overTls(req: FastifyRequest): boolean {
  return req.protocol === 'https' || req.headers['x-forwarded-proto'] === 'https';
}

/**
 * Refuses a state change whose browser says it came from another site: `Origin` (or, without
 * it, `Sec-Fetch-Site`) must name this host. Non-browser clients send neither and rely on the
 * session cookie + CSRF token like everyone else.
 */
export function checkOrigin(req: FastifyRequest): void {
  const origin = req.headers.origin;
  if (origin !== undefined) {
    let host: string;
    try {
      host = new URL(origin).host;
    } catch {
      throw httpError(403, 'ORIGIN_MISMATCH', 'the Origin header is not a URL');
    }
    if (origin === 'null' || host !== req.headers.host)
      throw httpError(403, 'ORIGIN_MISMATCH', 'cross-site requests cannot change state');
    return;
  }
  const site = req.headers['sec-fetch-site'];
  if (site === 'cross-site' || site === 'same-site')
    throw httpError(403, 'ORIGIN_MISMATCH', 'cross-site requests cannot change state');
}

/**
 * Sessions, roles, CSRF and Origin checks for the console scope `app`, plus /api/auth/*.
 * Every route registered in `app` with `config.role` requires a session with at least that
 * role (or, on a GET route with `config.bearer`, that machine token); unsafe methods also need the
 * session's CSRF token in `X-CSRF-Token` and a same-origin browser. Denials are audited.
 */
export async function registerConsoleAuth(app: FastifyInstance, opts: ConsoleAuthOptions): Promise<void> {
  const { users, sessions, audit } = opts;
  await app.register(cookie);
  await app.register(rateLimit, { global: false });

  const cookieOptions = (req: FastifyRequest) => ({
    path: '/',
    httpOnly: true,
    sameSite: 'strict' as const,
    secure: opts.secureCookie === 'on' || (opts.secureCookie === 'auto' && overTls(req)),
  });

  app.addHook('preHandler', async (req) => {
    const { role, bearer } = req.routeOptions.config;
    if (!role) return;
    if (bearer && !UNSAFE.has(req.method) && bearerMatches(req.headers.authorization, bearer)) return;
    const session = sessions.get(req.cookies[SESSION_COOKIE]);
    const action = `${req.method} ${req.routeOptions.url}`;
    if (!session) throw httpError(401, 'UNAUTHENTICATED', 'sign in first');
    req.consoleUser = session;
    if (!roleAtLeast(session.role, role)) {
      audit.record({
        user: session.user,
        action,
        target: req.url,
        outcome: 'denied',
        detail: `needs ${role}`,
      });
      throw httpError(403, 'FORBIDDEN', `this needs the ${role} role; you are ${session.role}`);
    }
    if (UNSAFE.has(req.method)) {
      checkOrigin(req);
      const token = req.headers[CSRF_HEADER];
      if (typeof token !== 'string' || !sameToken(token, session.csrf)) {
        audit.record({ user: session.user, action, target: req.url, outcome: 'denied', detail: 'csrf' });
        throw httpError(403, 'CSRF_TOKEN_INVALID', `send the session's CSRF token in ${CSRF_HEADER}`);
      }
    }
  });

  app.post(
    '/api/auth/login',
    {
      config: {
        rateLimit: {
          max: opts.loginAttemptsPerMinute,
          timeWindow: 60_000,
          keyGenerator: (req) => req.ip,
          errorResponseBuilder: (_req, ctx) =>
            httpError(429, 'TOO_MANY_LOGIN_ATTEMPTS', `too many sign-in attempts; retry in ${ctx.after}`),
        },
      },
    },
    async (req, reply) => {
      checkOrigin(req);
      const parsed = loginBody.safeParse(req.body);
      if (!parsed.success) throw httpError(400, 'VALIDATION_FAILED', 'send {"name", "password"}');
      const { name, password } = parsed.data;
      const user = users.get(name);
      let ok = false;
      if (user) ok = await verifyPassword(password, user.password_hash);
      else await burnPasswordCheck(password);
      if (!user || !ok) {
        audit.record({ user: null, action: 'login', target: name.slice(0, 64), outcome: 'denied' });
        throw httpError(401, 'INVALID_CREDENTIALS', 'unknown user or wrong password');
      }
      const { token, session } = sessions.create(user.name, user.role);
      audit.record({ user: user.name, action: 'login', outcome: 'ok' });
      reply.setCookie(SESSION_COOKIE, token, {
        ...cookieOptions(req),
        maxAge: Math.floor((session.expiresMs - Date.now()) / 1000),
      });
      return { user: session.user, role: session.role, csrfToken: session.csrf };
    },
  );

  app.post('/api/auth/logout', { config: { role: 'viewer' } }, async (req, reply) => {
    const token = req.cookies[SESSION_COOKIE];
    if (token) sessions.destroy(token);
    audit.record({ user: req.consoleUser!.user, action: 'logout', outcome: 'ok' });
    reply.clearCookie(SESSION_COOKIE, cookieOptions(req));
    return { status: 'ok' };
  });

  app.get('/api/auth/session', { config: { role: 'viewer' } }, async (req) => {
    const s = req.consoleUser!;
    return { user: s.user, role: s.role, csrfToken: s.csrf, expiresAt: new Date(s.expiresMs).toISOString() };
  });

  app.get('/api/audit', { config: { role: 'admin' } }, async (req) => {
    const q = req.query as Record<string, unknown>;
    const limit =
      typeof q.limit === 'string' && /^[0-9]{1,4}$/.test(q.limit)
        ? Math.min(1000, Math.max(1, Number(q.limit)))
        : 200;
    return { data: audit.list(limit) };
  });
}

/** The signed-in user of a console route (set by the preHandler). */
export function currentUser(req: FastifyRequest): Session {
  if (!req.consoleUser) throw httpError(401, 'UNAUTHENTICATED', 'sign in first');
  return req.consoleUser;
}
