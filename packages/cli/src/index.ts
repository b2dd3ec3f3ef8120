export { readAdminToken } from './admin-token.ts';
export { type CommandEntry, type CommandModule, commands } from './command-map.ts';
export type { Component, ComponentCommand, ExtraPort, StartContext } from './component.ts';
export { components, fromTopology, nodeProcess } from './components.ts';
export { CliError } from './errors.ts';
export { repoRoot, type VarLayout, varLayout } from './paths.ts';
export { type ComponentState, type RunState, readState } from './run-state.ts';
