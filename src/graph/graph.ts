import type {
  CoverageNote,
  CredentialNode,
  EdgeType,
  EntitlementNode,
  GraphRecord,
  IdentityEdge,
  IdentityNode,
  PrincipalNode,
  Provenance,
  UsageFact,
} from '../model/types.js';

/** Stable key of an edge: the same relation reported twice merges. */
export function edgeKey(e: Pick<IdentityEdge, 'type' | 'from' | 'to'>): string {
  return `${e.type}|${e.from}|${e.to}`;
}

function mergeProvenance(a: Provenance[], b: Provenance[]): Provenance[] {
  const seen = new Set(a.map((p) => `${p.connector}|${p.source}`));
  const out = [...a];
  for (const p of b) {
    const k = `${p.connector}|${p.source}`;
    if (!seen.has(k)) {
      seen.add(k);
      out.push(p);
    }
  }
  return out;
}

/** Later defined values win; objects (tags, attributes) merge key by key. */
function mergeNode(a: IdentityNode, b: IdentityNode): IdentityNode {
  if (a.kind !== b.kind) {
    throw new Error(`node ${a.id} reported as both ${a.kind} and ${b.kind}`);
  }
  const merged: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) {
    if (v === undefined) continue;
    if (k === 'provenance') continue;
    if ((k === 'tags' || k === 'attributes') && v && typeof v === 'object') {
      const before = (a as unknown as Record<string, Record<string, unknown> | undefined>)[k];
      const out: Record<string, unknown> = { ...(before ?? {}), ...(v as object) };
      if (k === 'attributes') {
        const after = v as Record<string, unknown>;
        // an account scanned by one source and only named (in a trust) by another is in the scan; a principal seen
        // first-hand by one source is not external because another source only knew its ARN
        if (before?.inScan === true || after.inScan === true) out.inScan = true;
        if (before?.external === true && after.external !== true) delete out.external;
        else if (after.external === true && before && before.external !== true) delete out.external;
      }
      merged[k] = out;
      continue;
    }
    // an unknown account type never overrides a known one
    if (k === 'accountType' && v === 'unknown' && merged[k] !== undefined) continue;
    merged[k] = v;
  }
  merged.provenance = mergeProvenance(a.provenance, b.provenance);
  return merged as unknown as IdentityNode;
}

/**
 * The merged identity graph of one scan. Connectors' records go in through `add`; rules and reports read it.
 * Reads are indexed (out/in edges by node, usage by node) so rules stay linear in the estate's size.
 */
export class IdentityGraph {
  readonly nodes = new Map<string, IdentityNode>();
  private readonly edgeMap = new Map<string, IdentityEdge>();
  private readonly outIndex = new Map<string, IdentityEdge[]>();
  private readonly inIndex = new Map<string, IdentityEdge[]>();
  private readonly usageIndex = new Map<string, UsageFact[]>();
  readonly usage: UsageFact[] = [];
  readonly coverage: CoverageNote[] = [];

  static from(records: Iterable<GraphRecord>): IdentityGraph {
    const g = new IdentityGraph();
    for (const r of records) g.add(r);
    return g;
  }

  /** one shared instance per provenance (connector, source, time), alone and as a one-entry list */
  private readonly provenanceMemo = new Map<string, { one: Provenance; list: Provenance[] }>();

  /**
   * Records of one scan carry the same few provenances (`aws`, `file:authz.json`, one time) on every node, edge and
   * usage fact: share them instead of keeping a copy per record (on a large estate that is a tenth of the graph).
   * Provenance is never changed in place (merges build new lists), so sharing is safe.
   */
  private sharedProvenance(p: Provenance): { one: Provenance; list: Provenance[] } | undefined {
    if (!p || typeof p.connector !== 'string' || typeof p.source !== 'string' || typeof p.observedAt !== 'string') return undefined;
    const key = `${p.connector}\u0000${p.source}\u0000${p.observedAt}`;
    let hit = this.provenanceMemo.get(key);
    if (!hit && this.provenanceMemo.size < 10_000) this.provenanceMemo.set(key, (hit = { one: p, list: [p] }));
    return hit;
  }

  private sharedList(list: Provenance[]): Provenance[] {
    if (!Array.isArray(list) || list.length !== 1) return list;
    return this.sharedProvenance(list[0])?.list ?? list;
  }

  add(record: GraphRecord): void {
    switch (record.type) {
      case 'node':
        {
          const provenance = this.sharedList(record.node.provenance);
          this.addNode(provenance === record.node.provenance ? record.node : ({ ...record.node, provenance } as IdentityNode));
        }
        break;
      case 'edge':
        {
          const provenance = this.sharedList(record.edge.provenance);
          this.addEdge(provenance === record.edge.provenance ? record.edge : { ...record.edge, provenance });
        }
        break;
      case 'usage':
        {
          const provenance = this.sharedProvenance(record.usage.provenance)?.one ?? record.usage.provenance;
          this.addUsage(provenance === record.usage.provenance ? record.usage : { ...record.usage, provenance });
        }
        break;
      case 'coverage':
        this.coverage.push(record.coverage);
        break;
      case 'target':
        break; // collected by the engine into ConnectorRun.targets
      default:
        throw new Error(`unknown record type ${(record as { type: string }).type}`);
    }
  }

  addNode(node: IdentityNode): void {
    const existing = this.nodes.get(node.id);
    this.nodes.set(node.id, existing ? mergeNode(existing, node) : node);
  }

