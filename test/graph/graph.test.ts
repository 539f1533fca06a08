import { describe, expect, it } from 'vitest';
import { IdentityGraph } from '../../src/graph/graph.js';
import { deriveOwnership, ownerOf } from '../../src/graph/derive.js';
import type { Provenance } from '../../src/model/types.js';

const prov = (source: string): Provenance => ({ connector: 'aws', source, observedAt: '2026-01-01T00:00:00.000Z' });

describe('IdentityGraph', () => {
  it('merges the same node from two sources: later values win, tags merge, provenance accumulates', () => {
    const g = new IdentityGraph();
    g.add({ type: 'node', node: { id: 'aws:iam-user:u', kind: 'principal', platform: 'aws', type: 'iam-user', name: 'u', accountType: 'unknown', tags: { a: '1' }, provenance: [prov('authz')] } });
    g.add({ type: 'node', node: { id: 'aws:iam-user:u', kind: 'principal', platform: 'aws', type: 'iam-user', name: 'u', accountType: 'human', tags: { b: '2' }, provenance: [prov('report')] } });
    g.add({ type: 'node', node: { id: 'aws:iam-user:u', kind: 'principal', platform: 'aws', type: 'iam-user', name: 'u', accountType: 'unknown', provenance: [prov('report')] } });
    const n = g.node('aws:iam-user:u')!;
    expect(n.kind === 'principal' && n.accountType).toBe('human');
    expect(n.tags).toEqual({ a: '1', b: '2' });
    expect(n.provenance.map((p) => p.source)).toEqual(['authz', 'report']);
  });

  it('refuses a node id reported as two kinds', () => {
    const g = new IdentityGraph();
    g.addNode({ id: 'x', kind: 'resource', platform: 'aws', type: 'account', name: 'x', provenance: [] });
    expect(() => g.addNode({ id: 'x', kind: 'credential', platform: 'aws', type: 'access-key', name: 'x', credentialType: 'access-key', active: true, provenance: [] })).toThrow(/both resource and credential/);
  });

  it('dedupes edges and indexes both directions', () => {
    const g = new IdentityGraph();
    g.addEdge({ type: 'GRANTED', from: 'a', to: 'p', attributes: { via: 'attached' }, provenance: [prov('x')] });
    g.addEdge({ type: 'GRANTED', from: 'a', to: 'p', provenance: [prov('y')] });
    expect(g.edges).toHaveLength(1);
    expect(g.out('a', 'GRANTED')[0].provenance).toHaveLength(2);
    expect(g.in('p')[0].from).toBe('a');
    expect(g.out('a', 'MEMBER_OF')).toEqual([]);
  });

  it('finds entitlements through groups and the latest activity across usage and credentials', () => {
    const g = new IdentityGraph();
    g.addNode({ id: 'u', kind: 'principal', platform: 'aws', type: 'iam-user', name: 'u', accountType: 'service', provenance: [] });
    g.addNode({ id: 'grp', kind: 'principal', platform: 'aws', type: 'iam-group', name: 'g', accountType: 'system', provenance: [] });
    g.addNode({ id: 'pol', kind: 'entitlement', platform: 'aws', type: 'managed-policy', name: 'p', entitlementType: 'managed-policy', provenance: [] });
    g.addNode({ id: 'k', kind: 'credential', platform: 'aws', type: 'access-key', name: 'k', credentialType: 'access-key', active: true, lastUsedAt: '2026-03-01T00:00:00.000Z', provenance: [] });
    g.addEdge({ type: 'MEMBER_OF', from: 'u', to: 'grp', provenance: [] });
    g.addEdge({ type: 'GRANTED', from: 'grp', to: 'pol', provenance: [] });
    g.addEdge({ type: 'HAS_CREDENTIAL', from: 'u', to: 'k', provenance: [] });
    g.addUsage({ nodeId: 'u', scope: { kind: 'any' }, lastUsedAt: '2026-02-01T00:00:00.000Z', provenance: prov('report') });
    expect(g.entitlementsOf('u').map((e) => [e.entitlement.id, e.via])).toEqual([['pol', 'grp']]);
    expect(g.lastActivity('u')?.lastUsedAt).toBe('2026-03-01T00:00:00.000Z');
    expect(g.holderOf('k')?.id).toBe('u');
    expect(g.lastActivity('grp')).toBeUndefined();
  });

  it('derives OWNED_BY from the first configured owner tag, case-insensitively', () => {
    const g = new IdentityGraph();
    g.addNode({ id: 'r1', kind: 'principal', platform: 'aws', type: 'iam-role', name: 'r1', accountType: 'service', tags: { Team: 'payments', owner: 'alice' }, provenance: [] });
    g.addNode({ id: 'r2', kind: 'principal', platform: 'aws', type: 'iam-role', name: 'r2', accountType: 'service', tags: { owner: '  ' }, provenance: [] });
    deriveOwnership(g, ['owner', 'team']);
    expect(ownerOf(g, 'r1')).toBe('alice');
    expect(ownerOf(g, 'r2')).toBeUndefined();
    deriveOwnership(g, ['team']);
    expect(g.out('r1', 'OWNED_BY').map((e) => e.to).sort()).toEqual(['meta:owner:alice', 'meta:owner:payments']);
  });
});
