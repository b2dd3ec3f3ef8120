import type { ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import {
  encodeTraces,
  freePorts,
  getJson,
  postOtlp,
  randomHex,
  spawnHub,
  tempDir,
  waitFor,
} from './helpers.ts';

const dir = tempDir('hub-crash-');
const children: ChildProcess[] = [];

afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

describe('crash safety', () => {
  it('survives kill -9 during ingest: integrity ok and every acknowledged batch is present', async () => {
    const [api, otlp] = await freePorts(2);
    const ports = { api: api!, otlp: otlp! };
    const first = await spawnHub(dir, ports);
    children.push(first);

    const acked: string[] = [];
    let stop = false;
    const pump = async () => {
      while (!stop) {
        const traceId = randomHex(16);
        const body = encodeTraces(
          'crash',
          Array.from({ length: 250 }, () => ({
            traceId,
            spanId: randomHex(8),
            attributes: { k: 'v'.repeat(50) },
          })),
        );
        try {
          const res = await postOtlp(`http://127.0.0.1:${ports.otlp}/v1/traces`, body);
          if (res.status === 200) acked.push(traceId);
        } catch {
          return; // connection cut by the kill
        }
      }
    };
    const pumps = Array.from({ length: 6 }, pump);
    await waitFor(() => acked.length >= 40, { description: 'some acknowledged batches', timeoutMs: 20_000 });
    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));
    stop = true;
    await Promise.all(pumps);
    const ackedBeforeKill = [...acked];
    expect(ackedBeforeKill.length).toBeGreaterThanOrEqual(40);

    const db = new Database(join(dir, 'hub.db'));
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    const perTrace = db.prepare('SELECT count(*) FROM spans WHERE trace_id = ?').pluck();
    for (const id of ackedBeforeKill) expect(perTrace.get(Buffer.from(id, 'hex'))).toBe(250);
    // Transactions are all-or-nothing: no batch is half-written.
    const partial = db
      .prepare(
        'SELECT count(*) FROM (SELECT trace_id, count(*) AS n FROM spans GROUP BY trace_id HAVING n <> 250)',
      )
      .pluck()
      .get();
    expect(partial).toBe(0);
    db.close();

    const second = await spawnHub(dir, ports);
    children.push(second);
    const sample = ackedBeforeKill[0]!;
    const trace = await getJson(`http://127.0.0.1:${ports.api}/api/traces/${sample}`);
    expect(trace.body.data[0].spans).toHaveLength(250);
    const more = await postOtlp(
      `http://127.0.0.1:${ports.otlp}/v1/traces`,
      encodeTraces('after-crash', [{ traceId: randomHex(16), spanId: randomHex(8) }]),
    );
    expect(more.status).toBe(200);
    second.kill('SIGTERM');
    const code = await new Promise((r) => second.once('exit', r));
    expect(code).toBe(0);
    // Two hub start-ups (each allowed 60 s under load by spawnHub) and the ingest in between.
  }, 200_000);
});
