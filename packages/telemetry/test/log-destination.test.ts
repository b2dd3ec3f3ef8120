import { closeSync, mkdtempSync, openSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '@vigil/service-kit/testing';
import { describe, expect, it } from 'vitest';
import { createBatchedDestination } from '../src/log-destination.ts';

const tempFile = () => join(mkdtempSync(join(tmpdir(), 'vigil-logdest-')), 'out.log');

describe('batched log destination', () => {
  it('writes every line, in order, at the end of the event-loop turn', async () => {
    const file = tempFile();
    const fd = openSync(file, 'w');
    const destination = createBatchedDestination(fd);
    for (let i = 0; i < 1000; i++) destination.write(`{"n":${i}}\n`);
    expect(readFileSync(file, 'utf8')).toBe(''); // nothing written synchronously per line
    const text = await waitFor(() => {
      const content = readFileSync(file, 'utf8');
      return content.split('\n').length === 1001 ? content : undefined;
    });
    expect(
      text
        .split('\n')
        .slice(0, -1)
        .map((l) => JSON.parse(l).n),
    ).toEqual([...Array(1000).keys()]);
    closeSync(fd);
  });

  it('flushSync writes what is buffered immediately; beyond the bound lines are dropped and counted', () => {
    const file = tempFile();
    const fd = openSync(file, 'w');
    const destination = createBatchedDestination(fd, 100);
    for (let i = 0; i < 20; i++) destination.write('0123456789\n'); // 11 chars each: 9 fit in 100
    destination.flushSync();
    expect(readFileSync(file, 'utf8')).toBe('0123456789\n'.repeat(9));
    expect(destination.dropped()).toBe(11);
    closeSync(fd);
  });

  it('counts lines as dropped when the descriptor is unusable, without throwing', () => {
    const destination = createBatchedDestination(987654);
    destination.write('lost\n');
    expect(() => destination.flushSync()).not.toThrow();
    expect(destination.dropped()).toBeGreaterThanOrEqual(1);
  });
});
