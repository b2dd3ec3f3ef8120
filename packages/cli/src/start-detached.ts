import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { fileSize } from './log-tail.ts';
import type { VarLayout } from './paths.ts';
import { readState } from './run-state.ts';

const MAIN = fileURLToPath(new URL('./main.ts', import.meta.url));

/**
 * `vigil start --detach`: runs the supervisor in the background (output to var/log/vigil.log),
 * waits until it reports every component ready or exits, and prints what it printed.
 */
export async function startDetached(
  layout: VarLayout,
  only: readonly string[],
  print: (text: string) => void,
  deadlineMs = 10 * 60_000,
): Promise<number> {
  mkdirSync(layout.logDir, { recursive: true });
  const offset = fileSize(layout.supervisorLog);
  const fd = openSync(layout.supervisorLog, 'a');
  const args = [
    MAIN,
    'start',
    '--supervise-detached',
    '--var-dir',
    layout.varDir,
    ...only.flatMap((o) => ['--only', o]),
  ];
  const child = spawn(process.execPath, args, { detached: true, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  child.unref();
  let exitCode: number | undefined;
  child.once('exit', (code, signal) => {
    exitCode = code ?? (signal ? 1 : 0);
  });
  child.once('error', () => {
    exitCode = 1;
  });

  // Interrupting the wait stops the background supervisor too, instead of leaving a half-started stack.
  let interrupted = false;
  const interrupt = (): void => {
    interrupted = true;
    if (child.pid && exitCode === undefined) process.kill(child.pid, 'SIGTERM');
  };
  process.once('SIGINT', interrupt);
  process.once('SIGTERM', interrupt);

  const end = Date.now() + deadlineMs;
  let printed = offset;
  const flush = (): void => {
    const text = readFrom(layout.supervisorLog, printed);
    printed += Buffer.byteLength(text);
    if (text) print(text.replace(/\n$/, ''));
  };
  for (;;) {
    flush();
    const state = readState(layout.stateFile);
    if (state && state.supervisor.pid === child.pid && state.state === 'ready') {
      flush();
      return 0;
    }
    if (exitCode !== undefined) {
      flush();
      if (interrupted) print('interrupted: the background supervisor stopped what it had started.');
      return exitCode === 0 ? 1 : exitCode;
    }
    if (Date.now() > end) {
      print(
        `the background supervisor (pid ${child.pid}) is not ready after ${deadlineMs / 1000} s; see ${layout.supervisorLog}`,
      );
      return 1;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

function readFrom(file: string, offset: number): string {
  try {
    const buf = readFileSync(file);
    // Stop at the last complete line so a line being written is printed whole next time.
    const end = buf.lastIndexOf(10) + 1;
    return end > offset ? buf.subarray(offset, end).toString('utf8') : '';
  } catch {
    return '';
  }
}
