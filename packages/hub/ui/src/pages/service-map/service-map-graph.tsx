import type { Dependency } from '../../api/types.ts';
import { serviceColour } from '../../lib/service-colour.ts';
import { Link } from '../../router/link.tsx';
import { layoutGraph, NODE_H, NODE_W } from './graph-layout.ts';

export function ServiceMapGraph({ services, deps }: { services: string[]; deps: Dependency[] }) {
  const g = layoutGraph(services, deps);
  return (
    <svg
      className="service-map"
      viewBox={`0 0 ${g.width} ${g.height}`}
      width={g.width}
      height={g.height}
      role="img"
      aria-label="Service dependency graph"
    >
      <title>Service dependency graph</title>
      <defs>
        <marker
          id="arrow"
          viewBox="0 0 10 10"
          refX="10"
          refY="5"
          markerWidth="7"
          markerHeight="7"
          orient="auto"
        >
          <path d="M0,0 L10,5 L0,10 z" fill="#64748b" />
        </marker>
        <marker
          id="arrow-error"
          viewBox="0 0 10 10"
          refX="10"
          refY="5"
          markerWidth="7"
          markerHeight="7"
          orient="auto"
        >
          <path d="M0,0 L10,5 L0,10 z" fill="#dc2626" />
        </marker>
      </defs>
      {g.edges.map((e) => {
        const errors = e.dep.errorCount ?? 0;
        const bad = errors > 0;
        return (
          <g
            key={`${e.dep.parent}->${e.dep.child}`}
            className={bad ? 'edge edge-error' : 'edge'}
            data-parent={e.dep.parent}
            data-child={e.dep.child}
          >
            <path d={e.d} markerEnd={bad ? 'url(#arrow-error)' : 'url(#arrow)'} />
            <text x={e.labelX} y={e.labelY} textAnchor="middle">
              {e.dep.callCount} call{e.dep.callCount === 1 ? '' : 's'}
              {bad ? ` · ${errors} error${errors === 1 ? '' : 's'}` : ''}
            </text>
          </g>
        );
      })}
      {g.nodes.map((n) => (
        <Link
          key={n.name}
          to={`/traces?service=${encodeURIComponent(n.name)}`}
          className="node"
          data-service={n.name}
        >
          <title>{`Search traces of ${n.name}`}</title>
          <rect className="node-box" x={n.x} y={n.y} width={NODE_W} height={NODE_H} rx={8} />
          <rect x={n.x} y={n.y} width={6} height={NODE_H} rx={3} fill={serviceColour(n.name)} />
          <text x={n.x + NODE_W / 2 + 3} y={n.y + NODE_H / 2 + 5} textAnchor="middle">
            {n.name}
          </text>
        </Link>
      ))}
    </svg>
  );
}
