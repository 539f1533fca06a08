/**
 * Findings under an AWS organisation's service control policies: an admin-equivalent identity whose IAM power an SCP
 * removes is not reported, one an SCP leaves conditional is lowered and its evidence names the SCPs; a privilege-
 * escalation path whose hop an SCP denies disappears.
 */
import { describe, expect, it } from 'vitest';
import { rule as adminEquivalent } from '../../src/rules/admin-equivalent.js';
import { rule as privilegeEscalation } from '../../src/rules/privilege-escalation.js';
import { addOrganization, doc, MANAGEMENT, orgExport, OU_PROD, type PolicySpec, ROOT_ID } from '../policy/org-fixtures.js';
import { ADMIN_DOC, GraphBuilder, runRule } from './builders.js';

const DENY_IAM: PolicySpec = { id: 'p-denyiam0001', name: 'DenyIAM', content: doc({ Effect: 'Deny', Action: 'iam:*', Resource: '*' }), targets: [OU_PROD] };

function adminRole(policies: PolicySpec[] | undefined, acct?: string) {
  const b = new GraphBuilder();
  b.account();
  const r = b.role('deployer', acct ? { acct } : {});
  b.attach(r, b.managedPolicy('AdministratorAccess', ADMIN_DOC, { aws: true }));
  if (policies) addOrganization(b.graph, orgExport(policies));
  return { b, r };
}

describe('admin-equivalent under service control policies', () => {
  it('is reported without an organisation, and with SCPs that allow everything', () => {
    expect(runRule(adminEquivalent, adminRole(undefined).b.graph)).toHaveLength(1);
    const { b, r } = adminRole([]);
    const f = runRule(adminEquivalent, b.graph);
    expect(f).toHaveLength(1);
    expect(f[0].confidence).toBe('high');
    expect(f[0].evidence[0].description).toMatch(/service control policies \(FullAWSAccess \(p-FullAWSAccess\)\)/);
    expect(f[0].nodeId).toBe(r);
  });

  it('is not reported when an SCP denies IAM in the account', () => {
    expect(runRule(adminEquivalent, adminRole([DENY_IAM]).b.graph)).toEqual([]);
  });

  it('is still reported in the management account, which SCPs do not limit', () => {
    const b = new GraphBuilder();
    const r = b.role('deployer', { acct: MANAGEMENT });
    b.attach(r, b.managedPolicy('AdministratorAccess', ADMIN_DOC, { aws: true }));
    addOrganization(b.graph, orgExport([{ ...DENY_IAM, targets: [ROOT_ID] }]), [MANAGEMENT]);
    expect(runRule(adminEquivalent, b.graph).map((f) => f.nodeId)).toEqual([r]);
  });

  it('is not reported when an SCP Deny spares only another principal (aws:PrincipalArn exception)', () => {
    const guard: PolicySpec = {
      id: 'p-guardiam001',
      name: 'GuardIAM',
      content: doc({ Effect: 'Deny', Action: 'iam:*', Resource: '*', Condition: { ArnNotLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:role/BreakGlass' } } }),
      targets: [ROOT_ID],
    };
    const { b, r } = adminRole([guard]);
    const glass = b.role('BreakGlass');
    b.attach(glass, b.managedPolicy('AdministratorAccess', ADMIN_DOC, { aws: true }));
    expect(runRule(adminEquivalent, b.graph).map((f) => f.nodeId)).toEqual([glass]);
    expect(r).toBeDefined();
  });

  it('is lowered to medium confidence when an SCP leaves IAM only under a condition the scan cannot know', () => {
    const mfa: PolicySpec = {
      id: 'p-iamregion01',
      name: 'IAMFromHomeRegion',
      content: doc({ Effect: 'Deny', Action: 'iam:*', Resource: '*', Condition: { StringNotEquals: { 'aws:RequestedRegion': 'us-east-1' } } }),
      targets: [OU_PROD],
    };
    const f = runRule(adminEquivalent, adminRole([mfa]).b.graph);
    expect(f).toHaveLength(1);
    expect(f[0].confidence).toBe('medium');
    expect(f[0].evidence[0].description).toMatch(/conditional on aws:RequestedRegion/);
    expect(f[0].evidence[0].description).toMatch(/IAMFromHomeRegion \(p-iamregion01\)/);
  });
});

describe('privilege-escalation under service control policies', () => {
  /** a CI user that may attach any policy to itself (iam:AttachUserPolicy on *) */
  function escalator(policies: PolicySpec[] | undefined) {
    const b = new GraphBuilder();
    b.account();
    const ci = b.user('ci', { passwordEnabled: false });
    b.attach(ci, b.managedPolicy('ci-policy', doc({ Effect: 'Allow', Action: ['iam:AttachUserPolicy', 's3:GetObject'], Resource: '*' })));
    if (policies) addOrganization(b.graph, orgExport(policies));
    return { b, ci };
  }

  it('reports the path without SCPs, not with an SCP that denies the hop', () => {
    const plain = escalator(undefined);
    expect(runRule(privilegeEscalation, plain.b.graph).map((f) => f.nodeId)).toContain(plain.ci);
    const denied = escalator([{ id: 'p-noattach001', name: 'NoAttach', content: doc({ Effect: 'Deny', Action: 'iam:Attach*', Resource: '*' }), targets: [ROOT_ID] }]);
    expect(runRule(privilegeEscalation, denied.b.graph).map((f) => f.nodeId)).not.toContain(denied.ci);
  });

  it('a hop an SCP leaves conditional names the SCP in the evidence', () => {
    const cond = escalator([
      { id: 'p-condattach1', name: 'AttachFromVpn', content: doc({ Effect: 'Deny', Action: 'iam:Attach*', Resource: '*', Condition: { NotIpAddress: { 'aws:SourceIp': '10.0.0.0/8' } } }), targets: [ROOT_ID] },
    ]);
    const f = runRule(privilegeEscalation, cond.b.graph).filter((x) => x.nodeId === cond.ci);
    expect(f).toHaveLength(1);
    expect(JSON.stringify(f[0].evidence)).toMatch(/service control policy AttachFromVpn \(p-condattach1\)/);
  });
});
