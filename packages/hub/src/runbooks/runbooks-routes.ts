import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import MarkdownIt from 'markdown-it';

/** docs/runbooks of this repository: one `<AlertName>.md` per alert. */
export const DEFAULT_RUNBOOKS_DIR = fileURLToPath(new URL('../../../../docs/runbooks', import.meta.url));

/** Alert names as Prometheus rules spell them; anything else is not a runbook (and never a path). */
const ALERT_NAME = /^[A-Za-z][A-Za-z0-9_]{0,127}$/;

// Raw HTML in a runbook is shown as text, never injected; links keep markdown-it's URL checks.
const markdown = new MarkdownIt({ html: false, linkify: true, typographer: false });

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · Vigil runbooks</title>
<style>
body{font:15px/1.55 system-ui,sans-serif;max-width:52rem;margin:2rem auto;padding:0 1rem;color:#1d232b}
nav{font-size:.9rem;margin-bottom:1rem}nav a{margin-right:1rem}
table{border-collapse:collapse}td,th{border:1px solid #ccd;padding:.25rem .6rem;text-align:left}
code,pre{background:#f2f4f7;border-radius:3px;font-size:.9em}pre{padding:.6rem;overflow:auto}code{padding:0 .2rem}
</style></head>
<body><nav><a href="/">Console</a><a href="/runbooks">Runbooks</a></nav>
<main>${body}</main></body></html>
`;
}

/** Alert names that have a runbook, sorted. */
export function runbookNames(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.md') && ALERT_NAME.test(f.slice(0, -3)))
    .map((f) => f.slice(0, -3))
    .sort();
}

/**
 * GET /runbooks/<Alert>: the runbook rendered to HTML (what every alert's runbook_url opens in
 * local mode); GET /runbooks: the list. Unknown names get 404 RUNBOOK_NOT_FOUND.
 */
export function registerRunbooksRoutes(app: FastifyInstance, options: { dir?: string } = {}): void {
  const dir = options.dir ?? DEFAULT_RUNBOOKS_DIR;
  app.get('/runbooks', async (_req, reply) => {
    const items = runbookNames(dir)
      .map((n) => `<li><a href="/runbooks/${n}">${n}</a></li>`)
      .join('\n');
    return reply
      .type('text/html; charset=utf-8')
      .send(page('Runbooks', `<h1>Runbooks</h1>\n<ul>\n${items}\n</ul>`));
  });
  app.get('/runbooks/:alert', async (req, reply) => {
    // `Alert.md` is accepted too, so a link copied from the repository works.
    const name = (req.params as { alert: string }).alert.replace(/\.md$/, '');
    const file = join(dir, `${name}.md`);
    if (!ALERT_NAME.test(name) || !existsSync(file)) {
      return reply.code(404).send({
        error: { code: 'RUNBOOK_NOT_FOUND', message: `no runbook for alert ${name.slice(0, 128)}` },
      });
    }
    const html = markdown.render(readFileSync(file, 'utf8'));
    return reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(page(name, html));
  });
}
