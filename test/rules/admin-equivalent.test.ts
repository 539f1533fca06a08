import { describe, expect, it } from 'vitest';
import { rule } from '../../src/rules/admin-equivalent.js';
import { rule as privilegeEscalation } from '../../src/rules/privilege-escalation.js';
import { ACCOUNT, ADMIN_DOC, GraphBuilder, runRule } from './builders.js';

const doc = (...Statement: unknown[]) => ({ Version: '2012-10-17', Statement });

describe('admin-equivalent', () => {
  it.each<[string, (b: GraphBuilder) => void]>([
    ['read-only role', (b) => b.attach(b.role('ro'), b.managedPolicy('ReadOnlyAccess', doc({ Effect: 'Allow', Action: ['s3:Get*', 'ec2:Describe*'], Resource: '*' }), { aws: true }))],
    ['PowerUser-style NotAction iam:*', (b) => b.inlinePolicy(b.role('pu'), 'power', doc({ Effect: 'Allow', NotAction: ['iam:*', 'organizations:*', 'account:*'], Resource: '*' }))],
    [
      'admin with a boundary limited to s3',
      (b) => {
        const r = b.role('bounded');
        b.attach(r, b.managedPolicy('AdministratorAccess', ADMIN_DOC, { aws: true }));
        b.attach(r, b.managedPolicy('S3Only', doc({ Effect: 'Allow', Action: 's3:*', Resource: '*' })), 'boundary');
      },
    ],
    ['a group itself is not reported', (b) => b.attach(b.group('admins'), b.managedPolicy('AdministratorAccess', ADMIN_DOC, { aws: true }))],
    ['service-linked role', (b) => b.inlinePolicy(b.role('AWSServiceRoleForX', { path: '/aws-service-role/x.amazonaws.com/' }), 'p', ADMIN_DOC)],
  ])('valid: %s', (_label, build) => {
    const b = new GraphBuilder();
    build(b);
    expect(runRule(rule, b.graph)).toEqual([]);
  });

  it('invalid: role with AdministratorAccess', () => {
    const b = new GraphBuilder();
    const r = b.role('deployer');
    const p = b.managedPolicy('AdministratorAccess', ADMIN_DOC, { aws: true });
    b.attach(r, p);
    const findings = runRule(rule, b.graph);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ severity: 'high', confidence: 'high', nodeId: r, path: [r, p] });
    expect(findings[0].message).toContain('IAM role deployer is admin-equivalent via AdministratorAccess');
    expect(findings[0].evidence[0].data).toMatchObject({ route: 'administrator-access', policyId: p, statementIndex: 0 });
  });

  it('invalid: user admin through a group, path goes through the group', () => {
    const b = new GraphBuilder();
    const u = b.user('alice');
    const g = b.group('admins', [u]);
    const p = b.managedPolicy('Star', doc({ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }, { Sid: 'All', Effect: 'Allow', Action: '*', Resource: '*' }));
    b.attach(g, p);
    const [f] = runRule(rule, b.graph);
    expect(f.nodeId).toBe(u);
    expect(f.path).toEqual([u, g, p]);
    expect(f.message).toContain('through group admins');
    expect(f.evidence[0].data).toMatchObject({ route: 'action-wildcard', statementIndex: 1, sid: 'All', via: g });
  });

  it('valid: inline iam:PutRolePolicy on * lets the role give itself admin: a hop, reported by privilege-escalation', () => {
    const b = new GraphBuilder();
    const r = b.role('ci');
    b.inlinePolicy(r, 'iam-writer', doc({ Effect: 'Allow', Action: ['iam:PutRolePolicy', 'iam:GetRole'], Resource: '*' }));
    expect(runRule(rule, b.graph)).toEqual([]);
    const [p] = runRule(privilegeEscalation, b.graph);
    expect(p).toMatchObject({ nodeId: r, path: [r, `meta:admin:aws:${ACCOUNT}`] });
  });

  it('invalid: a user with iam:AttachRolePolicy on * that can assume no role hands out admin without a path of its own', () => {
    const b = new GraphBuilder();
    const u = b.user('iam-automation');
    b.inlinePolicy(u, 'iam-writer', doc({ Effect: 'Allow', Action: ['iam:AttachRolePolicy', 'iam:CreateRole'], Resource: '*' }));
    const [f] = runRule(rule, b.graph);
    expect(f.evidence[0].data).toMatchObject({ route: 'iam-permissions-management', escalationActions: ['iam:AttachRolePolicy'] });
    expect(runRule(privilegeEscalation, b.graph)).toEqual([]);
  });

  it('invalid: only a conditional route lowers confidence', () => {
    const b = new GraphBuilder();
    const r = b.role('mfa-admin');
    b.inlinePolicy(r, 'p', doc({ Effect: 'Allow', Action: '*', Resource: '*', Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } } }));
    const [f] = runRule(rule, b.graph);
    expect(f.confidence).toBe('medium');
    expect(f.evidence[0].data).toMatchObject({ conditional: true });
  });

  it('ignore option skips principals by name glob', () => {
    const b = new GraphBuilder();
    b.attach(b.role('breakglass-1'), b.managedPolicy('AdministratorAccess', ADMIN_DOC, { aws: true }));
    expect(runRule(rule, b.graph)).toHaveLength(1);
    expect(runRule(rule, b.graph, { ignore: ['breakglass-*'] })).toEqual([]);
  });
});
