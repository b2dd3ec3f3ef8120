import { writeSync } from 'node:fs';

export interface BatchedDestination {
  write(line: string): boolean;
  /** Write everything buffered now (shutdown, exit). */
  flushSync(): void;
  /** Lines dropped because the buffer was full or the descriptor is gone. */
  dropped(): number;
}

/**
 * stdout for JSON log lines, batched: lines are collected during an event-loop turn and written with
 * one write(2) at the end of it (setImmediate). sonic-boom's async mode re-measures its whole pending
 * buffer per line and pays a thread-pool round trip per write; at thousands of lines per second that
 * was the largest single cost of request logging. A reader that cannot keep up (EAGAIN) makes lines
 * wait in a bounded buffer; beyond the bound they are dropped and counted, never blocking requests.
 */
export function createBatchedDestination(fd = 1, maxBufferedChars = 16 * 1024 * 1024): BatchedDestination {
  let pending: string[] = [];
  let pendingChars = 0;
  let carry: Buffer | undefined; // the unwritten tail of a partial write
  let scheduled = false;
  let retryTimer: NodeJS.Timeout | undefined;
  let dropped = 0;
  let broken = false;

  function take(): Buffer | string | undefined {
    if (pendingChars === 0 && carry === undefined) return undefined;
    const text = pending.length === 1 ? (pending[0] as string) : pending.join('');
    pending = [];
    pendingChars = 0;
    if (carry === undefined) return text;
    const out = Buffer.concat([carry, Buffer.from(text)]);
    carry = undefined;
    return out;
  }

  /** Returns false when the descriptor would block (the data is kept for later). */
  function writeOut(data: Buffer | string): boolean {
    try {
      const written = typeof data === 'string' ? writeSync(fd, data) : writeSync(fd, data, 0, data.length);
      const total = typeof data === 'string' ? Buffer.byteLength(data) : data.length;
      if (written < total) {
        carry = (typeof data === 'string' ? Buffer.from(data) : data).subarray(written);
        return false;
      }
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EAGAIN') {
        carry = typeof data === 'string' ? Buffer.from(data) : data;
        return false;
      }
      // EPIPE, EBADF…: nobody is reading; count what is lost instead of throwing into the host.
      broken = true;
      dropped++;
      return true;
    }
  }

  function flush(): void {
    scheduled = false;
    if (retryTimer !== undefined) return;
    const data = take();
    if (data !== undefined && !writeOut(data)) {
      retryTimer = setTimeout(() => {
        retryTimer = undefined;
        flush();
      }, 10);
      retryTimer.unref();
    }
  }

  return {
    write(line) {
      if (broken || pendingChars + line.length > maxBufferedChars) {
        dropped++;
        return true;
      }
      pending.push(line);
      pendingChars += line.length;
      if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
      return true;
    },
    flushSync() {
      const deadline = Date.now() + 1000;
      let data = take();
      while (data !== undefined && !broken) {
        if (writeOut(data)) break;
        if (Date.now() > deadline) break;
        data = take();
      }
    },
    dropped: () => dropped,
  };
}
