export { applyDependencyFault, InjectedDependencyError } from './dependency-fault.ts';
export {
  createFaultRegistry,
  type DependencyFault,
  type FaultRegistry,
  faultRegistry,
  type RequestFaults,
} from './fault-registry.ts';
export {
  FAULT_KINDS,
  type Fault,
  type FaultKind,
  type FaultSpec,
  faultSpecSchema,
  MAX_TTL_SECONDS,
} from './fault-spec.ts';
export { type FaultsPluginOptions, faultsFastifyPlugin } from './faults-plugin.ts';
