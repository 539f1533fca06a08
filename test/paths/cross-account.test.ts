/**
 * Several accounts of one organisation scanned into one graph: a role trust that names another account resolves to
 * that account's real principals (those whose own policies, and SCPs, allow sts:AssumeRole on the role), so paths
 * cross accounts. Both accounts go through the real mapping (mapAws on authorization-details exports), in either
 * order, with the organisation on top.
 */
import { describe, expect, it } from 'vitest';
import { mapAws } from '../../connectors/aws/map.js';
import { offlineSources } from '../../connectors/aws/offline.js';
import { IdentityGraph } from '../../src/graph/graph.js';
import type { GraphRecord } from '../../src/model/types.js';
import { graphAnalysis } from '../../src/paths/index.js';
import { isExternal } from '../../src/rules/helpers.js';
import { rule as privilegeEscalation } from '../../src/rules/privilege-escalation.js';
import { addOrganization, doc, MEMBER_B, orgExport, OU_PROD, type PolicySpec } from '../policy/org-fixtures.js';
import { ACCOUNT, NOW, runRule } from '../rules/builders.js';

const A = ACCOUNT;
const B = MEMBER_B;
const ADMIN = 'arn:aws:iam::aws:policy/AdministratorAccess';

/** Account A: a CI user allowed to assume B's deploy role. */
function accountA(): GraphRecord[] {
  const authz = {
    UserDetailList: [
      {
        UserName: 'ci',
        UserId: 'AIDAAAAAAAAAAAAAAAAAA',
        Arn: `arn:aws:iam::${A}:user/ci`,
        Path: '/',
        UserPolicyList: [{ PolicyName: 'assume-deploy', PolicyDocument: doc({ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: `arn:aws:iam::${B}:role/deploy` }) }],
      },
    ],
    GroupDetailList: [],
    RoleDetailList: [],
    Policies: [],
  };
  return mapAws({ authz }, { now: NOW, sources: offlineSources({ fromFile: `a-${A}.json` }) });
}

/** Account B: a deploy role with AdministratorAccess, trusting account A. */
function accountB(): GraphRecord[] {
  const authz = {
    UserDetailList: [],
    GroupDetailList: [],
    RoleDetailList: [
      {
        RoleName: 'deploy',
        RoleId: 'AROABBBBBBBBBBBBBBBBB',
        Arn: `arn:aws:iam::${B}:role/deploy`,
        Path: '/',
        AssumeRolePolicyDocument: doc({ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${A}:root` }, Action: 'sts:AssumeRole' }),
        RolePolicyList: [],
        AttachedManagedPolicies: [{ PolicyName: 'AdministratorAccess', PolicyArn: ADMIN }],
      },
    ],
    Policies: [
      { PolicyName: 'AdministratorAccess', Arn: ADMIN, DefaultVersionId: 'v1', PolicyVersionList: [{ VersionId: 'v1', IsDefaultVersion: true, Document: doc({ Effect: 'Allow', Action: '*', Resource: '*' }) }] },
    ],
  };
  return mapAws({ authz }, { now: NOW, sources: offlineSources({ fromFile: `b-${B}.json` }) });
}

function graphOf(order: 'ab' | 'ba', scps: PolicySpec[] = []): IdentityGraph {
  const g = IdentityGraph.from(order === 'ab' ? [...accountA(), ...accountB()] : [...accountB(), ...accountA()]);
  addOrganization(g, orgExport(scps), [A, B]);
  return g;
}

const ci = `aws:iam-user:arn:aws:iam::${A}:user/ci`;
const deploy = `aws:iam-role:arn:aws:iam::${B}:role/deploy`;

describe('cross-account paths in one organisation', () => {
  it.each(['ab', 'ba'] as const)('a user of account A reaches the admin role of account B (accounts mapped %s)', (order) => {
    const g = graphOf(order);
    // both accounts are in the scan, and B's role is B's own, not an external reference
    expect(g.node(`aws:account:${B}`)?.attributes?.inScan).toBe(true);
    expect(g.node(`aws:account:${A}`)?.attributes?.inScan).toBe(true);
    expect(isExternal(g, g.node(deploy) as never)).toBe(false);
    const { paths, evaluator } = graphAnalysis(g, NOW);
    expect(evaluator.canAssume(ci, deploy).decision).toBe('allowed');
    const path = paths.pathToAdmin(ci);
    expect(path?.hops.map((h) => h.to)).toContain(deploy);
    const f = runRule(privilegeEscalation, g).filter((x) => x.nodeId === ci);
    expect(f).toHaveLength(1);
  });

  it('an SCP on account A that denies sts:AssumeRole cuts the path', () => {
    const g = graphOf('ab', [{ id: 'p-nosts00001', name: 'NoAssume', content: doc({ Effect: 'Deny', Action: 'sts:AssumeRole', Resource: '*' }), targets: [A] }]);
    const { paths, evaluator } = graphAnalysis(g, NOW);
    expect(evaluator.canAssume(ci, deploy).decision).toBe('denied');
    expect(paths.pathToAdmin(ci)).toBeUndefined();
  });

  it('an SCP Deny on account B (where the role is) does not limit A\'s caller', () => {
    const g = graphOf('ab', [{ id: 'p-nosts00001', name: 'NoAssume', content: doc({ Effect: 'Deny', Action: 'sts:AssumeRole', Resource: '*' }), targets: [B] }]);
    expect(graphAnalysis(g, NOW).evaluator.canAssume(ci, deploy).decision).toBe('allowed');
  });

  it('a scoped SCP on the OU names the hop when it leaves it conditional', () => {
    const g = graphOf('ab', [
      { id: 'p-vpnonly0001', name: 'AssumeFromVpn', content: doc({ Effect: 'Deny', Action: 'sts:AssumeRole', Resource: '*', Condition: { NotIpAddress: { 'aws:SourceIp': '10.0.0.0/8' } } }), targets: [OU_PROD] },
    ]);
    const { evaluator } = graphAnalysis(g, NOW);
    const a = evaluator.canAssume(ci, deploy);
    expect(a.decision).toBe('conditional');
    expect(a.unknownKeys).toEqual(['aws:SourceIp']);
  });
});
