/**
 * Service control policies and resource control policies of an AWS organisation in the authorization engine:
 * every level from the root down must allow, any Deny wins, the management account and service-linked roles are
 * exempt, conditions stay conditional, RCP Denies limit requests on member accounts' resources (role assumption).
 */
import { describe, expect, it } from 'vitest';
import { createEvaluator } from '../../src/policy/evaluate.js';
import { effectivePermissions } from '../../src/policy/effective.js';
import { organizationOf } from '../../src/policy/organization.js';
import { ACCOUNT, ADMIN_DOC, arn, GraphBuilder, NOW, OTHER_ACCOUNT } from '../rules/builders.js';
import { addOrganization, doc, MANAGEMENT, MEMBER_B, ORG_ID, orgExport, OU_PROD, type PolicySpec, ROOT_ID } from './org-fixtures.js';

const DENY_IAM: PolicySpec = { id: 'p-denyiam0001', name: 'DenyIAM', content: doc({ Sid: 'NoIAM', Effect: 'Deny', Action: 'iam:*', Resource: '*' }), targets: [ROOT_ID] };

/** A user with admin (inline) in `acct`, and the evaluator over the graph with the organisation's policies. */
function estate(policies: PolicySpec[], opts: { acct?: string; fullAccessAt?: string[] } = {}) {
  const b = new GraphBuilder();
  const user = b.user('alice', { acct: opts.acct ?? ACCOUNT });
  b.inlinePolicy(user, 'admin', ADMIN_DOC);
  const notes = addOrganization(b.graph, orgExport(policies, opts.fullAccessAt ? { fullAccessAt: opts.fullAccessAt } : {}));
  return { b, user, notes, ev: () => createEvaluator(b.graph, { now: NOW }) };
}

