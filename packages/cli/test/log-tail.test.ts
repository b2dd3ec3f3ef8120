import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fileSize, logTail } from '../src/log-tail.ts';

describe('logTail', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-tail-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('returns the last lines written after an offset, nothing for a missing file', () => {
    const file = join(dir, 'a.log');
    expect(logTail(file)).toBe('');
    expect(fileSize(file)).toBe(0);
    appendFileSync(file, 'old 1\nold 2\n');
    const offset = fileSize(file);
    expect(logTail(file, 20, offset)).toBe('');
    appendFileSync(file, Array.from({ length: 30 }, (_, i) => `new ${i}`).join('\n') + '\n');
    expect(logTail(file, 3, offset)).toBe('new 27\nnew 28\nnew 29');
    expect(logTail(file, 100, offset).split('\n')).toHaveLength(30);
    expect(logTail(file, 100)).toContain('old 1');
  });
});
