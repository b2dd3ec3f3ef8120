import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ManagedProcess } from './managed-process.ts';
import { startProcess } from './managed-process.ts';
import { repoRoot } from './monitoring-stack.ts';
import { answers, waitFor } from './wait-for.ts';

const REAL_ENTRY = 'services/user/src/server.ts';
const FIXTURE_ENTRY = 'test/monitoring/alerting-support/fixture-service.ts';

/**
 * The real user-service once @vigil/telemetry can run it; until then the fixture service with
 * the same RED metrics. VIGIL_MONITORING_TEST_SERVICE=fixture|real forces one.
 */
export function serviceUnderTestKind(): 'real' | 'fixture' {
  const forced = process.env.VIGIL_MONITORING_TEST_SERVICE;
  if (forced === 'real' || forced === 'fixture') return forced;
  const telemetryReady = existsSync(join(repoRoot, 'packages/telemetry/src/index.ts'));
  return telemetryReady && existsSync(join(repoRoot, REAL_ENTRY)) ? 'real' : 'fixture';
}

export interface ServiceUnderTest {
  readonly kind: 'real' | 'fixture';
  readonly service: string;
  readonly url: string;
  /** Starts (or restarts) the process on the same port and waits until it is ready. */
  start(): Promise<void>;
  /** SIGKILL: a crash, not a graceful stop. */
  kill(): Promise<void>;
  close(): Promise<void>;
}

/** `service` other than user-service always runs the fixture under that name. */
export function serviceUnderTest(port: number, service = 'user-service'): ServiceUnderTest {
  const kind = service === 'user-service' ? serviceUnderTestKind() : 'fixture';
  const dataDir = mkdtempSync(join(tmpdir(), 'vigil-sut-'));
  const url = `http://127.0.0.1:${port}`;
  let proc: ManagedProcess | undefined;
  return {
    kind,
    service,
    url,
    async start() {
      const env: NodeJS.ProcessEnv = {
        ...process.env,
        PORT: String(port),
        HOST: '127.0.0.1',
        SERVICE_NAME: service,
        VIGIL_DATA_DIR: dataDir,
        LOG_LEVEL: 'warn',
      };
      delete env.OTEL_EXPORTER_OTLP_ENDPOINT;
      const running = startProcess(
        service,
        process.execPath,
        [kind === 'real' ? REAL_ENTRY : FIXTURE_ENTRY],
        {
          env,
          cwd: repoRoot,
        },
      );
      proc = running;
      await waitFor(`${kind} ${service} ready`, () => answers(`${url}/health/ready`), {
        // A cold start of a real service takes tens of seconds on a loaded 2-core machine.
        timeoutMs: 60_000,
      }).catch((err) => {
        throw new Error(`${err.message}\n${running.output()}`);
      });
    },
    async kill() {
      await proc?.stop('SIGKILL');
    },
    async close() {
      await proc?.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