describe('service control policies', () => {
  it('a Deny at the root removes the permission, and the answer names the SCP', () => {
    const { ev, user } = estate([DENY_IAM]);
    const e = ev().evaluate(user, 'iam:CreateUser', '*');
    expect(e.decision).toBe('denied');
    expect(e.deniedBy).toBe('scp');
    expect(e.scp?.decision).toBe('denied');
    expect(e.denies).toContainEqual(expect.objectContaining({ kind: 'scp', policyId: 'aws:scp:p-denyiam0001', policyName: 'DenyIAM', sid: 'NoIAM', level: `aws:org-root:${ROOT_ID}` }));
    // what the SCPs do not touch stays allowed
    const s3 = ev().evaluate(user, 's3:GetObject', 'arn:aws:s3:::data/a');
    expect(s3.decision).toBe('allowed');
    expect(s3.scp?.decision).toBe('allowed');
  });

  it('a level whose SCPs do not allow the action removes it (missing Allow at one OU)', () => {
    const s3Only: PolicySpec = { id: 'p-s3only0001', name: 'S3Only', content: doc({ Effect: 'Allow', Action: 's3:*', Resource: '*' }), targets: [OU_PROD] };
    // FullAWSAccess at the root and the account, but not at the OU
    const { ev, user } = estate([s3Only], { fullAccessAt: [ROOT_ID, MANAGEMENT, ACCOUNT, MEMBER_B] });
    const e = ev().evaluate(user, 'ec2:RunInstances', '*');
    expect(e.decision).toBe('denied');
    expect(e.deniedBy).toBe('scp');
    expect(e.scp).toMatchObject({ decision: 'denied', denies: [] });
    expect(ev().evaluate(user, 's3:PutObject', 'arn:aws:s3:::data/a').decision).toBe('allowed');
  });

  it('SCPs never grant: an SCP Allow without an identity Allow is still denied', () => {
    const b = new GraphBuilder();
    const user = b.user('bob');
    addOrganization(b.graph, orgExport([]));
    const e = createEvaluator(b.graph, { now: NOW }).evaluate(user, 's3:GetObject', '*');
    expect(e.decision).toBe('denied');
    expect(e.deniedBy).toBe('no-allow');
  });

  it('the management account is exempt', () => {
    const { ev, user } = estate([DENY_IAM], { acct: MANAGEMENT });
    const e = ev().evaluate(user, 'iam:CreateUser', '*');
    expect(e.decision).toBe('allowed');
    expect(e.scp).toBeUndefined();
  });

  it('service-linked roles are exempt; other roles of the account are not', () => {
    const { b, ev } = estate([DENY_IAM]);
    const linked = b.role('AWSServiceRoleForSupport', { path: '/aws-service-role/support.amazonaws.com/' });
    const plain = b.role('deployer');
    for (const r of [linked, plain]) b.inlinePolicy(r, 'admin', ADMIN_DOC);
    expect(ev().evaluate(linked, 'iam:CreateRole', '*').decision).toBe('allowed');
    expect(ev().evaluate(plain, 'iam:CreateRole', '*').decision).toBe('denied');
  });

  it('an aws:PrincipalArn exception is decided per principal', () => {
    const guard: PolicySpec = {
      id: 'p-guardiam001',
      name: 'GuardIAM',
      content: doc({ Effect: 'Deny', Action: 'iam:*', Resource: '*', Condition: { ArnNotLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:role/BreakGlass' } } }),
      targets: [OU_PROD],
    };
    const { b, user, ev } = estate([guard]);
    const glass = b.role('BreakGlass');
    b.inlinePolicy(glass, 'admin', ADMIN_DOC);
    const e = ev();
    expect(e.evaluate(user, 'iam:CreateUser', '*').decision).toBe('denied');
    expect(e.evaluate(glass, 'iam:CreateUser', '*').decision).toBe('allowed');
  });

  it('a condition the scan cannot know leaves the answer conditional, with the key named', () => {
    const region: PolicySpec = {
      id: 'p-regions0001',
      name: 'OnlyEU',
      content: doc({ Effect: 'Deny', NotAction: ['iam:*', 'sts:*'], Resource: '*', Condition: { StringNotEquals: { 'aws:RequestedRegion': ['eu-west-1'] } } }),
      targets: [ROOT_ID],
    };
    const { ev, user } = estate([region]);
    const e = ev().evaluate(user, 'ec2:RunInstances', '*');
    expect(e.decision).toBe('conditional');
    expect(e.unknownKeys).toEqual(['aws:RequestedRegion']);
    expect(e.scp?.decision).toBe('conditional');
    // a request context that gives the region decides it
    expect(ev().evaluate(user, 'ec2:RunInstances', '*', { context: { 'aws:requestedregion': 'us-east-1' } }).decision).toBe('denied');
    expect(ev().evaluate(user, 'ec2:RunInstances', '*', { context: { 'aws:requestedregion': 'eu-west-1' } }).decision).toBe('allowed');
  });

  it('aws:PrincipalOrgID and aws:PrincipalOrgPaths are known for member principals', () => {
    const orgOnly: PolicySpec = {
      id: 'p-orgonly0001',
      name: 'OrgPaths',
      content: doc({ Effect: 'Deny', Action: 's3:*', Resource: '*', Condition: { 'ForAnyValue:StringNotLike': { 'aws:PrincipalOrgPaths': [`${ORG_ID}/${ROOT_ID}/${OU_PROD}/*`] } } }),
      targets: [ROOT_ID],
    };
    const { ev, user } = estate([orgOnly]);
    expect(ev().evaluate(user, 's3:GetObject', '*').decision).toBe('allowed');
  });

  it('the root user of a member account is limited by SCPs (and only by them)', () => {
    const { b, ev } = estate([DENY_IAM]);
    const root = b.root();
    const e = ev().evaluate(root, 'iam:CreateUser', '*');
    expect(e.decision).toBe('denied');
    expect(e.deniedBy).toBe('scp');
    expect(ev().evaluate(root, 's3:GetObject', '*').decision).toBe('allowed');
  });

  it('aws:ResourceOrgID is known for resources of the organisation\'s accounts, per resource', () => {
    const perimeter: PolicySpec = {
      id: 'p-perimeter01',
      name: 'DataPerimeter',
      content: doc({ Effect: 'Deny', Action: 'sqs:*', Resource: '*', Condition: { StringNotEqualsIfExists: { 'aws:ResourceOrgID': '${aws:PrincipalOrgID}' } } }),
      targets: [ROOT_ID],
    };
    const { ev, user } = estate([perimeter]);
    const e = ev();
    expect(e.evaluate(user, 'sqs:SendMessage', `arn:aws:sqs:eu-west-1:${MEMBER_B}:jobs`).decision).toBe('allowed');
    // a queue of an account outside the organisation: its org is not known to the scan
    const outside = e.evaluate(user, 'sqs:SendMessage', `arn:aws:sqs:eu-west-1:${OTHER_ACCOUNT}:jobs`);
    expect(outside.decision).toBe('conditional');
    expect(outside.unknownKeys).toEqual(['aws:ResourceOrgID']);
  });

  it('effective permissions (what rules read) drop what the SCPs deny or do not allow', () => {
    const s3Only: PolicySpec = { id: 'p-s3only0001', name: 'S3Only', content: doc({ Effect: 'Allow', Action: ['s3:*', 'iam:*'], Resource: '*' }), targets: [OU_PROD] };
    const { b, user } = estate([DENY_IAM, s3Only], { fullAccessAt: [ROOT_ID, MANAGEMENT, ACCOUNT, MEMBER_B] });
    const eff = effectivePermissions(b.graph, user);
    expect(eff.services.has('s3')).toBe(true);
    expect(eff.services.has('iam')).toBe(false);
    expect(eff.services.has('ec2')).toBe(false);
    expect(eff.wide.has('s3')).toBe(true);
  });

  it('without organisation data nothing applies', () => {
    const b = new GraphBuilder();
    const user = b.user('alice');
    b.inlinePolicy(user, 'admin', ADMIN_DOC);
    expect(organizationOf(b.graph)).toBeUndefined();
    const e = createEvaluator(b.graph, { now: NOW }).evaluate(user, 'iam:CreateUser', '*');
    expect(e.decision).toBe('allowed');
    expect(e.scp).toBeUndefined();
    expect(e.rcp).toBeUndefined();
  });
});

describe('resource control policies', () => {
  const OUTSIDE_ORG: PolicySpec = {
    id: 'p-rcpperim001',
    name: 'EnforceOrgIdentities',
    type: 'RESOURCE_CONTROL_POLICY',
    content: doc({
      Sid: 'NoOutsiders',
      Effect: 'Deny',
      Principal: '*',
      Action: ['sts:AssumeRole', 's3:*'],
      Resource: '*',
      Condition: { StringNotEqualsIfExists: { 'aws:PrincipalOrgID': ORG_ID }, BoolIfExists: { 'aws:PrincipalIsAWSService': 'false' } },
    }),
    targets: [ROOT_ID],
  };

  /** A role in the test account trusting two other accounts; a caller in a member account and one outside. */
  function trustEstate(policies: PolicySpec[]) {
    const b = new GraphBuilder();
    const target = b.role('deploy');
    b.inlinePolicy(target, 'admin', ADMIN_DOC);
    b.canAssume(b.account(OTHER_ACCOUNT, true), target).canAssume(b.account(MEMBER_B, true), target);
    const outsider = b.user('ci', { acct: OTHER_ACCOUNT });
    const member = b.user('ci', { acct: MEMBER_B });
    for (const u of [outsider, member]) b.inlinePolicy(u, 'assume', doc({ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: arn.role('deploy') }));
    addOrganization(b.graph, orgExport(policies), [ACCOUNT, MEMBER_B, OTHER_ACCOUNT]);
    return { target, outsider, member, ev: createEvaluator(b.graph, { now: NOW }) };
  }

  it('an RCP denies assumption from outside the organisation; members still assume', () => {
    const { ev, target, outsider, member } = trustEstate([OUTSIDE_ORG]);
    const out = ev.canAssume(outsider, target);
    expect(out.decision).toBe('denied');
    expect(out.identity?.rcp?.decision).toBe('denied');
    expect(out.identity?.denies).toContainEqual(expect.objectContaining({ kind: 'rcp', policyName: 'EnforceOrgIdentities', sid: 'NoOutsiders' }));
    expect(out.notes?.join('\n')).toMatch(/resource control policy/);
    expect(ev.canAssume(member, target).decision).toBe('allowed');
  });

  it('without the RCP the outsider may assume the role (the trust and its grant suffice)', () => {
    const { ev, target, outsider } = trustEstate([]);
    expect(ev.canAssume(outsider, target).decision).toBe('allowed');
  });

  it('RCPs govern only their services and only member accounts', () => {
    const { ev, outsider } = trustEstate([OUTSIDE_ORG]);
    // lambda is not an RCP service; the management account's resources are exempt
    expect(ev.evaluate(outsider, 'sts:AssumeRole', arn.role('x', MANAGEMENT)).rcp).toBeUndefined();
    expect(ev.evaluate(outsider, 'lambda:InvokeFunction', `arn:aws:lambda:eu-west-1:${ACCOUNT}:function:f`).rcp).toBeUndefined();
  });

  it('an SCP that denies sts:AssumeRole to the caller blocks the hop even when the trust names the caller', () => {
    const b = new GraphBuilder();
    const caller = b.role('builder');
    const target = b.role('deploy');
    b.canAssume(caller, target);
    addOrganization(b.graph, orgExport([{ id: 'p-nosts00001', name: 'NoAssume', content: doc({ Effect: 'Deny', Action: 'sts:AssumeRole', Resource: '*' }), targets: [OU_PROD] }]));
    const a = createEvaluator(b.graph, { now: NOW }).canAssume(caller, target);
    expect(a.decision).toBe('denied');
    expect(a.notes?.join('\n')).toMatch(/service control policies/);
  });
});
