import { waitFor as poll } from '@vigil/service-kit/testing';

/**
 * `waitFor` of @vigil/service-kit/testing with the argument order these tests use: `what` first.
 * undefined and false mean "not yet" (so a probe written as a plain comparison still waits); any other
 * value (0 and '' included) ends the wait and is returned.
 */
export async function waitFor<T>(
  what: string,
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  options: { timeoutMs: number; intervalMs?: number },
): Promise<T> {
  const boxed = await poll(
    async () => {
      const value = await probe();
      return value === undefined || value === false ? undefined : { value };
    },
    { intervalMs: 100, ...options, description: what },
  );
  return boxed.value;
}

/** GET url and resolve true on a 2xx; any failure is false. */
export async function answers(url: string): Promise<true | undefined> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
    await res.arrayBuffer();
    return res.ok ? true : undefined;
  } catch {
    return undefined;
  }
}
