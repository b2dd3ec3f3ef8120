import { parseArgs } from 'node:util';
import { varLayout } from '../paths.ts';
import { stackStatus } from '../stack-status.ts';
import { displayPath, table } from '../table.ts';

export const usage = `usage: vigil status [--json] [--var-dir <dir>]

Shows each component vigil started: running or stopped, pid, port, ready (probed now), URL.
Exit code: 0 all running and ready, 1 something is not, 3 vigil is not running.`;

export async function run(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      json: { type: 'boolean' },
      'var-dir': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    console.log(usage);
    return 0;
  }
  const report = await stackStatus(varLayout(values['var-dir']));
  const healthy = report.supervisorAlive && report.components.every((c) => c.running && c.ready);
  if (values.json) {
    console.log(JSON.stringify(report, null, 2));
  } else if (!report.running) {
    console.log("vigil is not running; start it with 'make start' (or 'vigil start').");
  } else {
    console.log(
      report.supervisorAlive
        ? `vigil supervisor pid ${report.supervisorPid}, started ${report.startedAt}`
        : `the vigil supervisor (pid ${report.supervisorPid}) is gone; 'vigil stop' stops what it left running`,
    );
    const rows = [
      ['NAME', 'STATE', 'PID', 'PORT', 'READY', 'RESTARTS', 'URL', 'LOG'],
      ...report.components.map((c) => [
        c.name,
        c.running
          ? c.status === 'ready'
            ? 'running'
            : c.status
          : c.status === 'failed'
            ? 'failed'
            : 'stopped',
        c.pid ? String(c.pid) : '-',
        String(c.port),
        c.ready ? 'yes' : 'no',
        String(c.restarts),
        c.url,
        displayPath(c.log),
      ]),
    ];
    console.log(table(rows));
    for (const s of report.skipped) console.log(`- ${s.name}: skipped (${s.reason})`);
  }
  if (!report.running) return 3;
  return healthy ? 0 : 1;
}