  /** How many distinct edges the graph holds (with `nodes.size`, tells a cache whether the graph grew). */
  get edgeCount(): number {
    return this.edgeMap.size;
  }

  addEdge(edge: IdentityEdge): void {
    const key = edgeKey(edge);
    const existing = this.edgeMap.get(key);
    if (existing) {
      existing.attributes = { ...(existing.attributes ?? {}), ...(edge.attributes ?? {}) };
      existing.provenance = mergeProvenance(existing.provenance, edge.provenance);
      return;
    }
    const copy = { ...edge };
    this.edgeMap.set(key, copy);
    push(this.outIndex, edge.from, copy);
    push(this.inIndex, edge.to, copy);
  }

  addUsage(u: UsageFact): void {
    this.usage.push(u);
    push(this.usageIndex, u.nodeId, u);
  }

  get edges(): IdentityEdge[] {
    return [...this.edgeMap.values()];
  }

  node(id: string): IdentityNode | undefined {
    return this.nodes.get(id);
  }

  out(id: string, type?: EdgeType): IdentityEdge[] {
    const all = this.outIndex.get(id) ?? [];
    return type ? all.filter((e) => e.type === type) : all;
  }

  in(id: string, type?: EdgeType): IdentityEdge[] {
    const all = this.inIndex.get(id) ?? [];
    return type ? all.filter((e) => e.type === type) : all;
  }

  usageFor(id: string): UsageFact[] {
    return this.usageIndex.get(id) ?? [];
  }

  *principals(): Iterable<PrincipalNode> {
    for (const n of this.nodes.values()) if (n.kind === 'principal') yield n;
  }

  *credentials(): Iterable<CredentialNode> {
    for (const n of this.nodes.values()) if (n.kind === 'credential') yield n;
  }

  *entitlements(): Iterable<EntitlementNode> {
    for (const n of this.nodes.values()) if (n.kind === 'entitlement') yield n;
  }

  /** Credentials held directly by a principal. */
  credentialsOf(principalId: string): CredentialNode[] {
    return this.out(principalId, 'HAS_CREDENTIAL')
      .map((e) => this.nodes.get(e.to))
      .filter((n): n is CredentialNode => n?.kind === 'credential');
  }

  /** The principal that holds a credential, if known. */
  holderOf(credentialId: string): PrincipalNode | undefined {
    for (const e of this.in(credentialId, 'HAS_CREDENTIAL')) {
      const n = this.nodes.get(e.from);
      if (n?.kind === 'principal') return n;
    }
    return undefined;
  }

  /**
   * Entitlements that apply to a principal: granted directly and through the groups it is a member of.
   * Each comes with the route (`direct` or the group's id). Permission boundaries are returned with via `boundary`.
   */
  entitlementsOf(principalId: string): Array<{ entitlement: EntitlementNode; via: string; edge: IdentityEdge }> {
    const out: Array<{ entitlement: EntitlementNode; via: string; edge: IdentityEdge }> = [];
    const visit = (id: string, via: string, seen: Set<string>) => {
      if (seen.has(id)) return;
      seen.add(id);
      for (const e of this.out(id, 'GRANTED')) {
        const n = this.nodes.get(e.to);
        if (n?.kind === 'entitlement') out.push({ entitlement: n, via, edge: e });
      }
      for (const e of this.out(id, 'MEMBER_OF')) visit(e.to, e.to, seen);
    };
    visit(principalId, 'direct', new Set());
    return out;
  }

  /**
   * The most recent activity known for a principal: its own `any` usage facts and the last use of its credentials.
   * Returns `{ lastUsedAt: null }` when every source says "never", and `undefined` when nothing is known at all.
   */
  lastActivity(principalId: string): { lastUsedAt: string | null; sources: Array<UsageFact | CredentialNode> } | undefined {
    const sources: Array<UsageFact | CredentialNode> = [];
    let latest: string | null = null;
    let known = false;
    for (const u of this.usageFor(principalId)) {
      if (u.scope.kind !== 'any') continue;
      known = true;
      sources.push(u);
      if (u.lastUsedAt && (!latest || u.lastUsedAt > latest)) latest = u.lastUsedAt;
    }
    for (const c of this.credentialsOf(principalId)) {
      if (c.lastUsedAt === undefined) continue;
      known = true;
      sources.push(c);
      if (c.lastUsedAt && (!latest || c.lastUsedAt > latest)) latest = c.lastUsedAt;
    }
    return known ? { lastUsedAt: latest, sources } : undefined;
  }

  stats(): { nodes: number; edges: number; usage: number; coverage: number; byType: Record<string, number> } {
    const byType: Record<string, number> = {};
    for (const n of this.nodes.values()) {
      const k = `${n.platform}:${n.type}`;
      byType[k] = (byType[k] ?? 0) + 1;
    }
    return { nodes: this.nodes.size, edges: this.edgeMap.size, usage: this.usage.length, coverage: this.coverage.length, byType };
  }
}

function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const arr = m.get(k);
  if (arr) arr.push(v);
  else m.set(k, [v]);
}

/**
 * The latest explicit start among an identity's usage records (usage facts with `window.start`, credentials with
 * `attributes.usageRecordedSince`): the date from which all of them cover. Undefined when none says.
 */
export function usageRecordStart(sources: Array<UsageFact | CredentialNode>): string | undefined {
  const starts = sources
    .map((s) => ('kind' in s ? (typeof s.attributes?.usageRecordedSince === 'string' ? s.attributes.usageRecordedSince : undefined) : s.window?.start))
    .filter((t): t is string => Boolean(t))
    .sort();
  return starts.at(-1);
}
