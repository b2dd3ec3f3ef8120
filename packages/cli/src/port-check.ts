import type { StartContext } from './component.ts';
import { isPortFree } from './ports.ts';

/** One line per port of the components to start that something already listens on. */
export async function busyPorts(ctx: StartContext): Promise<string[]> {
  const wanted = ctx.components.flatMap((c) => [
    { key: c.name, env: c.portEnv },
    ...(c.extraPorts ?? []).map((e) => ({ key: `${c.name}.${e.key}`, env: e.env })),
  ]);
  const results = await Promise.all(
    wanted.map(async (w) => ({
      ...w,
      port: ctx.port(w.key),
      free: await isPortFree(ctx.port(w.key), ctx.host),
    })),
  );
  return results
    .filter((r) => !r.free)
    .map((r) => `port ${r.port} (${r.key}) is already in use by another process; stop it or set ${r.env}`);
}
