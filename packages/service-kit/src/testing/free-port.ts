import { createServer } from 'node:net';

// Ports come from 10000–29999, below Linux's ephemeral range (32768+), so the kernel never hands
// one of them to a listen(0) or an outgoing connection meanwhile; and each parallel test worker
// (VITEST_POOL_ID) has its own slice, so two test files never pick the same port between our
// check and the service's bind. A port found by binding port 0 could be given out again at once.
const RANGE_START = 10_000;
const SLICE = 2_500;
const SLICES = 8;
const slice = Number(process.env.VITEST_POOL_ID ?? process.pid) % SLICES;
const base = RANGE_START + slice * SLICE;
let cursor = Math.floor(Math.random() * SLICE);

function canBind(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** A TCP port free on `host` now and not handed out before by this process (the caller should bind soon). */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  for (let tried = 0; tried < SLICE; tried++) {
    const port = base + (cursor++ % SLICE);
    if (await canBind(port, host)) return port;
  }
  throw new Error(`no free port in ${base}–${base + SLICE - 1} on ${host}`);
}

/** `n` distinct free ports. */
export async function freePorts(n: number, host = '127.0.0.1'): Promise<number[]> {
  const ports: number[] = [];
  for (let i = 0; i < n; i++) ports.push(await freePort(host));
  return ports;
}
