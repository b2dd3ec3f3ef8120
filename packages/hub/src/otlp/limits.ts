/** Per-item limits applied while converting OTLP values; exceeding them truncates, never rejects. */
export interface ValueLimits {
  readonly maxAttributes: number;
  readonly maxValueLength: number;
  readonly maxDepth: number;
}

export const TRUNCATED_MARKER = '…[truncated]';
export const DEPTH_MARKER = '…[truncated: too deep]';
