/**
 * The escalation analysis: the "can become" edges of every platform, joined into one directed graph, and the
 * shortest paths over it — from any identity to an admin-equivalent identity (or an admin sink), and from one
 * identity to everything it can become.
 *
 * Cost is linear in the edges: one multi-source breadth-first search backwards from every admin gives each node its
 * distance to admin and the next hop of a shortest path; `nhi paths` runs one forward search from one start. Paths
 * made only of `allowed` edges are preferred over shorter ones that need a `conditional` hop: a certain path of three
 * hops is a better finding than a two-hop path that depends on a condition nobody can check.
 */
import type { BecomeEdge, EdgeProducer, EscalationPath, PathContext, PathHop } from './types.js';

export interface AdminInfo {
  id: string;
  why: string;
}

export interface Reach {
  /** hops from the start */
  dist: number;
  /** the hops of one shortest path from the start */
  hops: PathHop[];
}

export interface PathAnalysis {
  edges: readonly BecomeEdge[];
  /** outgoing edges per node */
  out: ReadonlyMap<string, readonly BecomeEdge[]>;
  /** admin-equivalent identities and admin sinks, with why */
  admins: ReadonlyMap<string, AdminInfo>;
  /** the shortest path from `start` to an admin (certain paths first), or undefined when there is none */
  pathToAdmin(start: string): EscalationPath | undefined;
  /** everything `start` can become, nearest first (breadth-first, ties by id), with one shortest path each */
  reachable(start: string, maxHops?: number): Array<{ id: string } & Reach>;
  /** nodes from which an admin can be reached (admins themselves excluded) */
  escalating(): string[];
  /** time spent, for the benchmark and --verbose */
  timings: { edgesMs: number; searchMs: number };
}

/** A node's distance to the nearest source and the first edge of a shortest path (null: a source itself). */
export interface Step {
  dist: number;
  edge: BecomeEdge | null;
}

/**
 * Hub nodes (`meta:hub:...`) stand for "every target of this kind" so that a principal allowed on `*` gets one edge to
 * the hub instead of one per target; leaving a hub costs nothing, so hubs never lengthen a path.
 */
export function isHub(id: string): boolean {
  return id.startsWith('meta:hub:');
}

const weight = (e: BecomeEdge) => (isHub(e.from) ? 0 : 1);

/**
 * Multi-source 0-1 breadth-first search on reversed edges: for every node that can reach a source (admins; for
 * `nhi who-can`, the direct holders of a permission), the distance to the nearest one and the first edge of a
 * shortest path. Leaving a hub costs nothing; `usable` restricts the edges (certain ones only, or any), `maxHops`
 * the distance.
 */
export function searchBack(
  sources: Iterable<string>,
  incoming: ReadonlyMap<string, readonly BecomeEdge[]>,
  usable: (e: BecomeEdge) => boolean,
  maxHops = Number.POSITIVE_INFINITY,
): Map<string, Step> {
  const best = new Map<string, Step>();
  // a deque as two stacks of levels: zero-weight relaxations stay on the current level
  let level: string[] = [];
  for (const a of [...sources].sort()) {
    if (best.has(a)) continue;
    best.set(a, { dist: 0, edge: null });
    level.push(a);
  }
  let d = 0;
  while (level.length > 0) {
    const nextLevel: string[] = [];
    for (let i = 0; i < level.length; i++) {
      const node = level[i];
      if (best.get(node)!.dist !== d) continue;
      for (const e of incoming.get(node) ?? []) {
        if (!usable(e)) continue;
        const nd = d + weight(e);
        if (nd > maxHops) continue;
        const cur = best.get(e.from);
        if (cur !== undefined && cur.dist <= nd) continue;
        best.set(e.from, { dist: nd, edge: e });
        if (nd === d) level.push(e.from);
        else nextLevel.push(e.from);
      }
    }
    level = nextLevel.sort();
    d++;
  }
  return best;
}

function edgeOrder(a: BecomeEdge, b: BecomeEdge): number {
  return a.to < b.to ? -1 : a.to > b.to ? 1 : a.method < b.method ? -1 : a.method > b.method ? 1 : 0;
}

/**
 * Run the producers and index their edges. Edges that repeat (same from, to and method) are merged, keeping the
 * surest one; self-loops are dropped.
 */
