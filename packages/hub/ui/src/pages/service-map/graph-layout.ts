import type { Dependency } from '../../api/types.ts';

export interface NodeBox {
  name: string;
  x: number;
  y: number;
  depth: number;
}

export interface EdgePath {
  dep: Dependency;
  d: string;
  labelX: number;
  labelY: number;
}

export interface GraphLayout {
  nodes: NodeBox[];
  edges: EdgePath[];
  width: number;
  height: number;
}

export const NODE_W = 170;
export const NODE_H = 44;
const COL_GAP = 150;
const ROW_GAP = 40;
const PAD = 30;

/** Layered layout: a service sits one column right of its shallowest caller; callers-of-nobody start at 0. */
export function layoutGraph(services: string[], deps: Dependency[]): GraphLayout {
  const names = [...new Set([...services, ...deps.flatMap((d) => [d.parent, d.child])])].sort();
  const callers = new Map<string, number>(names.map((n) => [n, 0]));
  for (const d of deps) if (d.parent !== d.child) callers.set(d.child, (callers.get(d.child) ?? 0) + 1);
  const depth = new Map<string, number>();
  let frontier = names.filter((n) => callers.get(n) === 0);
  if (frontier.length === 0 && names.length > 0) frontier = [names[0]!];
  for (const n of frontier) depth.set(n, 0);
  while (frontier.length > 0) {
    const next: string[] = [];
    for (const n of frontier) {
      for (const d of deps) {
        if (d.parent === n && !depth.has(d.child)) {
          depth.set(d.child, depth.get(n)! + 1);
          next.push(d.child);
        }
      }
    }
    frontier = next;
  }
  for (const n of names) if (!depth.has(n)) depth.set(n, 0);
  const columns: string[][] = [];
  for (const n of names) {
    const c = depth.get(n)!;
    const col = columns[c] ?? [];
    col.push(n);
    columns[c] = col;
  }
  const maxRows = Math.max(1, ...columns.map((c) => c?.length ?? 0));
  const height = PAD * 2 + maxRows * NODE_H + (maxRows - 1) * ROW_GAP;
  const nodes: NodeBox[] = [];
  columns.forEach((col, c) => {
    const colHeight = col.length * NODE_H + (col.length - 1) * ROW_GAP;
    const top = (height - colHeight) / 2;
    col.forEach((name, r) => {
      nodes.push({ name, depth: c, x: PAD + c * (NODE_W + COL_GAP), y: top + r * (NODE_H + ROW_GAP) });
    });
  });
  const at = new Map(nodes.map((n) => [n.name, n]));
  const edges: EdgePath[] = [];
  for (const dep of deps) {
    const a = at.get(dep.parent);
    const b = at.get(dep.child);
    if (!a || !b) continue;
    edges.push(edgePath(dep, a, b));
  }
  const width = PAD * 2 + columns.length * NODE_W + Math.max(columns.length - 1, 0) * COL_GAP;
  return { nodes, edges, width: Math.max(width, 300), height };
}

function edgePath(dep: Dependency, a: NodeBox, b: NodeBox): EdgePath {
  if (b.depth > a.depth) {
    const x1 = a.x + NODE_W;
    const y1 = a.y + NODE_H / 2;
    const x2 = b.x;
    const y2 = b.y + NODE_H / 2;
    const mx = (x1 + x2) / 2;
    return {
      dep,
      d: `M${x1},${y1} C${mx},${y1} ${mx},${y2} ${x2},${y2}`,
      labelX: mx,
      labelY: (y1 + y2) / 2 - 6,
    };
  }
  // Same column or a call back to the left: loop over the top of both boxes.
  const x1 = a.x + NODE_W / 2;
  const x2 = b.x + NODE_W / 2 + (a === b ? 30 : 0);
  const y1 = a.y;
  const y2 = b.y;
  const top = Math.min(y1, y2) - 40;
  return {
    dep,
    d: `M${x1},${y1} C${x1},${top} ${x2},${top} ${x2},${y2}`,
    labelX: (x1 + x2) / 2,
    labelY: top + 4,
  };
}
