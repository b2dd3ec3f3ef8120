import { hubWebhookTokenFile, readAdminToken, readSecretFile } from '../admin-token.ts';
import { CliError } from '../errors.ts';
import type { VarLayout } from '../paths.ts';
import type { ProcessRef } from '../processes.ts';
import { type ComponentState, readState } from '../run-state.ts';
import { FAULT_PROXY } from './proxy-component.ts';

/** The running local stack as `vigil start` recorded it in var/run/vigil.json. */
export interface LocalStack {
  readonly layout: VarLayout;
  readonly token: string;
  readonly prometheusUrl: string;
  readonly alertmanagerUrl: string;
  readonly hubUrl: string | undefined;
  /**
   * The hub webhook's secret (`vigil start` writes it for Alertmanager): it also reads the
   * notifications the hub received (`GET /api/alerts/notifications`, otherwise a console session).
   */
  readonly hubReadToken: string | undefined;
  readonly proxyUrl: string | undefined;
  component(name: string): ComponentState;
  /** The live process of a component, re-read from the state file (the supervisor replaces it on restart). */
  process(name: string): ProcessRef | undefined;
  baseUrl(name: string): string;
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|localhost|\[::1\])$/;

export function openLocalStack(layout: VarLayout, opts: { allowRemote?: boolean } = {}): LocalStack {
  const read = () => {
    const state = readState(layout.stateFile);
    if (!state || state.state !== 'ready')
      throw new CliError(
        'NOT_RUNNING',
        `the local stack is not running (no ready ${layout.stateFile}); start it with 'make start' or 'vigil start --detach'`,
      );
    return state;
  };
  const state = read();
  const token = readAdminToken(layout.adminTokenFile);
  if (!token)
    throw new CliError(
      'NO_TOKEN',
      'no admin token: set VIGIL_ADMIN_TOKEN or start the stack with vigil start',
    );
  const find = (name: string) => read().components.find((c) => c.name === name);
  const base = (c: ComponentState) => `http://127.0.0.1:${c.port}`;
  for (const c of state.components) {
    const host = new URL(c.readyUrl).hostname;
    if (!LOOPBACK.test(host) && !opts.allowRemote)
      throw new CliError(
        'NOT_LOCAL',
        `${c.name} is at ${host}, not on this machine; chaos runs against the local stack only (--allow-remote to override)`,
        2,
      );
  }
  const need = (name: string) => {
    const c = state.components.find((x) => x.name === name);
    if (!c) throw new CliError('MISSING_COMPONENT', `${name} is not running in this stack; chaos needs it`);
    return `http://${new URL(c.readyUrl).host}`;
  };
  const proxy = state.components.find((c) => c.name === FAULT_PROXY);
  const hub = state.components.find((c) => c.name === 'hub');
  return {
    layout,
    token,
    prometheusUrl: need('prometheus'),
    alertmanagerUrl: need('alertmanager'),
    hubUrl: hub ? base(hub) : undefined,
    hubReadToken: readSecretFile(hubWebhookTokenFile(layout.varDir)),
    proxyUrl: proxy ? base(proxy) : undefined,
    component(name) {
      const c = find(name);
      if (!c) throw new CliError('MISSING_COMPONENT', `${name} is not running in this stack`);
      return c;
    },
    process: (name) => find(name)?.process ?? undefined,
    baseUrl(name) {
      return base(this.component(name));
    },
  };
}