export function analyzePaths(ctx: PathContext, producers: readonly EdgeProducer[]): PathAnalysis {
  const t0 = performance.now();
  const rank = (e: BecomeEdge) => (e.decision === 'allowed' ? 2 : 0) + (e.confidence === 'high' ? 1 : e.confidence === 'medium' ? 0.5 : 0);
  const admins = new Map<string, AdminInfo>();
  // edges grouped by where they start as they come; repeats are merged after sorting each group (no key strings)
  const out = new Map<string, BecomeEdge[]>();
  for (const p of producers) {
    for (const e of p.edges(ctx)) {
      if (e.from === e.to) continue;
      const list = out.get(e.from);
      if (list) list.push(e);
      else out.set(e.from, [e]);
    }
    for (const a of p.admins(ctx)) if (!admins.has(a.id)) admins.set(a.id, { id: a.id, why: a.why });
  }
  const edges: BecomeEdge[] = [];
  for (const [from, list] of out) {
    // stable sort: among repeats of one (to, method) the first yielded stays first, and only a surer one replaces it
    list.sort(edgeOrder);
    const kept: BecomeEdge[] = [];
    for (const e of list) {
      const last = kept[kept.length - 1];
      if (last && last.to === e.to && last.method === e.method) {
        if (rank(e) > rank(last)) kept[kept.length - 1] = e;
        continue;
      }
      kept.push(e);
    }
    out.set(from, kept);
    for (const e of kept) edges.push(e);
  }
  // an admin sink is an admin by definition
  for (const e of edges) if (e.to.startsWith('meta:admin:') && !admins.has(e.to)) admins.set(e.to, { id: e.to, why: 'can grant itself any permission' });
  const incoming = new Map<string, BecomeEdge[]>();
  for (const e of edges) {
    const list = incoming.get(e.to);
    if (list) list.push(e);
    else incoming.set(e.to, [e]);
  }
  for (const list of incoming.values()) list.sort((a, b) => (a.from < b.from ? -1 : a.from > b.from ? 1 : edgeOrder(a, b)));
  const edgesMs = performance.now() - t0;

  const t1 = performance.now();
  const certain = searchBack(admins.keys(), incoming, (e) => e.decision === 'allowed');
  const any = searchBack(admins.keys(), incoming, () => true);
  const searchMs = performance.now() - t1;

  const follow = (start: string, table: Map<string, Step>): EscalationPath | undefined => {
    if (!table.get(start)?.edge) return undefined; // not reachable, or an admin itself
    const hops: PathHop[] = [];
    let cur: string = start;
    for (let step = table.get(cur); step?.edge; step = table.get(cur)) {
      hops.push({ from: cur, to: step.edge.to, edge: step.edge });
      cur = step.edge.to;
      if (hops.length > table.size) break; // defensive: tables come from BFS, so this never happens
    }
    return { start, end: cur, hops };
  };

  return {
    edges,
    out,
    admins,
    timings: { edgesMs: Math.round(edgesMs), searchMs: Math.round(searchMs) },
    pathToAdmin: (start) => (admins.has(start) ? undefined : (follow(start, certain) ?? follow(start, any))),
    escalating: () => [...any.entries()].filter(([id, v]) => v.edge !== null && !admins.has(id) && !isHub(id)).map(([id]) => id).sort(),
    reachable(start, maxHops = Number.POSITIVE_INFINITY) {
      const seen = new Map<string, Reach>([[start, { dist: 0, hops: [] }]]);
      let frontier = [start];
      const found: Array<{ id: string } & Reach> = [];
      while (frontier.length > 0) {
        const next: string[] = [];
        for (let i = 0; i < frontier.length; i++) {
          const node = frontier[i];
          const here = seen.get(node)!;
          if (here.dist >= maxHops && !isHub(node)) continue;
          for (const e of out.get(node) ?? []) {
            if (seen.has(e.to)) continue;
            const reach = { dist: here.dist + weight(e), hops: [...here.hops, { from: node, to: e.to, edge: e }] };
            seen.set(e.to, reach);
            if (!isHub(e.to)) found.push({ id: e.to, ...reach });
            // leaving a hub is free: its targets belong to this level
            if (isHub(e.to)) frontier.push(e.to);
            else next.push(e.to);
          }
        }
        frontier = next.sort();
      }
      return found.sort((a, b) => a.dist - b.dist || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    },
  };
}

/** The weakest confidence and the combined decision along a path. */
export function pathStrength(path: EscalationPath): { decision: 'allowed' | 'conditional'; confidence: 'high' | 'medium' | 'low'; unknownKeys: string[]; dependsOn: string[] } {
  let decision: 'allowed' | 'conditional' = 'allowed';
  let confidence: 'high' | 'medium' | 'low' = 'high';
  const keys = new Set<string>();
  const deps = new Set<string>();
  for (const h of path.hops) {
    if (h.edge.decision === 'conditional') decision = 'conditional';
    if (h.edge.confidence === 'low' || (h.edge.confidence === 'medium' && confidence === 'high')) confidence = h.edge.confidence;
    for (const k of h.edge.unknownKeys) keys.add(k);
    if (h.edge.dependsOn) deps.add(h.edge.dependsOn);
  }
  return { decision, confidence, unknownKeys: [...keys].sort(), dependsOn: [...deps] };
}
