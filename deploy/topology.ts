// Container host names and ports of the stack, from @vigil/topology (the one place names and
// ports are written). In containers a component's host name is its name.
import { type ComponentName, defaultPort, SERVICE_NAMES } from '@vigil/topology';

export interface Endpoint {
  readonly name: string;
  readonly host: string;
  readonly port: number;
}

const endpoint = (name: ComponentName): Endpoint => ({ name, host: name, port: defaultPort(name) });

export function deployTopology() {
  return {
    services: SERVICE_NAMES.map(endpoint),
    hub: { ...endpoint('hub'), otlpPort: defaultPort('hub.otlp') },
    smtpSink: { ...endpoint('smtp-sink'), httpPort: defaultPort('smtp-sink.http') },
    prometheusPort: defaultPort('prometheus'),
    alertmanagerPort: defaultPort('alertmanager'),
  };
}
