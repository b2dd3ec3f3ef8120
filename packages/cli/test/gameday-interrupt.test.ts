import { describe, expect, it } from 'vitest';
import { settingsInForce } from '../src/chaos/bounds.ts';
import { loadCatalogue } from '../src/chaos/catalogue.ts';
import { renderGamedayHtml, runGameday, verdictWord } from '../src/chaos/gameday.ts';
import type { LocalStack } from '../src/chaos/stack.ts';
import { CATALOGUE_DIR } from '../src/commands/chaos.ts';
import { repoRoot } from '../src/paths.ts';

// The new-user trial of issue 11 pasted README's './vigil gameday', met its 10-minute control
// phase and pressed Ctrl-C: the gameday said "control phase: no alert fired" and "FAILED: 0/0
// detected in time", as if the monitoring had been judged. An interrupted gameday says so.
// Nothing to observe here: Alertmanager's URL refuses connections (read as "no alert"), no hub.

describe('a gameday stopped by Ctrl-C', () => {
  it('reports INTERRUPTED, how far the control phase got and how many experiments ran', async () => {
    const experiments = loadCatalogue(CATALOGUE_DIR);
    const controller = new AbortController();
    const lines: string[] = [];
    let loadStopped = false;
    const stack = { alertmanagerUrl: 'http://127.0.0.1:1', hubUrl: undefined, hubReadToken: undefined };
    setTimeout(() => controller.abort(), 1_500);
    const report = await runGameday({
      stack: stack as unknown as LocalStack,
      settings: settingsInForce(repoRoot, undefined),
      experiments,
      stateFile: '/nonexistent/chaos.json',
      say: (l) => lines.push(l),
      controlSeconds: 600,
      cooldownSeconds: 0,
      parallel: false,
      resolveTimeoutMs: 1_000,
      startLoad: async () => ({
        stop: async () => {
          loadStopped = true;
          return { requests: 0, failed: 0 };
        },
      }),
      signal: controller.signal,
    });
    expect(loadStopped).toBe(true);
    expect(report.interrupted).toBe(true);
    expect(report.passed).toBe(false);
    expect(verdictWord(report)).toBe('INTERRUPTED');
    expect(report.summary).toMatch(new RegExp(`^only 0 of ${experiments.length} experiments run; `));
    expect(lines).toContainEqual(
      expect.stringMatching(/^control phase \(interrupted after [0-9]+ of 600 s\): no alert fired$/),
    );
    expect(renderGamedayHtml(report)).toContain('INTERRUPTED: only 0 of');
  });
});
