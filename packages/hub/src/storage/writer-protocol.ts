import type { StoredLog, WriteBatch } from './row-writer.ts';

export interface WriterInit {
  file: string;
  batch: number;
  retention: { maxAgeMs: number; maxBytes: number; intervalMs: number };
}

export type ToWriter = ({ type: 'write'; id: number } & WriteBatch) | { type: 'close' };

export type FromWriter =
  | { type: 'ready' }
  | { type: 'done'; ids: number[]; spans: number; logs: StoredLog[] }
  | { type: 'failed'; ids: number[]; message: string }
  | { type: 'retention'; spans: number; logs: number }
  | { type: 'retention_error'; message: string }
  | { type: 'closed' };
