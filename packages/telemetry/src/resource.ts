import { defaultResource, type Resource, resourceFromAttributes } from '@opentelemetry/resources';
import type { TelemetryConfig } from './config.ts';

/** OTEL_RESOURCE_ATTRIBUTES first, then what Vigil fixes: the service identity always wins. */
export function createResource(config: TelemetryConfig): Resource {
  return defaultResource().merge(
    resourceFromAttributes({
      ...config.resourceAttributes,
      'service.name': config.service,
      'service.version': config.version,
      'service.instance.id': config.instanceId,
      'deployment.environment': config.environment,
      'deployment.environment.name': config.environment,
    }),
  );
}
