// The chaos monkey's plan: reproducible from its seed, never two experiments at once on one
// service nor two whose expected alerts could be confused. (Its real run, with the rollback
// checked afterwards, is in gameday.test.ts on the shared stack.)
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { settingsInForce } from '../../packages/cli/src/chaos/bounds.ts';
import { type Experiment, loadCatalogue } from '../../packages/cli/src/chaos/catalogue.ts';
import {
  blastRadius,
  boundOf,
  confusable,
  mayRunTogether,
  starves,
  waves,
} from '../../packages/cli/src/chaos/gameday.ts';
import { monkeyPlan } from '../../packages/cli/src/chaos/monkey.ts';
import { CATALOGUE_DIR } from '../../packages/cli/src/commands/chaos.ts';
import { repoRoot } from '../../packages/cli/src/paths.ts';

const catalogue = loadCatalogue(CATALOGUE_DIR);
const byName = (n: string) => catalogue.find((e) => e.name === n)!;

/** Waves hold every experiment of the catalogue exactly once, each wave obeying the rule. */
function expectEachOnceByTheRule(ws: Experiment[][]): void {
  expect(
    ws
      .flat()
      .map((e) => e.name)
      .sort(),
  ).toEqual(catalogue.map((e) => e.name).sort());
  for (const w of ws)
    for (const x of w)
      for (const y of w) if (x !== y) expect(mayRunTogether(x, y), `${x.name} + ${y.name}`).toBe(true);
}

const planCli = (...args: string[]) =>
  spawnSync(
    process.execPath,
    ['packages/cli/src/main.ts', 'chaos', 'monkey', '--json', '--var-dir', '/nonexistent', ...args],
    { cwd: repoRoot, encoding: 'utf8', timeout: 30_000 },
  );

describe('chaos monkey plan', () => {
  it('the same seed gives the same rounds (CLI --plan, two processes); another seed other rounds', () => {
    const a = planCli('--seed', '42', '--plan', '12');
    const b = planCli('--seed', '42', '--plan', '12');
    expect(a.status, a.stderr).toBe(0);
    expect(a.stdout).toBe(b.stdout);
    const rounds = (JSON.parse(a.stdout) as { rounds: string[][] }).rounds;
    expect(rounds).toHaveLength(12);
    expect(rounds).toEqual(monkeyPlan(catalogue, 42, 12));
    expect(monkeyPlan(catalogue, 43, 12)).not.toEqual(rounds);
  });

  it('never puts two experiments on one service, nor two whose expected alerts could be confused, in a round', () => {
    const seen = new Set<string>();
    let together = 0;
    for (let seed = 0; seed < 300; seed++)
      for (const round of monkeyPlan(catalogue, seed, 10, 3)) {
        const es = round.map(byName);
        for (const n of round) seen.add(n);
        if (es.length > 1) together += 1;
        const services = es.map((e) => e.target.service).filter(Boolean);
        expect(new Set(services).size, round.join(' + ')).toBe(services.length);
        for (const x of es)
          for (const y of es) if (x !== y) expect(mayRunTogether(x, y), `${x.name} + ${y.name}`).toBe(true);
      }
    // Every experiment gets picked, and rounds do run several at once.
    expect([...seen].sort()).toEqual(catalogue.map((e) => e.name).sort());
    expect(together).toBeGreaterThan(100);
  });

  it('the rule: callers inherit a callee fault on their answers, not its restarts', () => {
    // payment-service's callers, and theirs (the gateway; whatever probes it), but not its peers.
    const blast = blastRadius('payment-service');
    for (const s of ['payment-service', 'order-service', 'gateway']) expect(blast.has(s), s).toBe(true);
    for (const s of ['user-service', 'product-service', 'notification-service'])
      expect(blast.has(s), s).toBe(false);
    // latency-user expects HighLatency on the gateway, which every service's fault can slow.
    expect(confusable(byName('latency-user'), byName('freeze-product'))).toBe(true);
    // kill-payment expects ServiceRestarted of payment-service: a fault elsewhere cannot raise it.
    expect(confusable(byName('kill-payment'), byName('freeze-product'))).toBe(false);
    // A dependency alert names its callee: only a fault on payment-service raises order→payment.
    expect(confusable(byName('partition-order-payment'), byName('reset-user'))).toBe(false);
    expect(mayRunTogether(byName('kill-payment'), byName('latency-payment'))).toBe(false);
    expect(mayRunTogether(byName('cpu-stress-neighbour'), byName('freeze-product'))).toBe(false);
    // The short gameday's waves hold every experiment exactly once, each wave obeying the rule.
    const ws = waves(catalogue, true);
    expectEachOnceByTheRule(ws);
    expect(ws.length).toBeLessThan(catalogue.length);
  });

  it('keeps a dependency experiment apart from a fault that stops the caller calling that dependency', () => {
    const refused = byName('refused-notification');
    const partition = byName('partition-order-payment');
    // order-service calls notification-service only once an order completes, which a partition
    // to payment-service prevents: the refused calls would never be made (a production gameday
    // paged refused-notification after 110 s against a 63 s bound, in the wave of the partition).
    expect(confusable(refused, partition)).toBe(false);
    expect(starves(refused, partition)).toBe(true);
    expect(mayRunTogether(refused, partition)).toBe(false);
    expect(mayRunTogether(partition, refused)).toBe(false);
    // Any other callee of order-service, or order-service itself, can stop its work too.
    for (const n of ['reset-user', 'errors-product', 'latency-payment', 'kill-payment', 'memory-order'])
      expect(starves(refused, byName(n)), n).toBe(true);
    // A fault on the dependency's own peers elsewhere, or with no dependency alert, starves nothing.
    expect(starves(byName('kill-payment'), refused)).toBe(false);
    expect(starves(byName('errors-product'), byName('latency-payment'))).toBe(false);
    for (const w of waves(catalogue, true))
      expect(w.includes(refused) && w.includes(partition), w.map((e) => e.name).join(' + ')).toBe(false);
  });

  it('with the production bounds as weights, the slow experiments share waves where the rule allows', () => {
    const settings = settingsInForce(repoRoot, '/nonexistent');
    const bound = (e: Experiment) => boundOf(e, settings);
    const length = (ws: Experiment[][]) => ws.reduce((sum, w) => sum + Math.max(...w.map(bound)), 0);
    const weighted = waves(catalogue, true, bound);
    expectEachOnceByTheRule(weighted);
    // latency-payment and errors-product (a `for: 5m` each) may run together: one slow wave, not two.
    expect(
      weighted.some((w) => w.includes(byName('latency-payment')) && w.includes(byName('errors-product'))),
    ).toBe(true);
    expect(length(weighted)).toBeLessThan(length(waves(catalogue, true)));
    // Waves that expect silence still come first.
    expect(weighted[0]!.every((e) => e.detection.alerts.length === 0)).toBe(true);
    // `vigil gameday --parallel --plan` prints this plan (the repo's configs: no stack under /nonexistent).
    const plan = spawnSync(
      process.execPath,
      ['packages/cli/src/main.ts', 'gameday', '--parallel', '--plan', '--var-dir', '/nonexistent'],
      { cwd: repoRoot, encoding: 'utf8', timeout: 30_000 },
    );
    expect(plan.status, plan.stderr).toBe(0);
    expect(
      plan.stdout
        .trim()
        .split('\n')
        .map((l) => l.split(': ')[1]!.split(', ')),
    ).toEqual(weighted.map((w) => w.map((e) => e.name)));
  });
});
