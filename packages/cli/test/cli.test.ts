import { rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { runVigil, tempVarDir } from './helpers/run-vigil.ts';

describe('vigil command dispatch', () => {
  const varDir = tempVarDir();
  afterAll(() => rmSync(varDir, { recursive: true, force: true }));
  const env = { VIGIL_VAR_DIR: varDir, VIGIL_COMPONENTS_MODULE: '' };

  it('prints usage: exit 0 for --help, 2 without a command', async () => {
    const help = await runVigil(['--help'], env);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/usage: vigil <command>[\s\S]*start[\s\S]*stop[\s\S]*status[\s\S]*urls/);
    expect((await runVigil([], env)).code).toBe(2);
  });

  it('rejects an unknown command and an unknown option with exit 2 and a clear message', async () => {
    const unknown = await runVigil(['frobnicate'], env);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("vigil: unknown command 'frobnicate'");
    const badOption = await runVigil(['start', '--frob'], env);
    expect(badOption.code).toBe(2);
    expect(badOption.stderr).toContain("Unknown option '--frob'");
    expect(badOption.stderr).toContain("see 'vigil start --help'");
  });

  it('start --only with an unknown name lists the known components (exit 2)', async () => {
    const result = await runVigil(['start', '--only', 'nope'], env);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /\[UNKNOWN_COMPONENT\]: unknown component\(s\): nope; known: .*user-service/,
    );
  });

  it('status, urls and stop say plainly that nothing runs', async () => {
    const status = await runVigil(['status'], env);
    expect(status.code).toBe(3);
    expect(status.stdout).toContain('vigil is not running');
    expect((await runVigil(['urls'], env)).code).toBe(3);
    const stop = await runVigil(['stop'], env);
    expect(stop.code).toBe(0);
    expect(stop.stdout).toContain('vigil is not running (nothing to stop)');
  });
});
