import { join } from 'node:path';
import type { Component, StartContext } from '../component.ts';
import { fromTopology } from '../component-from-topology.ts';

// The long-term metrics store of local mode: Debian's single-node VictoriaMetrics as Prometheus'
// remote_write target (the scale-out path of docs/scaling.md, on one machine). Off unless asked
// for: `vigil start --long-term` sets VIGIL_LONG_TERM=1, which the detached supervisor inherits.

export const VICTORIA_METRICS_BIN = 'victoria-metrics';
export const LONG_TERM_ENV = 'VIGIL_LONG_TERM';
/** How long the store keeps samples (VictoriaMetrics -retentionPeriod; Prometheus keeps 15 d). */
export const LONG_TERM_RETENTION = '1y';

export function longTermRequested(env: NodeJS.ProcessEnv = process.env): boolean {
  return /^(1|true|on|yes)$/i.test(env[LONG_TERM_ENV] ?? '');
}

/** Prometheus' remote_write URL when the store runs in this start, else undefined. */
export function remoteWriteUrl(ctx: StartContext): string | undefined {
  if (!ctx.components.some((c) => c.name === 'victoria-metrics')) return undefined;
  return `http://${ctx.host}:${ctx.port('victoria-metrics')}/api/v1/write`;
}

export const victoriaMetricsComponent: Component = {
  ...fromTopology('victoria-metrics'),
  optional: true,
  skip: () => (longTermRequested() ? undefined : 'long-term store off; ./vigil start --long-term runs it'),
  command: (ctx) => ({
    cmd: VICTORIA_METRICS_BIN,
    args: [
      // Loopback only, like every local-mode listener.
      `-httpListenAddr=${ctx.host}:${ctx.port('victoria-metrics')}`,
      `-storageDataPath=${join(ctx.dataDir, 'victoria-metrics')}`,
      `-retentionPeriod=${LONG_TERM_RETENTION}`,
      '-loggerFormat=json',
    ],
  }),
  readyUrl: (ctx) => `http://${ctx.host}:${ctx.port('victoria-metrics')}/health`,
  url: (ctx) =>
    `http://${ctx.host}:${ctx.port('victoria-metrics')} (long-term store; PromQL at /api/v1/query, UI at /vmui)`,
};
