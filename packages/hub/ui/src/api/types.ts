export interface KeyValue {
  key: string;
  type: 'string' | 'bool' | 'int64' | 'float64';
  value: string | number | boolean;
}

export interface SpanReference {
  refType: 'CHILD_OF' | 'FOLLOWS_FROM';
  traceID: string;
  spanID: string;
}

export interface SpanLog {
  timestamp: number;
  fields: KeyValue[];
}

export interface Span {
  traceID: string;
  spanID: string;
  operationName: string;
  references: SpanReference[];
  flags: number;
  startTime: number;
  duration: number;
  tags: KeyValue[];
  logs: SpanLog[];
  processID: string;
  warnings: string[] | null;
}

export interface Process {
  serviceName: string;
  tags: KeyValue[];
}

export interface Trace {
  traceID: string;
  spans: Span[];
  processes: Record<string, Process>;
  warnings: string[] | null;
}

export interface Dependency {
  parent: string;
  child: string;
  callCount: number;
  errorCount?: number;
}

export interface LogRecord {
  id: string | number;
  time: string;
  time_unix_nano: string;
  service: string;
  level: string;
  severity_number: number;
  body: string;
  trace_id: string | null;
  span_id: string | null;
  attributes: Record<string, unknown>;
}

export interface JaegerList<T> {
  data: T[] | null;
}

export interface LogPage {
  data: LogRecord[];
  next_cursor: string | null;
}
