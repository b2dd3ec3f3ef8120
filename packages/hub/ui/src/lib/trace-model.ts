import type { KeyValue, Span, Trace } from '../api/types.ts';

export interface SpanNode {
  span: Span;
  service: string;
  depth: number;
  error: boolean;
  children: SpanNode[];
}

export interface TraceModel {
  traceId: string;
  start: number;
  end: number;
  duration: number;
  /** Depth-first order: each span right after its parent, siblings by start time. */
  rows: SpanNode[];
  byId: Map<string, SpanNode>;
  services: string[];
  root: SpanNode | undefined;
  errorCount: number;
}

export function tagValue(tags: KeyValue[], key: string): KeyValue['value'] | undefined {
  return tags.find((t) => t.key === key)?.value;
}

export function isErrorSpan(span: Span): boolean {
  const error = tagValue(span.tags, 'error');
  return error === true || error === 'true' || tagValue(span.tags, 'otel.status_code') === 'ERROR';
}

export function parentId(span: Span): string | undefined {
  return span.references.find((r) => r.refType === 'CHILD_OF' && r.traceID === span.traceID)?.spanID;
}

export function buildTraceModel(trace: Trace): TraceModel {
  const byId = new Map<string, SpanNode>();
  for (const span of trace.spans) {
    byId.set(span.spanID, {
      span,
      service: trace.processes[span.processID]?.serviceName ?? 'unknown',
      depth: 0,
      error: isErrorSpan(span),
      children: [],
    });
  }
  const roots: SpanNode[] = [];
  for (const node of byId.values()) {
    const pid = parentId(node.span);
    const parent = pid ? byId.get(pid) : undefined;
    if (parent && parent !== node) parent.children.push(node);
    else roots.push(node);
  }
  const byStart = (a: SpanNode, b: SpanNode) => a.span.startTime - b.span.startTime;
  roots.sort(byStart);
  const rows: SpanNode[] = [];
  const seen = new Set<SpanNode>();
  const stack = roots.map((n) => ({ node: n, depth: 0 })).reverse();
  while (stack.length > 0) {
    const { node, depth } = stack.pop()!;
    if (seen.has(node)) continue;
    seen.add(node);
    node.depth = depth;
    rows.push(node);
    node.children.sort(byStart);
    for (let i = node.children.length - 1; i >= 0; i--)
      stack.push({ node: node.children[i]!, depth: depth + 1 });
  }
  let start = Number.POSITIVE_INFINITY;
  let end = 0;
  const services: string[] = [];
  let errorCount = 0;
  for (const n of rows) {
    start = Math.min(start, n.span.startTime);
    end = Math.max(end, n.span.startTime + n.span.duration);
    if (!services.includes(n.service)) services.push(n.service);
    if (n.error) errorCount++;
  }
  if (rows.length === 0) start = 0;
  return {
    traceId: trace.traceID,
    start,
    end,
    duration: Math.max(end - start, 0),
    rows,
    byId,
    services,
    root: roots[0],
    errorCount,
  };
}

/** Span ids from the parent of `spanId` up to its root (cycles in bad data end the walk). */
export function ancestors(model: TraceModel, spanId: string): string[] {
  const out: string[] = [];
  let node = model.byId.get(spanId);
  while (node) {
    const pid = parentId(node.span);
    if (!pid || out.includes(pid) || out.length >= model.rows.length) break;
    out.push(pid);
    node = model.byId.get(pid);
  }
  return out;
}
