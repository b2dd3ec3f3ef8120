import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';

/**
 * Who may call a route:
 * - `service` (the default): another Vigil service, proven by the per-stack service credential;
 * - `admin`: an operator, proven by the admin token (the route adds its own check, e.g. /admin/faults);
 * - `infra`: probes and scrapes (/health/*, /metrics), no credential;
 * - `public`: anyone (the gateway's allow-listed routes).
 */
export type RouteAccess = 'service' | 'admin' | 'infra' | 'public';

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: RouteAccess;
  }
}

/** The header a service sends its credential in, and the one naming the caller (trusted only with it). */
export const SERVICE_TOKEN_HEADER = 'x-vigil-service-token';
export const CALLER_HEADER = 'x-vigil-caller';

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

function refuse(reply: FastifyReply, status: number, code: string, message: string): FastifyReply {
  return reply.code(status).type('application/json; charset=utf-8').send({ error: { code, message } });
}

// Encoded separators, encoded dots, double encoding and encoded control characters.
const ENCODED_FORBIDDEN = /%(?:2[eEfF5]|5[cC]|[01][0-9a-fA-F]|7[fF])/;

/**
 * Why a raw request path is refused, or undefined when it is canonical: routing and every check see
 * the same segments. Dot-segments, empty segments, backslashes and percent-encoded separators, dots,
 * percent signs (double encoding) and control characters are refused rather than guessed at.
 */
export function pathProblem(rawUrl: string): string | undefined {
  const q = rawUrl.indexOf('?');
  const path = q === -1 ? rawUrl : rawUrl.slice(0, q);
  if (path.charCodeAt(0) !== 47 /* / */) return 'the path must start with /';
  if (path.includes('\\')) return 'the path must not contain a backslash';
  if (path.includes('%') && ENCODED_FORBIDDEN.test(path)) {
    return 'the path must not contain encoded separators, dots, percent signs or control characters';
  }
  if (path.length > 1) {
    for (const segment of path.slice(1).split('/')) {
      if (segment === '.' || segment === '..') return 'the path must not contain dot-segments';
      if (segment === '') {
        if (path.endsWith('/') && path.indexOf('//') === -1) continue; // one trailing slash is fine
        return 'the path must not contain empty segments';
      }
    }
  }
  return undefined;
}

/** The `charset` parameter of a content-type, lower-cased, or undefined. */
function charsetOf(contentType: string): string | undefined {
  const match = /;\s*charset\s*=\s*"?([^";\s]*)"?/i.exec(contentType);
  return match?.[1]?.toLowerCase();
}

const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Why a state-changing request looks cross-site, or undefined. Browsers send Sec-Fetch-Site and Origin
 * on cross-origin POSTs (including body-less ones, which need no CORS preflight); service-to-service
 * calls and command-line clients send neither.
 */
export function crossSiteProblem(request: FastifyRequest): string | undefined {
  if (!UNSAFE_METHODS.has(request.method)) return undefined;
  const site = request.headers['sec-fetch-site'];
  if (typeof site === 'string' && site !== 'same-origin' && site !== 'none') {
    return `cross-site request refused (Sec-Fetch-Site: ${site === 'same-site' ? 'same-site' : 'cross-site'})`;
  }
  const origin = request.headers.origin;
  if (origin === undefined) return undefined;
  let host: string | undefined;
  try {
    host = new URL(origin).host;
  } catch {
    host = undefined;
  }
  if (host === undefined || host === '' || host !== request.headers.host) {
    return 'cross-origin request refused (Origin does not match the host)';
  }
  return undefined;
}

/** Access of a route that does not declare one, from its template (fixed at registration, not per request). */
export function defaultAccess(template: string): RouteAccess {
  if (template === '/metrics' || template === '/health' || template.startsWith('/health/')) return 'infra';
  if (template === '/admin' || template.startsWith('/admin/')) return 'admin';
  return 'service';
}

export interface RequestGuardOptions {
  /** The per-stack service credential; when undefined, `service` routes are open (unit tests, dev). */
  serviceToken?: string | undefined;
}

/**
 * Checks every request before its handler, on the path the router used:
 * 1. the raw path is canonical (400 INVALID_PATH), so the decoded path the router matched is the only one;
 * 2. a body declares UTF-8 if it declares a charset (415 UNSUPPORTED_CHARSET);
 * 3. no cross-site state change (403 CROSS_SITE_REQUEST);
 * 4. per route (its `config.access`, not a URL prefix): `service` routes need the service credential
 *    (401 SERVICE_CREDENTIAL_REQUIRED).
 */
export function installRequestGuard(app: FastifyInstance, options: RequestGuardOptions = {}): void {
  const expected = options.serviceToken ? digest(options.serviceToken) : undefined;

  app.addHook('onRequest', (request, reply, done) => {
    const problem = pathProblem(request.url);
    if (problem !== undefined) {
      refuse(reply, 400, 'INVALID_PATH', problem);
      return;
    }
    const contentType = request.headers['content-type'];
    if (typeof contentType === 'string' && contentType.includes('charset')) {
      const charset = charsetOf(contentType);
      if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
        refuse(reply, 415, 'UNSUPPORTED_CHARSET', 'request bodies must be UTF-8 (charset=utf-8)');
        return;
      }
    }
    const crossSite = crossSiteProblem(request);
    if (crossSite !== undefined) {
      refuse(reply, 403, 'CROSS_SITE_REQUEST', crossSite);
      return;
    }
    done();
  });

  if (expected === undefined) return;
  const requireServiceCredential = (request: FastifyRequest, reply: FastifyReply, done: () => void) => {
    const presented = request.headers[SERVICE_TOKEN_HEADER];
    if (typeof presented === 'string' && timingSafeEqual(digest(presented), expected)) {
      done();
      return;
    }
    refuse(
      reply,
      401,
      'SERVICE_CREDENTIAL_REQUIRED',
      'this endpoint is internal: a service credential is required',
    );
  };
  app.addHook('onRoute', (route: RouteOptions) => {
    const access = route.config?.access ?? defaultAccess(route.url ?? '');
    if (access !== 'service') return;
    const existing = route.onRequest;
    route.onRequest = existing
      ? [requireServiceCredential, ...(Array.isArray(existing) ? existing : [existing])]
      : [requireServiceCredential];
  });
}

/** Headers a service sends on calls to another: its credential (when configured) and its name. */
export function serviceCallHeaders(
  caller: string,
  serviceToken: string | undefined = process.env.VIGIL_SERVICE_TOKEN,
): Record<string, string> {
  return serviceToken
    ? { [SERVICE_TOKEN_HEADER]: serviceToken, [CALLER_HEADER]: caller }
    : { [CALLER_HEADER]: caller };
}

/** The calling service's name, trusted only when the service credential is enforced; else `anonymous`. */
export function callerOf(request: FastifyRequest): string {
  const caller = request.headers[CALLER_HEADER];
  return typeof caller === 'string' && /^[a-z][a-z0-9-]{0,62}$/.test(caller) ? caller : 'anonymous';
}
