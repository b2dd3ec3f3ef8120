import { parseArgs } from 'node:util';
import { LONG_TERM_ENV } from '../monitoring/index.ts';
import { varLayout } from '../paths.ts';
import { startDetached } from '../start-detached.ts';
import { startStack } from '../start-stack.ts';

export const usage = `usage: vigil start [--detach] [--long-term] [--only <name>[,<name>…]] [--var-dir <dir>]

Starts the local stack as supervised processes: checks every port is free first, starts the
components in dependency order, waits until each is ready, prints their URLs and log files,
then stays in the foreground restarting any that die. Ctrl-C or 'vigil stop' stops everything.

  -d, --detach       run the supervisor in the background; return once everything is ready
      --long-term    also run VictoriaMetrics (Debian victoria-metrics) as Prometheus'
                     remote_write target: a long-term store on 127.0.0.1:8428 (docs/scaling.md)
      --only <names> start only these components (comma-separated or repeated)
      --var-dir <dir> where logs, data and run state go (default: VIGIL_VAR_DIR or <repo>/var)
  -h, --help         this text

Ports come from the environment (USER_SERVICE_PORT, PRODUCT_SERVICE_PORT, HUB_PORT, …).`;

export async function run(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      detach: { type: 'boolean', short: 'd' },
      'long-term': { type: 'boolean' },
      only: { type: 'string', multiple: true },
      'var-dir': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
      // Internal: the background supervisor that --detach spawns.
      'supervise-detached': { type: 'boolean' },
    },
    strict: true,
  });
  if (values.help) {
    console.log(usage);
    return 0;
  }
  // An environment variable, so the detached supervisor (a child process) sees it too.
  if (values['long-term']) process.env[LONG_TERM_ENV] = '1';
  const layout = varLayout(values['var-dir']);
  const only = (values.only ?? [])
    .flatMap((o) => o.split(','))
    .map((o) => o.trim())
    .filter(Boolean);
  if (values.detach) return startDetached(layout, only, (text) => console.log(text));
  return startStack({
    layout,
    only,
    detached: values['supervise-detached'] === true,
    say: (line) => console.log(line),
  });
}
