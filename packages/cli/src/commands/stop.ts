import { parseArgs } from 'node:util';
import { varLayout } from '../paths.ts';
import { stopStack } from '../stop-stack.ts';

export const usage = `usage: vigil stop [--var-dir <dir>]

Stops everything 'vigil start' started (from any terminal): SIGTERM, then SIGKILL after 10 s.`;

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
  return stopStack(varLayout(values['var-dir']), (line) => console.log(line));
}
