/** True when `url` answers 2xx within `timeoutMs`. */
export async function probe(url: string, timeoutMs = 1000): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    await res.body?.cancel();
    return res.ok;
  } catch {
    return false;
  }
}

export type ReadyOutcome = { ready: true } | { ready: false; reason: string };

/** Polls `url` until 2xx, the deadline, or `gaveUp()` returns a reason (e.g. the process exited). */
export async function waitReady(
  url: string,
  deadlineMs: number,
  gaveUp: () => string | undefined = () => undefined,
  intervalMs = 150,
): Promise<ReadyOutcome> {
  const end = Date.now() + deadlineMs;
  for (;;) {
    const reason = gaveUp();
    if (reason) return { ready: false, reason };
    if (await probe(url, Math.min(2000, Math.max(200, end - Date.now())))) return { ready: true };
    if (Date.now() >= end) return { ready: false, reason: `not ready after ${deadlineMs / 1000} s (${url})` };
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
