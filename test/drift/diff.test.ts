import { describe, expect, it } from 'vitest';
import { diffScans, driftIsEmpty, renderDriftText } from '../../src/drift/diff.js';
import { IdentityGraph } from '../../src/graph/graph.js';
import type { CoverageNote, Finding, GraphRecord } from '../../src/model/types.js';

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

describe('untrusted text in the drift summary', () => {
  const ESC = '\u001b';
  const hostile = {
    link: `${ESC}]8;;https://evil.example/${ESC}\\click me${ESC}]8;;${ESC}\\`,
    clear: `${ESC}[2J${ESC}[H`,
    injected: 'ci\n  resolved findings (99)\n    - [critical] all fixed',
    bidi: 'admin\u202egnp.exe',
  };

  it('removes escape sequences, control characters and injected lines from every estate value', () => {
    const records = Object.values(hostile).map((name, i) => user(`${name}-${i}`));
    const before = IdentityGraph.from([...records, policy]);
    const evil = (s: string): Finding => ({ ...finding(`x-${s.length}`), ruleId: `rule${hostile.clear}`, message: `key ${s} unused` });
    const after = IdentityGraph.from([
      { type: 'node', node: { id: 'aws:iam-user:new', kind: 'principal', platform: 'aws', type: `iam-user${hostile.clear}`, name: hostile.injected, accountType: 'service', provenance: prov } },
      { type: 'node', node: { id: 'aws:managed-policy:admin', kind: 'entitlement', platform: 'aws', type: 'managed-policy', name: hostile.link, entitlementType: 'managed-policy', provenance: prov } },
      edge('GRANTED', 'aws:iam-user:new', 'aws:managed-policy:admin'),
    ]);
    const d = diffScans(
      { graph: before, findings: Object.values(hostile).map(evil), snapshotId: 4, asOf: `2026-10-01${hostile.clear}` },
      { graph: after, findings: [evil(hostile.injected + hostile.link)] },
    );
    const text = renderDriftText(d, { max: 50 });
    expect(text).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e]/);
    expect(text).not.toContain('evil.example');
    // every line is one of ours: a heading, a section title, or an item starting with + - ~ ! ?
    for (const line of text.split('\n').slice(1)) expect(line).toMatch(/^ {2}(\S.* \(\d+\)|not re-checked:.*)$|^ {4}[+\-~!?…] /);
    expect(text.split('\n').filter((l) => /^\s*resolved findings/.test(l))).toHaveLength(1);
    expect(text).toContain('Changes since snapshot 4 (2026-10-01)');
    expect(text).toContain('click me');
  });
});

describe('findings and identities the newer scan could not re-check', () => {
  const scoped = (name: string, scope: string, connector = 'aws'): GraphRecord => ({
    type: 'node',
    node: { id: `aws:iam-user:${scope}/${name}`, kind: 'principal', platform: 'aws', type: 'iam-user', name, accountType: 'service', scope, provenance: [{ ...prov[0], connector }] },
  });
  const on = (node: string, fp: string): Finding => ({ ...finding(fp), nodeId: node });
  const gap = (over: Partial<CoverageNote> = {}): CoverageNote => ({ connector: 'aws', source: 'iam:ListUsers', reason: 'timeout', message: 'timed out', impact: 'users missing', incomplete: true, ...over });

  it('a vanished finding or identity is "not re-checked" only where the newer scan has an incomplete note', () => {
    const before = IdentityGraph.from([scoped('a', '111'), scoped('b', '222'), scoped('gh', 'acme', 'github')]);
    const after = IdentityGraph.from([]);
    const base = { graph: before, findings: [on('aws:iam-user:111/a', 'fa'), on('aws:iam-user:222/b', 'fb'), on('aws:iam-user:acme/gh', 'fg')], snapshotId: 1 };
    const d = diffScans(base, { graph: after, findings: [], coverage: [gap({ scope: '111' }), gap({ scope: '333', incomplete: false })] });
    expect(d.findings.notRechecked.map((f) => f.fingerprint)).toEqual(['fa']);
    expect(d.findings.resolved.map((f) => f.fingerprint)).toEqual(['fb', 'fg']);
    expect(d.identities.notRechecked.map((n) => n.name)).toEqual(['a']);
    expect(d.identities.removed.map((n) => n.name)).toEqual(['b', 'gh']);
    const text = renderDriftText(d);
    expect(text).toContain('findings not re-checked (their source could not be read this time) (1)');
    expect(text).toContain('not re-checked: 1 identities, 0 credentials and 0 grants were not seen');
    expect(text).not.toMatch(/resolved findings \(3\)/);
  });

  it('a note without a scope covers the whole connector; a failed connector resolves nothing of its own', () => {
    const before = IdentityGraph.from([scoped('a', '111'), scoped('gh', 'acme', 'github')]);
    const d = diffScans(
      { graph: before, findings: [on('aws:iam-user:111/a', 'fa'), on('aws:iam-user:acme/gh', 'fg'), on('github:deploy-key:gone', 'fk')] },
      { graph: IdentityGraph.from([]), findings: [], coverage: [gap({ connector: 'github', source: 'github', reason: 'error', message: 'GitHub scan stopped' })] },
    );
    expect(d.findings.resolved.map((f) => f.fingerprint)).toEqual(['fa']);
    expect(d.findings.notRechecked.map((f) => f.fingerprint).sort()).toEqual(['fg', 'fk']);
    expect(driftIsEmpty(d)).toBe(false);
  });

  it('a complete newer scan re-checks everything, even after an incomplete one', () => {
    const before = IdentityGraph.from([scoped('a', '111'), { type: 'coverage', coverage: gap({ scope: '111' }) }]);
    const d = diffScans({ graph: before, findings: [on('aws:iam-user:111/a', 'fa')] }, { graph: IdentityGraph.from([]), findings: [] });
    expect(d.findings.resolved.map((f) => f.fingerprint)).toEqual(['fa']);
    expect(d.findings.notRechecked).toEqual([]);
  });
});
