import { parseArgs } from 'node:util';
import { varLayout } from '../paths.ts';
import { readState } from '../run-state.ts';
import { table } from '../table.ts';

export const usage = `usage: vigil urls [--var-dir <dir>]

Prints the URL of every component of the running stack. Exit code 3 when vigil is not running.`;

export async function run(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { 'var-dir': { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    strict: true,
  });
  if (values.help) {
    console.log(usage);
    return 0;
  }
  const state = readState(varLayout(values['var-dir']).stateFile);
  if (!state) {
    console.log("vigil is not running; start it with 'make start' (or 'vigil start').");
    return 3;
  }
  console.log(table(state.components.map((c) => [c.name, c.url])));
  return 0;
}
