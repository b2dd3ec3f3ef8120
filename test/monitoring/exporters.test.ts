import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dashboards } from '@vigil/dashboards';
import { freePorts, waitFor } from '@vigil/service-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { components } from '../../packages/cli/src/components.ts';
import { createStartContext } from '../../packages/cli/src/context.ts';
import { varLayout } from '../../packages/cli/src/paths.ts';
import {
  type MonitoringStack,
  promQuery,
  startMonitoringStack,
} from './alerting-support/monitoring-stack.ts';

// The exporters `vigil start` runs in local mode, as it runs them (same components, same
// rendered process-exporter config), against a real process of this checkout; a real Prometheus
// scrapes them as jobs `node` and `process`, and the Service Overview's host and process panels and
// the host alerts are evaluated on what it stored.

const byName = (n: string) => components.find((c) => c.name === n)!;
const children: ChildProcess[] = [];
let dir = '';
let ctx: ReturnType<typeof createStartContext>;
let prometheus: MonitoringStack | undefined;

async function metrics(port: number): Promise<string> {
  return (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-exporters-'));
  const [nodePort, processPort, sinkPort, sinkHttp] = await freePorts(4);
  const started = ['smtp-sink', 'node-exporter', 'process-exporter'].map(byName);
  ctx = createStartContext({
    registered: components,
    components: started,
    layout: varLayout(dir),
    adminToken: 'exporters-test',
    env: {
      NODE_EXPORTER_PORT: String(nodePort),
      PROCESS_EXPORTER_PORT: String(processPort),
      SMTP_SINK_PORT: String(sinkPort),
      SMTP_SINK_HTTP_PORT: String(sinkHttp),
    },
  });
  for (const c of started) {
    await c.prepare?.(ctx);
    const { cmd, args, env } = c.command(ctx);
    children.push(
      spawn(cmd, [...args], {
        cwd: ctx.repoRoot,
        env: { ...process.env, ...env, PORT: String(ctx.port(c.name)), SMTP_SINK_DIR: join(dir, 'mail') },
        stdio: 'ignore',
      }),
    );
  }
}, 60_000);

afterAll(async () => {
  await prometheus?.stop();
  for (const child of children) child.kill('SIGTERM');
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('host and process exporters (Debian packages)', () => {
  it('node-exporter serves host CPU, memory and filesystem metrics on loopback', async () => {
    const body = await waitFor(
      async () => (await metrics(ctx.port('node-exporter')).catch(() => '')) || undefined,
      { timeoutMs: 30_000, description: 'node-exporter /metrics' },
    );
    for (const name of [
      'node_cpu_seconds_total',
      'node_memory_MemAvailable_bytes',
      'node_filesystem_avail_bytes',
    ])
      expect(body, name).toMatch(new RegExp(`^${name}[{ ]`, 'm'));
    // Collectors outside the list are off.
    expect(body).not.toContain('node_systemd_');
  });

  it("process-exporter groups this run's process under its component name, and nothing else", async () => {
    const sample = await waitFor(
      async () => {
        const body = await metrics(ctx.port('process-exporter')).catch(() => '');
        const line = body
          .split('\n')
          .find((l) => l.startsWith('namedprocess_namegroup_num_procs{groupname="smtp-sink"}'));
        return line && Number(line.split(' ')[1]) >= 1 ? body : undefined;
      },
      { timeoutMs: 30_000, description: 'the smtp-sink group with its process' },
    );
    expect(sample).toMatch(
      /namedprocess_namegroup_memory_bytes\{groupname="smtp-sink",memtype="resident"\} [1-9]/,
    );
    // Only processes of this run count: every group with a process is one of its components.
    const busy = [...sample.matchAll(/^namedprocess_namegroup_num_procs\{groupname="([^"]+)"\} ([0-9]+)/gm)]
      .filter((m) => Number(m[2]) > 0)
      .map((m) => m[1]);
    expect(busy).toEqual(['smtp-sink']);
  });

  it('Prometheus scrapes both as jobs node and process; every host and process panel of the Service Overview has data, and the host alerts evaluate', async () => {
    prometheus = await startMonitoringStack({
      services: [],
      nodeExporterPort: ctx.port('node-exporter'),
      processExporterPort: ctx.port('process-exporter'),
    });
    const prom = prometheus.prometheusUrl;
    const panels = dashboards
      .flatMap((d) => d.sections.flatMap((s) => s.panels.map((p) => ({ dashboard: d.uid, panel: p }))))
      .flatMap(({ dashboard, panel }) =>
        panel.queries
          .filter((q) => /job="(node|process)"/.test(q.expr))
          .map((q) => ({
            name: `${dashboard} / ${panel.title}`,
            expr: q.expr.replaceAll('$__rate_interval', '10s'),
          })),
      );
    expect(panels.map((p) => p.name)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^vigil-service-overview \//)]),
    );
    expect(panels.length).toBeGreaterThanOrEqual(5);
    // rate() over 10s needs a few 1-second scrapes of each job.
    let empty = '';
    await waitFor(
      async () => {
        for (const p of panels) {
          empty = `${p.name}: ${p.expr}`;
          if ((await promQuery(prom, p.expr)).length === 0) return undefined;
        }
        return true;
      },
      { timeoutMs: 45_000, intervalMs: 1_000, description: 'data for every host and process panel' },
    ).catch((err: Error) => {
      throw new Error(`${err.message}; still empty: ${empty}`);
    });
    // The host alerts' rules load and evaluate on these series without error (they need hours of
    // trend or a process near its limit to fire: host-alerts.test.yml covers firing).
    await waitFor(
      async () => {
        const body = (await (await fetch(`${prom}/api/v1/rules`)).json()) as {
          data: { groups: { name: string; rules: { name: string; health: string; lastError?: string }[] }[] };
        };
        const rules = body.data.groups.flatMap((g) => g.rules);
        const host = rules.filter(
          (r) => r.name === 'HostDiskFillingUp' || r.name === 'ProcessNearMemoryLimit',
        );
        return host.length === 2 && host.every((r) => r.health === 'ok') ? host : undefined;
      },
      { timeoutMs: 20_000, description: 'HostDiskFillingUp and ProcessNearMemoryLimit evaluated, health ok' },
    );
  }, 120_000);
});
