import { serviceColour } from '../lib/service-colour.ts';

export function ServiceChip({ service, count }: { service: string; count?: number }) {
  return (
    <span className="chip" data-service={service}>
      <span className="chip-dot" style={{ background: serviceColour(service) }} />
      {service}
      {count !== undefined && count > 1 ? <span className="chip-count">{count}</span> : null}
    </span>
  );
}
