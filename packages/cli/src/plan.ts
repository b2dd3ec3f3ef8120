import type { Component, StartContext } from './component.ts';
import { CliError } from './errors.ts';
import { which } from './which.ts';

export interface Plan {
  /** In start order: every component comes after the ones it names in `after`. */
  readonly start: readonly Component[];
  readonly skipped: readonly { readonly name: string; readonly reason: string }[];
}

/** Exactly the components named in `only` (all registered when empty); unknown names are an error. */
export function selectComponents(registered: readonly Component[], only: readonly string[]): Component[] {
  if (only.length === 0) return [...registered];
  const known = new Set(registered.map((c) => c.name));
  const unknown = only.filter((n) => !known.has(n));
  if (unknown.length > 0) {
    throw new CliError(
      'UNKNOWN_COMPONENT',
      `unknown component(s): ${unknown.join(', ')}; known: ${[...known].join(', ')}`,
      2,
    );
  }
  return registered.filter((c) => only.includes(c.name));
}

/** Dependency order, otherwise registry order; `after` names outside the selection are ignored. */
export function orderComponents(selected: readonly Component[]): Component[] {
  const names = new Set(selected.map((c) => c.name));
  const done = new Set<string>();
  const visiting = new Set<string>();
  const byName = new Map(selected.map((c) => [c.name, c]));
  const out: Component[] = [];
  const visit = (c: Component, path: string[]): void => {
    if (done.has(c.name)) return;
    if (visiting.has(c.name)) {
      throw new CliError(
        'DEPENDENCY_CYCLE',
        `components depend on each other: ${[...path, c.name].join(' -> ')}`,
      );
    }
    visiting.add(c.name);
    for (const dep of c.after ?? []) if (names.has(dep)) visit(byName.get(dep)!, [...path, c.name]);
    visiting.delete(c.name);
    done.add(c.name);
    out.push(c);
  };
  for (const c of selected) visit(c, []);
  return out;
}

/** Drops components that skip themselves or (when optional) lack their binary; a required missing binary is an error. */
export function planStart(selected: readonly Component[], ctx: StartContext, path?: string): Plan {
  const start: Component[] = [];
  const skipped: { name: string; reason: string }[] = [];
  for (const c of orderComponents(selected)) {
    const reason = c.skip?.(ctx);
    if (reason) {
      skipped.push({ name: c.name, reason });
      continue;
    }
    const { cmd } = c.command(ctx);
    if (!which(cmd, path)) {
      const why = `'${cmd}' is not installed (not found on PATH)`;
      if (!c.optional) {
        throw new CliError(
          'MISSING_BINARY',
          `${c.name}: ${why}; run 'make start' so the bootstrap installs it`,
        );
      }
      skipped.push({ name: c.name, reason: `${why}; 'make start' installs it` });
      continue;
    }
    start.push(c);
  }
  return { start, skipped };
}
