import { describe, expect, it } from 'vitest';
import { diffScans, driftIsEmpty, renderDriftText } from '../../src/drift/diff.js';
import { IdentityGraph } from '../../src/graph/graph.js';
import type { Finding, GraphRecord } from '../../src/model/types.js';

const prov = [{ connector: 'aws', source: 'test', observedAt: '2026-11-01T00:00:00.000Z' }];
const user = (name: string, tags?: Record<string, string>): GraphRecord => ({
  type: 'node',
  node: { id: `aws:iam-user:${name}`, kind: 'principal', platform: 'aws', type: 'iam-user', name, accountType: 'service', tags, provenance: prov },
});
const key = (id: string, createdAt: string, active = true): GraphRecord => ({
  type: 'node',
  node: { id: `aws:access-key:${id}`, kind: 'credential', platform: 'aws', type: 'access-key', name: id, credentialType: 'access-key', active, createdAt, provenance: prov },
});
const edge = (type: string, from: string, to: string): GraphRecord => ({ type: 'edge', edge: { type, from, to, provenance: prov } });
const owner = (name: string): GraphRecord => edge('OWNED_BY', `aws:iam-user:${name}`, 'meta:owner:team-a');
const policy: GraphRecord = { type: 'node', node: { id: 'aws:managed-policy:admin', kind: 'entitlement', platform: 'aws', type: 'managed-policy', name: 'AdministratorAccess', entitlementType: 'managed-policy', provenance: prov } };
const finding = (fp: string, severity: Finding['severity'] = 'high'): Finding => ({ ruleId: 'r', severity, confidence: 'high', nodeId: 'aws:iam-user:ci', message: `m ${fp}`, evidence: [], fingerprint: fp });

describe('drift between two scans', () => {
  it('reports nothing for identical scans', () => {
    const records = [user('ci'), key('AKIA1', '2026-01-01T00:00:00.000Z'), edge('HAS_CREDENTIAL', 'aws:iam-user:ci', 'aws:access-key:AKIA1')];
    const d = diffScans({ graph: IdentityGraph.from(records), findings: [finding('a')] }, { graph: IdentityGraph.from(records), findings: [finding('a')] });
    expect(driftIsEmpty(d)).toBe(true);
    expect(d.findings.unchanged).toBe(1);
    expect(renderDriftText(d)).toMatch(/^No change since/);
  });

  it('finds new and resolved findings, identities, keys, rotations, grants and lost owners', () => {
    const before = IdentityGraph.from([user('ci'), user('old'), owner('ci'), key('AKIA1', '2025-01-01T00:00:00.000Z'), key('AKIA2', '2025-02-01T00:00:00.000Z', false), key('AKIAGONE', '2024-01-01T00:00:00.000Z'), policy]);
    const after = IdentityGraph.from([
      user('ci'),
      user('new-bot'),
      key('AKIA1', '2026-10-01T00:00:00.000Z'), // rotated: same slot id, new creation date
      key('AKIA2', '2025-02-01T00:00:00.000Z', true), // re-activated
      key('AKIA3', '2026-10-02T00:00:00.000Z'),
      policy,
      edge('GRANTED', 'aws:iam-user:new-bot', 'aws:managed-policy:admin'),
    ]);
    const d = diffScans({ graph: before, findings: [finding('a'), finding('b')], snapshotId: 7, asOf: '2026-10-01T00:00:00.000Z' }, { graph: after, findings: [finding('b'), finding('c', 'critical')] });
    expect(d.findings.new.map((f) => f.fingerprint)).toEqual(['c']);
    expect(d.findings.resolved.map((f) => f.fingerprint)).toEqual(['a']);
    expect(d.identities.added.map((n) => n.name)).toEqual(['new-bot']);
    expect(d.identities.removed.map((n) => n.name)).toEqual(['old']);
    expect(d.credentials.added.map((n) => n.name)).toEqual(['AKIA3']);
    expect(d.credentials.removed.map((n) => n.name)).toEqual(['AKIAGONE']);
    expect(d.credentials.changed.map((n) => n.name)).toEqual(['AKIA1', 'AKIA2']);
    expect(d.grants.added).toEqual([{ type: 'GRANTED', from: 'aws:iam-user:new-bot', to: 'aws:managed-policy:admin', fromName: 'new-bot', toName: 'AdministratorAccess' }]);
    expect(d.ownersGone.map((n) => n.name)).toEqual(['ci']);
    const text = renderDriftText(d, { max: 1 });
    expect(text).toContain('Changes since snapshot 7 (2026-10-01)');
    expect(text).toContain('+ new-bot GRANTED AdministratorAccess');
    expect(text).toContain('… and 1 more');
  });
});
