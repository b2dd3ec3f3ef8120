import { closeSync, fstatSync, openSync, readSync, statSync } from 'node:fs';

/**
 * The last `lines` lines of a file written after byte `from` (reads at most the last 64 KiB),
 * so a failure report shows this run's output, not an earlier run's; '' when there are none.
 */
export function logTail(file: string, lines = 20, from = 0): string {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return '';
  }
  try {
    const size = fstatSync(fd).size;
    const length = Math.max(0, Math.min(size - from, 64 * 1024));
    const buf = Buffer.alloc(length);
    readSync(fd, buf, 0, length, size - length);
    return buf.toString('utf8').split('\n').filter(Boolean).slice(-lines).join('\n');
  } finally {
    closeSync(fd);
  }
}

export function fileSize(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}
