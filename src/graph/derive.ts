import type { IdentityGraph } from './graph.js';

export const DEFAULT_OWNER_TAG_KEYS = ['owner', 'team', 'contact'];

/**
 * Edges computed after all connectors have merged: OWNED_BY from every principal carrying an owner tag
 * (keys compared case-insensitively, first configured key wins) to a `meta:owner:<value>` resource.
 */
export function deriveOwnership(graph: IdentityGraph, ownerTagKeys: string[] = DEFAULT_OWNER_TAG_KEYS): void {
  const keys = ownerTagKeys.map((k) => k.toLowerCase());
  const observedAt = new Date(0).toISOString();
  for (const p of [...graph.principals()]) {
    if (!p.tags) continue;
    const lower = new Map(Object.entries(p.tags).map(([k, v]) => [k.toLowerCase(), { key: k, value: v }]));
    const hit = keys.map((k) => lower.get(k)).find((t) => t && t.value.trim() !== '');
    if (!hit) continue;
    const value = hit.value.trim();
    const ownerId = `meta:owner:${value}`;
    const provenance = [{ connector: 'nhi', source: `tag:${hit.key}`, observedAt: p.provenance[0]?.observedAt ?? observedAt }];
    graph.addNode({ id: ownerId, kind: 'resource', platform: 'meta', type: 'owner', name: value, provenance });
    graph.addEdge({ type: 'OWNED_BY', from: p.id, to: ownerId, attributes: { tag: hit.key }, provenance });
  }
}

/** The owner of a node (value of its OWNED_BY target), if any. */
export function ownerOf(graph: IdentityGraph, nodeId: string): string | undefined {
  const e = graph.out(nodeId, 'OWNED_BY')[0];
  return e ? graph.node(e.to)?.name : undefined;
}
