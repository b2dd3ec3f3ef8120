import { commands } from './command-map.ts';
import { CliError } from './errors.ts';

export function usage(): string {
  const width = Math.max(...Object.keys(commands).map((n) => n.length));
  const lines = Object.entries(commands).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return [
    'usage: vigil <command> [options]',
    '',
    'commands:',
    ...lines,
    '',
    "'vigil <command> --help' describes a command's options.",
  ].join('\n');
}

/** Dispatches argv (without node and the script) to a command; returns the exit code. */
export async function runCli(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    console.log(usage());
    return name === undefined ? 2 : 0;
  }
  const entry = Object.hasOwn(commands, name) ? commands[name] : undefined;
  if (!entry) {
    console.error(`vigil: unknown command '${name}'\n\n${usage()}`);
    return 2;
  }
  try {
    return await (await entry.load()).run(rest);
  } catch (err) {
    if (err instanceof CliError) {
      console.error(`vigil ${name} [${err.code}]: ${err.message}`);
      return err.exitCode;
    }
    const code = (err as NodeJS.ErrnoException).code;
    if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS')) {
      console.error(`vigil ${name}: ${(err as Error).message}\nsee 'vigil ${name} --help'`);
      return 2;
    }
    throw err;
  }
}
