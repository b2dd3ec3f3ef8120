import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Component } from './component.ts';
import { CliError } from './errors.ts';

/**
 * The built-in registry, or the `components` export of the module named by VIGIL_COMPONENTS_MODULE
 * (used by tests and for running a custom set of processes under the same supervisor).
 */
export async function loadRegistry(env: NodeJS.ProcessEnv = process.env): Promise<readonly Component[]> {
  const modulePath = env.VIGIL_COMPONENTS_MODULE;
  if (!modulePath) return (await import('./components.ts')).components;
  const mod = (await import(pathToFileURL(resolve(modulePath)).href)) as { components?: unknown };
  if (!Array.isArray(mod.components)) {
    throw new CliError('INVALID_REGISTRY', `${modulePath} does not export an array named 'components'`, 2);
  }
  return mod.components as Component[];
}
