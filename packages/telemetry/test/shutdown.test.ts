import { waitFor } from '@vigil/service-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FixtureProcess, startFixture } from './support/fixture-process.ts';
import { type OtlpReceiver, startOtlpReceiver } from './support/otlp-receiver.ts';

let receiver: OtlpReceiver;
let service: FixtureProcess;

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  service = await startFixture({ FIXTURE_SERVICE: 'sigterm-svc', OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url });
});

afterAll(async () => {
  await service?.stop();
  await receiver?.close();
});

interface Outcome {
  sentAt: number;
  doneAt?: number;
  status?: number;
  traceId?: string | null;
  /** Set when the request failed; `afterHeaders` means a response had begun and was cut. */
  error?: { message: string; afterHeaders: boolean };
}

describe('SIGTERM during load', () => {
  it('finishes every in-flight request, exits 0 and exports the spans of the last requests', async () => {
    const outcomes: Outcome[] = [];
    let stop = false;
    const worker = async () => {
      while (!stop) {
        const outcome: Outcome = { sentAt: performance.now() };
        outcomes.push(outcome);
        let response: Response | undefined;
        try {
          response = await fetch(`${service.url}/slow?ms=300`);
          outcome.status = response.status;
          outcome.traceId = response.headers.get('x-trace-id');
          await response.text();
          outcome.doneAt = performance.now();
        } catch (err) {
          outcome.error = { message: String(err), afterHeaders: response !== undefined };
          return; // the server is gone: this worker is done
        }
      }
    };
    const workers = Array.from({ length: 16 }, worker);
    await waitFor(() => outcomes.filter((o) => o.status === 200).length >= 32, {
      timeoutMs: 15_000,
      description: 'steady load',
    });
    // Signal while several requests have been inside their 300 ms handler for a while.
    await waitFor(
      () =>
        outcomes.filter((o) => o.status === undefined && !o.error && performance.now() - o.sentAt > 100)
          .length >= 8,
      { timeoutMs: 5_000, intervalMs: 5, description: 'requests in flight' },
    );

    const signalAt = performance.now();
    service.child.kill('SIGTERM');
    const exit = await service.exit;
    stop = true;
    await Promise.all(workers);

    expect(exit).toEqual({ code: 0, signal: null });
    // Sent well before the signal means the handler was already sleeping: each must complete with 200.
    const sentBefore = outcomes.filter((o) => o.sentAt < signalAt - 50);
    expect(sentBefore.filter((o) => o.status !== 200)).toEqual([]);
    const inFlightAtSignal = sentBefore.filter((o) => (o.doneAt ?? Number.POSITIVE_INFINITY) > signalAt);
    expect(inFlightAtSignal.length).toBeGreaterThanOrEqual(8);
    // After the signal the service may refuse (503 or a closed connection) but never cuts a started response.
    expect(outcomes.filter((o) => o.error?.afterHeaders)).toEqual([]);
    expect(outcomes.filter((o) => o.status !== undefined && o.status !== 200 && o.status !== 503)).toEqual(
      [],
    );

    const served = outcomes.filter((o) => o.status === 200).map((o) => o.traceId);
    const exported = new Set(receiver.spans.filter((s) => s.service === 'sigterm-svc').map((s) => s.traceId));
    expect(served.filter((id) => !exported.has(id ?? ''))).toEqual([]);
    expect(service.logs.map((l) => l.event)).toEqual(
      expect.arrayContaining(['shutdown_started', 'shutdown_complete']),
    );
  });
});
