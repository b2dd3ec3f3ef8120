import { randomUUID } from 'node:crypto';

/** Values a template can read: the iteration's variables and the scenario's data pools. */
export interface TemplateContext {
  readonly vars: Readonly<Record<string, unknown>>;
  readonly data: Readonly<Record<string, readonly unknown[]>>;
}

const WHOLE = /^\{\{\s*([^}]+?)\s*\}\}$/;
const ANY = /\{\{\s*([^}]+?)\s*\}\}/g;

/**
 * One template expression: a variable name, `uuid`, `random <min> <max>` (integer, inclusive),
 * `pick <pool>` (a random element of data.<pool>), or `now` (epoch ms).
 */
export function evaluate(expr: string, ctx: TemplateContext): unknown {
  const [head, ...args] = expr.split(/\s+/);
  switch (head) {
    case 'uuid':
      return randomUUID();
    case 'now':
      return Date.now();
    case 'random': {
      const [min, max] = args.map(Number);
      if (!Number.isInteger(min) || !Number.isInteger(max) || max! < min!)
        throw new Error(`{{${expr}}}: random needs two integers min <= max`);
      return min! + Math.floor(Math.random() * (max! - min! + 1));
    }
    case 'pick': {
      const pool = ctx.data[args[0] ?? ''];
      if (!pool) throw new Error(`{{${expr}}}: no data pool '${args[0]}'`);
      return pool[Math.floor(Math.random() * pool.length)];
    }
    default:
      if (head !== undefined && Object.hasOwn(ctx.vars, head)) return ctx.vars[head];
      throw new Error(`{{${expr}}}: unknown variable '${head}'`);
  }
}

/** Renders strings inside any JSON value; a string that is exactly one template keeps the value's type. */
export function render(value: unknown, ctx: TemplateContext): unknown {
  if (typeof value === 'string') {
    const whole = WHOLE.exec(value);
    if (whole) return evaluate(whole[1]!, ctx);
    return value.includes('{{') ? value.replace(ANY, (_, e: string) => String(evaluate(e, ctx))) : value;
  }
  if (Array.isArray(value)) return value.map((v) => render(v, ctx));
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, render(v, ctx)]));
  return value;
}

/** True when any string inside the JSON value holds a template: such a value is rendered per request. */
export function hasTemplate(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('{{');
  if (Array.isArray(value)) return value.some(hasTemplate);
  if (value !== null && typeof value === 'object') return Object.values(value).some(hasTemplate);
  return false;
}

export function renderString(value: string, ctx: TemplateContext): string {
  return value.includes('{{') ? value.replace(ANY, (_, e: string) => String(evaluate(e, ctx))) : value;
}

/** A dotted path into JSON (`items.0.id`, `items.length`; `*` picks a random element); undefined when absent. */
export function jsonPath(body: unknown, path: string): unknown {
  let current: unknown = body;
  for (const part of path.split('.')) {
    if (current === null || current === undefined) return undefined;
    if (Array.isArray(current)) {
      if (part === 'length') current = current.length;
      else if (part === '*') current = current[Math.floor(Math.random() * current.length)];
      else current = /^[0-9]+$/.test(part) ? current[Number(part)] : undefined;
    } else if (typeof current === 'object') {
      current = Object.hasOwn(current, part) ? (current as Record<string, unknown>)[part] : undefined;
    } else return undefined;
  }
  return current;
}
