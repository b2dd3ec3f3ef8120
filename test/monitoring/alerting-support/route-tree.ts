// A model of Alertmanager's route matching, used only to tell which route decided a case
// (amtool prints receivers, not routes). The test checks it agrees with amtool on every case.

export interface RouteNode {
  readonly id: string;
  readonly receiver: string;
  readonly matchers: readonly Matcher[];
  readonly continue: boolean;
  readonly children: readonly RouteNode[];
}

export interface Matcher {
  readonly name: string;
  readonly op: '=' | '!=' | '=~' | '!~';
  readonly value: string;
}

type RawRoute = { receiver?: string; matchers?: string[]; continue?: boolean; routes?: RawRoute[] };

export function parseMatcher(text: string): Matcher {
  const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(=~|!~|!=|=)\s*"?(.*?)"?\s*$/.exec(text);
  if (!m) throw new Error(`cannot parse matcher ${text}`);
  return { name: m[1]!, op: m[2] as Matcher['op'], value: m[3]! };
}

export function buildTree(raw: RawRoute, inherited = '', id = 'root'): RouteNode {
  const receiver = raw.receiver ?? inherited;
  return {
    id,
    receiver,
    matchers: (raw.matchers ?? []).map(parseMatcher),
    continue: raw.continue ?? false,
    children: (raw.routes ?? []).map((child, i) => buildTree(child, receiver, `${id}.${i}`)),
  };
}

function matches(matcher: Matcher, labels: Record<string, string>): boolean {
  const value = labels[matcher.name] ?? '';
  const regex = () => new RegExp(`^(?:${matcher.value})$`);
  switch (matcher.op) {
    case '=':
      return value === matcher.value;
    case '!=':
      return value !== matcher.value;
    case '=~':
      return regex().test(value);
    case '!~':
      return !regex().test(value);
  }
}

/** The routes that decide where `labels` go, in Alertmanager's order (as in dispatch/route.go). */
export function decidingRoutes(node: RouteNode, labels: Record<string, string>): RouteNode[] {
  if (!node.matchers.every((m) => matches(m, labels))) return [];
  const all: RouteNode[] = [];
  for (const child of node.children) {
    const found = decidingRoutes(child, labels);
    all.push(...found);
    if (found.length > 0 && !child.continue) break;
  }
  return all.length > 0 ? all : [node];
}

export function allRoutes(node: RouteNode): RouteNode[] {
  return [node, ...node.children.flatMap(allRoutes)];
}
