import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startService, stopAllServices } from '../src/testing/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'service-kit-start-'));
const server = join(dir, 'server.ts');
writeFileSync(
  server,
  `import { createServer } from 'node:http';
const s = createServer((req, res) => res.writeHead(req.url === '/health/ready' ? 200 : 404).end(process.env.GREETING));
s.listen(Number(process.env.PORT), process.env.HOST);
process.on('SIGTERM', () => s.close(() => process.exit(0)));
console.log('listening');
`,
);
const broken = join(dir, 'broken.ts');
writeFileSync(broken, "console.error('cannot start: bad thing'); process.exit(2);");

afterAll(async () => {
  await stopAllServices();
  rmSync(dir, { recursive: true, force: true });
});

describe('startService', () => {
  it('starts on a free port with the given env, waits for readiness and stops with SIGTERM', async () => {
    const service = await startService({ entry: server, env: { GREETING: 'hello' } });
    expect(service.url).toBe(`http://127.0.0.1:${service.port}`);
    expect(await (await fetch(`${service.url}/x`)).text()).toBe('hello');
    expect(service.output()).toContain('listening');
    expect(await service.stop()).toEqual({ code: 0, signal: null });
  });

  it('fails fast with the process output when the process exits before it is ready', async () => {
    const started = Date.now();
    await expect(startService({ entry: broken, timeoutMs: 10_000 })).rejects.toThrow(
      /exited early[\s\S]*bad thing/,
    );
    expect(Date.now() - started).toBeLessThan(9_000);
  });
});
