import { describe, expect, it } from 'vitest';
import { IdentityGraph } from '../../src/graph/graph.js';
import type { Finding } from '../../src/model/types.js';
import { applySuppressions } from '../../src/rules/suppress.js';

const NOW = new Date('2026-12-31T18:00:00Z');
const prov = { connector: 'aws', source: 'test', observedAt: NOW.toISOString() };

function graph(): IdentityGraph {
  const g = new IdentityGraph();
  g.addNode({ id: 'aws:iam-user:arn:aws:iam::1:user/legacy-ci', kind: 'principal', platform: 'aws', type: 'iam-user', name: 'legacy-ci', externalId: 'arn:aws:iam::1:user/legacy-ci', accountType: 'service', provenance: [prov] });
  g.addNode({ id: 'aws:iam-user:arn:aws:iam::1:user/app', kind: 'principal', platform: 'aws', type: 'iam-user', name: 'app', accountType: 'service', provenance: [prov] });
  return g;
}

function finding(nodeId: string, ruleId = 'credential-unused'): Finding {
  return { ruleId, severity: 'medium', confidence: 'high', nodeId, message: 'm', evidence: [], fingerprint: `${ruleId}/${nodeId}` };
}

describe('applySuppressions', () => {
  const legacy = finding('aws:iam-user:arn:aws:iam::1:user/legacy-ci');
  const app = finding('aws:iam-user:arn:aws:iam::1:user/app');

  it.each([
    ['identity glob on the name', { identity: '*legacy*', reason: 'r' }, ['legacy-ci']],
    ['identity glob on the ARN with ?', { identity: 'arn:aws:iam::?:user/*', reason: 'r' }, ['legacy-ci']],
    ['rule only', { rule: 'credential-unused', reason: 'r' }, ['legacy-ci', 'app']],
    ['rule that does not match', { rule: 'other', reason: 'r' }, []],
    ['fingerprint', { fingerprint: 'credential-unused/aws:iam-user:arn:aws:iam::1:user/app', reason: 'r' }, ['app']],
    ['until today still applies (whole UTC day)', { rule: 'credential-unused', reason: 'r', until: '2026-12-31' }, ['legacy-ci', 'app']],
    ['until yesterday has expired', { rule: 'credential-unused', reason: 'r', until: '2026-12-30' }, []],
  ])('%s', (_name, entry, suppressedNames) => {
    const { kept, suppressed } = applySuppressions([legacy, app], graph(), [entry], NOW);
    expect(suppressed.map((f) => f.nodeId.split('/').pop())).toEqual(suppressedNames);
    expect(kept.length + suppressed.length).toBe(2);
  });

  it('a suppressed finding carries the reason and expiry of the entry that matched', () => {
    const { suppressed } = applySuppressions([legacy], graph(), [{ identity: '*legacy*', reason: 'migrating, SEC-1', until: '2027-01-31' }], NOW);
    expect(suppressed[0].suppression).toEqual({ reason: 'migrating, SEC-1', until: '2027-01-31' });
  });

  // regression: the identity glob was a backtracking RegExp built from the config text
  it('a pathological identity glob does not hang', { timeout: 10_000 }, () => {
    const { suppressed } = applySuppressions([legacy], graph(), [{ identity: `${'*?'.repeat(40)}Q`, reason: 'r' }], NOW);
    expect(suppressed).toEqual([]);
  });
});
