import { createServer } from 'node:net';
import { CliError } from './errors.ts';

/** The port in env var `name`, or `fallback`; a value that is not a TCP port is a clear error. */
export function portFromEnv(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const port = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new CliError('INVALID_PORT', `${name}=${JSON.stringify(raw)} is not a TCP port (1-65535)`, 2);
  }
  return port;
}

/** True when nothing listens on host:port (we could bind it a moment ago). */
export function isPortFree(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });
}
