import { existsSync, readFileSync, statSync } from 'node:fs';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';

const DEFAULT_DIST = fileURLToPath(new URL('../ui/dist', import.meta.url));

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
};

/**
 * Serves the built console (packages/hub/ui/dist) as the not-found handler: a file if one
 * matches, else index.html so deep links (/traces/<id>) load the SPA. /api/* never falls back.
 */
export async function uiStatic(app: FastifyInstance, opts: { distDir?: string } = {}): Promise<void> {
  const root = resolve(opts.distDir ?? DEFAULT_DIST);
  app.setNotFoundHandler((req, reply) => {
    const path = (req.url.split('?')[0] ?? '/').slice(0, 1024);
    const notFound = () =>
      reply.code(404).send({
        error: { code: 'ROUTE_NOT_FOUND', message: `no route for ${req.method} ${path.slice(0, 200)}` },
      });
    if ((req.method !== 'GET' && req.method !== 'HEAD') || path.startsWith('/api/') || path === '/api')
      return notFound();
    const index = join(root, 'index.html');
    if (!existsSync(index)) {
      return reply.code(404).send({
        error: {
          code: 'CONSOLE_NOT_BUILT',
          message: 'the console is not built (run the UI build to create packages/hub/ui/dist)',
        },
      });
    }
    let rel: string;
    try {
      rel = decodeURIComponent(path);
    } catch {
      return notFound();
    }
    const file = normalize(join(root, rel));
    if (file.startsWith(root + sep) && existsSync(file) && statSync(file).isFile()) {
      const immutable = rel.startsWith('/assets/');
      return reply
        .type(TYPES[extname(file)] ?? 'application/octet-stream')
        .header('cache-control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache')
        .send(readFileSync(file));
    }
    // A missing file with an extension is a real 404, not a page of the SPA.
    if (extname(rel) !== '') return notFound();
    return reply.type(TYPES['.html']!).header('cache-control', 'no-cache').send(readFileSync(index));
  });
}
