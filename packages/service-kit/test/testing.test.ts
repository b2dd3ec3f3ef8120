import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  createPrng,
  freePort,
  promtoolCheckMetrics,
  randomBodyText,
  runToExit,
  waitFor,
} from '../src/testing/index.ts';

describe('testing helpers', () => {
  it('freePort returns a bindable port', async () => {
    const port = await freePort();
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', resolve);
    });
    await new Promise((resolve) => server.close(resolve));
  });

  it('waitFor returns the first truthy value and times out with the description', async () => {
    let calls = 0;
    await expect(waitFor(() => (++calls >= 3 ? calls : 0), { intervalMs: 1 })).resolves.toBe(3);
    await expect(
      waitFor(() => false, { timeoutMs: 50, intervalMs: 5, description: 'never' }),
    ).rejects.toThrow(/timed out after 50 ms waiting for never/);
  });

  it('the PRNG is deterministic per seed', () => {
    const a = createPrng(42);
    const b = createPrng(42);
    const xs = Array.from({ length: 20 }, () => randomBodyText(a, ['k']));
    expect(Array.from({ length: 20 }, () => randomBodyText(b, ['k']))).toEqual(xs);
    expect(new Set(xs).size).toBeGreaterThan(10);
  });

  it('promtoolCheckMetrics reports lint problems and passes clean text', async () => {
    const clean = await promtoolCheckMetrics('# HELP x_total Things.\n# TYPE x_total counter\nx_total 1\n');
    expect(clean).toEqual({ code: 0, output: '' });
    const dirty = await promtoolCheckMetrics('# TYPE x counter\nx 1\n');
    expect(dirty.output).not.toBe('');
  });

  it('runToExit captures exit code, output and the environment it was given', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'service-kit-run-'));
    try {
      const script = join(dir, 'exit.ts');
      writeFileSync(
        script,
        "process.stderr.write('port=' + process.env.PORT + ' x=' + process.env.X); process.exit(3);",
      );
      const result = await runToExit(script, { PORT: '1234', X: 'y' }, 5000);
      expect(result.code).toBe(3);
      expect(result.stderr).toBe('port=1234 x=y');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
