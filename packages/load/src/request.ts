// A scenario step turned into undici dispatch options once, before the run: a step without
// templates gets one options object (method, path, headers as a flat array, the JSON body
// serialised to a Buffer) that every request reuses; a templated step renders only what varies.
import type { Dispatcher } from 'undici';
import type { Step } from './scenario.ts';
import type { StepRecorder } from './stats.ts';
import { hasTemplate, render, renderString, type TemplateContext } from './template.ts';

export interface CompiledStep {
  readonly step: Step;
  /** `journey/step`. */
  readonly key: string;
  readonly rec: StepRecorder;
  /** The options of every request when nothing in the step is templated, else null. */
  readonly fixed: Dispatcher.DispatchOptions | null;
  /** JSON checks or extracts read the body; otherwise it is discarded unread. */
  readonly needBody: boolean;
  /** Variable names and the JSON paths they are extracted from. */
  readonly extract: ReadonlyArray<readonly [string, string]>;
  /** Lower-cased header names and their (template) values. */
  readonly headers: ReadonlyArray<readonly [string, string]>;
  readonly addContentType: boolean;
}

export function compileStep(step: Step, key: string, rec: StepRecorder): CompiledStep {
  const headers = Object.entries(step.headers).map(([k, v]) => [k.toLowerCase(), v] as const);
  const hasBody = step.json !== undefined;
  const addContentType = hasBody && !headers.some(([k]) => k === 'content-type');
  const c = {
    step,
    key,
    rec,
    fixed: null as Dispatcher.DispatchOptions | null,
    needBody: step.check.json.length > 0 || Object.keys(step.extract).length > 0,
    extract: Object.entries(step.extract),
    headers,
    addContentType,
  };
  const templated =
    step.path.includes('{{') || headers.some(([, v]) => v.includes('{{')) || hasTemplate(step.json);
  if (!templated) {
    const none: TemplateContext = { vars: {}, data: {} };
    c.fixed = build(c, none, hasBody ? Buffer.from(JSON.stringify(step.json)) : undefined);
  }
  return c;
}

function build(
  c: CompiledStep,
  ctx: TemplateContext,
  body: Buffer | string | undefined,
): Dispatcher.DispatchOptions {
  const headers: string[] = [];
  for (const [k, v] of c.headers) headers.push(k, renderString(v, ctx));
  if (c.addContentType) headers.push('content-type', 'application/json');
  const { step } = c;
  return {
    method: step.method,
    path: renderString(step.path, ctx),
    headers,
    body,
    ...(step.timeout ? { headersTimeout: step.timeout, bodyTimeout: step.timeout } : {}),
  };
}

/** The options of one request of `c` (rendering its templates against `ctx`); throws on a bad template. */
export function requestOptions(c: CompiledStep, ctx: TemplateContext): Dispatcher.DispatchOptions {
  if (c.fixed) return c.fixed;
  const { json } = c.step;
  return build(c, ctx, json === undefined ? undefined : JSON.stringify(render(json, ctx)));
}
