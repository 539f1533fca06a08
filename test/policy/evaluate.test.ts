/**
 * The authorization engine against AWS's documented evaluation logic (single account, identity-based policies,
 * permissions boundaries, role trust). Every case builds a tiny graph the way the AWS connector emits it.
 */
import { describe, expect, it } from 'vitest';
import type { Decision } from '../../src/policy/decision.js';
import { createEvaluator } from '../../src/policy/evaluate.js';
import { ACCOUNT, arn, GraphBuilder, NOW, OTHER_ACCOUNT } from '../rules/builders.js';

type Doc = { Version?: string; Statement: unknown[] };
const doc = (...Statement: unknown[]): Doc => ({ Version: '2012-10-17', Statement });
const allow = (Action: string | string[], Resource: string | string[] = '*', extra: Record<string, unknown> = {}) => ({ Effect: 'Allow', Action, Resource, ...extra });
const deny = (Action: string | string[], Resource: string | string[] = '*', extra: Record<string, unknown> = {}) => ({ Effect: 'Deny', Action, Resource, ...extra });

/** One user holding `policy` inline; returns the evaluation of (action, resource). */
function oneUser(policy: Doc, opts: { tags?: Record<string, string>; mfaActive?: boolean } = {}) {
  const b = new GraphBuilder();
  const user = b.user('alice', opts);
  b.inlinePolicy(user, 'p', policy);
  const ev = createEvaluator(b.graph, { now: NOW });
  return (action: string, resource = '*', context?: Record<string, string | string[] | undefined>) => ev.evaluate(user, action, resource, context ? { context } : undefined);
}

const BUCKET = 'arn:aws:s3:::data';

describe('action and resource matching', () => {
  it.each<[string, Doc, string, string, Decision]>([
    ['action wildcard', doc(allow('s3:Get*')), 's3:GetObject', '*', 'allowed'],
    ['action wildcard, other action', doc(allow('s3:Get*')), 's3:PutObject', '*', 'denied'],
    ['action names ignore case', doc(allow('S3:getobject')), 's3:GetObject', '*', 'allowed'],
    ['? matches one character', doc(allow('iam:?etRole')), 'iam:GetRole', '*', 'allowed'],
    ['? does not match two', doc(allow('iam:?etRole')), 'iam:ResetRole', '*', 'denied'],
    ['* on * allows anything', doc(allow('*')), 'iam:CreateUser', 'arn:aws:iam::123456789012:user/x', 'allowed'],
    ['resource wildcard', doc(allow('s3:GetObject', `${BUCKET}/*`)), 's3:GetObject', `${BUCKET}/a/b.txt`, 'allowed'],
    ['resource ARNs are case-sensitive', doc(allow('s3:GetObject', 'arn:aws:s3:::Data/*')), 's3:GetObject', `${BUCKET}/a`, 'denied'],
    ['resource of another bucket', doc(allow('s3:GetObject', `${BUCKET}/*`)), 's3:GetObject', 'arn:aws:s3:::data2/a', 'denied'],
    ['resource ? wildcard', doc(allow('iam:PassRole', arn.role('app-?'))), 'iam:PassRole', arn.role('app-1'), 'allowed'],
    ['resource ? needs a character', doc(allow('iam:PassRole', arn.role('app-?'))), 'iam:PassRole', arn.role('app-'), 'denied'],
    ['an ARN pattern does not cover the resource "*"', doc(allow('s3:ListAllMyBuckets', 'arn:aws:s3:::*')), 's3:ListAllMyBuckets', '*', 'denied'],
    ['NotAction allows the rest', doc({ Effect: 'Allow', NotAction: 'iam:*', Resource: '*' }), 's3:GetObject', '*', 'allowed'],
    ['NotAction leaves the listed out', doc({ Effect: 'Allow', NotAction: 'iam:*', Resource: '*' }), 'iam:CreateUser', '*', 'denied'],
    ['NotResource allows the rest', doc({ Effect: 'Allow', Action: 's3:*', NotResource: `${BUCKET}/secret/*` }), 's3:GetObject', `${BUCKET}/public/a`, 'allowed'],
    ['NotResource leaves the listed out', doc({ Effect: 'Allow', Action: 's3:*', NotResource: `${BUCKET}/secret/*` }), 's3:GetObject', `${BUCKET}/secret/a`, 'denied'],
    ['Deny with NotAction', doc(allow('*'), { Effect: 'Deny', NotAction: ['s3:*', 'sts:GetCallerIdentity'], Resource: '*' }), 'iam:CreateUser', '*', 'denied'],
    ['Deny with NotAction spares the listed', doc(allow('*'), { Effect: 'Deny', NotAction: ['s3:*', 'sts:GetCallerIdentity'], Resource: '*' }), 's3:GetObject', '*', 'allowed'],
    ['Deny with NotResource', doc(allow('s3:*'), { Effect: 'Deny', Action: 's3:*', NotResource: `${BUCKET}/public/*` }), 's3:GetObject', `${BUCKET}/private/a`, 'denied'],
    ['Deny with NotResource spares the listed', doc(allow('s3:*'), { Effect: 'Deny', Action: 's3:*', NotResource: `${BUCKET}/public/*` }), 's3:GetObject', `${BUCKET}/public/a`, 'allowed'],
    ['scoped Deny elsewhere', doc(allow('s3:*'), deny('s3:*', `${BUCKET}/secret/*`)), 's3:GetObject', `${BUCKET}/open/a`, 'allowed'],
  ])('%s', (_name, policy, action, resource, expected) => {
    expect(oneUser(policy)(action, resource).decision).toBe(expected);
  });

  it('skips a statement without Resource and says so', () => {
    const e = oneUser(doc({ Effect: 'Allow', Action: 's3:*' }))('s3:GetObject');
    expect(e.decision).toBe('denied');
    expect(e.deniedBy).toBe('no-allow');
    expect(e.notes?.join('\n')).toMatch(/Statement\[0\].*no Resource/);
  });

  it('skips a statement with both Action and NotAction, and keeps the rest of the document', () => {
    const e = oneUser(doc({ Effect: 'Deny', Action: 's3:*', NotAction: 'iam:*', Resource: '*' }, allow('s3:GetObject')))('s3:GetObject');
    expect(e.decision).toBe('allowed');
    expect(e.notes?.join('\n')).toMatch(/both Action and NotAction/);
  });

  it('skips a statement with a Principal (not valid in an identity policy)', () => {
    const e = oneUser(doc({ ...allow('s3:*'), Principal: { AWS: '*' } }))('s3:GetObject');
    expect(e.decision).toBe('denied');
    expect(e.notes?.join('\n')).toMatch(/Principal/);
  });

  it('an operator IAM does not have leaves the statement undecided, with a note', () => {
    const e = oneUser(doc(allow('s3:*', '*', { Condition: { StringEqualz: { 'aws:PrincipalAccount': ACCOUNT } } })))('s3:GetObject');
    expect(e.decision).toBe('conditional');
    expect(e.unknownKeys).toEqual(['aws:PrincipalAccount']);
    expect(e.notes?.join('\n')).toMatch(/unknown condition operator StringEqualz/);
  });

  it('names the statements that allow and deny', () => {
    const e = oneUser(doc({ ...allow('s3:*'), Sid: 'Read' }, { ...deny('s3:DeleteObject'), Sid: 'NoDelete' }))('s3:DeleteObject', `${BUCKET}/a`);
    expect(e.decision).toBe('denied');
    expect(e.deniedBy).toBe('explicit-deny');
    expect(e.allows).toEqual([expect.objectContaining({ statementIndex: 0, sid: 'Read', effect: 'Allow', kind: 'identity', via: 'direct', policyName: 'p' })]);
    expect(e.denies).toEqual([expect.objectContaining({ statementIndex: 1, sid: 'NoDelete', effect: 'Deny' })]);
  });
});

describe('a request resource with wildcards: some resource of the caller\'s choosing', () => {
  const FN = `arn:aws:lambda:*:${ACCOUNT}:function:*`;
  const fn = (region: string, name: string) => `arn:aws:lambda:${region}:${ACCOUNT}:function:${name}`;
  it.each<[string, Doc, string, string, Decision]>([
    ['a grant scoped to one region and a name prefix', doc(allow('lambda:CreateFunction', fn('us-east-1', 'build-*'))), 'lambda:CreateFunction', FN, 'allowed'],
    ['a grant in another region than the one asked about', doc(allow('lambda:CreateFunction', fn('eu-west-1', '*'))), 'lambda:CreateFunction', `arn:aws:lambda:us-east-1:${ACCOUNT}:function:*`, 'denied'],
    ['a grant in another account', doc(allow('lambda:CreateFunction', `arn:aws:lambda:*:${OTHER_ACCOUNT}:function:*`)), 'lambda:CreateFunction', FN, 'denied'],
    ['a Deny that leaves other names', doc(allow('lambda:CreateFunction', fn('*', '*')), deny('lambda:CreateFunction', fn('*', 'prod-*'))), 'lambda:CreateFunction', FN, 'allowed'],
    ['a Deny on every allowed name', doc(allow('lambda:CreateFunction', fn('*', 'a*')), deny('lambda:CreateFunction', fn('*', 'a*'))), 'lambda:CreateFunction', FN, 'denied'],
    ['a Deny on every name', doc(allow('lambda:CreateFunction', fn('us-east-1', 'x')), deny('lambda:CreateFunction', fn('*', '*'))), 'lambda:CreateFunction', FN, 'denied'],
    [
      'a Deny with NotResource leaves a harbour the Allow reaches',
      doc(allow('s3:PutObject', `${BUCKET}/*`), { Effect: 'Deny', Action: 's3:*', NotResource: `${BUCKET}/public/*` }),
      's3:PutObject',
      `${BUCKET}/*`,
      'allowed',
    ],
    ['an Allow only under an unknown condition', doc(allow('lambda:CreateFunction', fn('us-east-1', '*'), { Condition: { StringEquals: { 'aws:SourceVpc': 'vpc-1' } } })), 'lambda:CreateFunction', FN, 'conditional'],
  ])('%s', (_name, policy, action, resource, expected) => {
    const e = oneUser(policy)(action, resource);
    expect(e.decision).toBe(expected);
    expect(e.resource).toBe(resource);
  });

  it('names the resource it found', () => {
    const e = oneUser(doc(allow('lambda:CreateFunction', fn('us-east-1', 'build-*'))))('lambda:CreateFunction', FN);
    expect(e.notes?.join()).toContain(`allowed for ${fn('us-east-1', 'build-')}`);
  });
});

describe('explicit Deny in any of the principal policies', () => {
  function estate() {
    const b = new GraphBuilder();
    const user = b.user('bob');
    const admin = b.managedPolicy('Admin', doc(allow('*')));
    b.attach(user, admin);
    const group = b.group('restricted', [user]);
    const guard = b.managedPolicy('NoIam', doc(deny('iam:*')));
    b.attach(group, guard);
    const other = b.user('carol');
    b.attach(other, admin);
    return { b, user, group, other, guard };
  }

  it('a Deny in a group policy wins over an Allow attached to the user', () => {
    const { b, user, group } = estate();
    const e = createEvaluator(b.graph, { now: NOW }).evaluate(user, 'iam:CreateAccessKey', arn.user('bob'));
    expect(e.decision).toBe('denied');
    expect(e.deniedBy).toBe('explicit-deny');
    expect(e.denies[0]).toMatchObject({ via: group, policyName: 'NoIam', effect: 'Deny' });
  });

  it('the same Allow without the group: allowed', () => {
    const { b, other } = estate();
    expect(createEvaluator(b.graph, { now: NOW }).evaluate(other, 'iam:CreateAccessKey', arn.user('carol')).decision).toBe('allowed');
  });

  it('the group Deny does not reach actions it does not name', () => {
    const { b, user } = estate();
    expect(createEvaluator(b.graph, { now: NOW }).evaluate(user, 's3:GetObject', `${BUCKET}/a`).decision).toBe('allowed');
  });

  it('a Deny in another inline policy of the same principal wins', () => {
    const b = new GraphBuilder();
    const role = b.role('app');
    b.inlinePolicy(role, 'grant', doc(allow('*')));
    b.inlinePolicy(role, 'guard', doc(deny('iam:PassRole', arn.role('admin'))));
    const ev = createEvaluator(b.graph, { now: NOW });
    expect(ev.evaluate(role, 'iam:PassRole', arn.role('admin')).decision).toBe('denied');
    expect(ev.evaluate(role, 'iam:PassRole', arn.role('worker')).decision).toBe('allowed');
  });
});

describe('permissions boundary', () => {
  function withBoundary(boundary: Doc | undefined, identity: Doc = doc(allow('*'))) {
    const b = new GraphBuilder();
    const role = b.role('builder');
    b.inlinePolicy(role, 'grant', identity);
    if (boundary) b.attach(role, b.managedPolicy('Boundary', boundary), 'boundary');
    return { ev: createEvaluator(b.graph, { now: NOW }), role, b };
  }

  it('allows less: what the boundary does not allow is denied', () => {
    const { ev, role } = withBoundary(doc(allow(['s3:*', 'logs:*'])));
    const e = ev.evaluate(role, 'iam:AttachRolePolicy', arn.role('builder'));
    expect(e.decision).toBe('denied');
    expect(e.deniedBy).toBe('boundary');
    expect(e.boundary?.decision).toBe('denied');
    expect(ev.evaluate(role, 's3:GetObject', `${BUCKET}/a`).decision).toBe('allowed');
  });

  it('a Deny in the boundary denies', () => {
    const { ev, role } = withBoundary(doc(allow('*'), deny('iam:*')));
    const e = ev.evaluate(role, 'iam:CreateUser', '*');
    expect(e.decision).toBe('denied');
    expect(e.deniedBy).toBe('explicit-deny');
    expect(e.denies[0]).toMatchObject({ kind: 'boundary', policyName: 'Boundary' });
  });

  it('never grants: the identity policy must allow too', () => {
    const { ev, role } = withBoundary(doc(allow('*')), doc(allow('s3:GetObject')));
    const e = ev.evaluate(role, 'iam:CreateUser', '*');
    expect(e.decision).toBe('denied');
    expect(e.deniedBy).toBe('no-allow');
    expect(e.boundary?.decision).toBe('allowed');
  });

  it('absent: the identity policy alone decides', () => {
    const { ev, role } = withBoundary(undefined);
    const e = ev.evaluate(role, 'iam:CreateUser', '*');
    expect(e.decision).toBe('allowed');
    expect(e.boundary).toBeUndefined();
  });

  it('a boundary set on a group does not limit its members', () => {
    const b = new GraphBuilder();
    const user = b.user('dave');
    b.inlinePolicy(user, 'grant', doc(allow('*')));
    const group = b.group('devs', [user]);
    b.attach(group, b.managedPolicy('Boundary', doc(allow('s3:*'))), 'boundary');
    expect(createEvaluator(b.graph, { now: NOW }).evaluate(user, 'iam:CreateUser', '*').decision).toBe('allowed');
  });

  it('a boundary under an unknown condition makes the answer conditional', () => {
    const { ev, role } = withBoundary(doc(allow('*', '*', { Condition: { StringEquals: { 'aws:RequestedRegion': 'eu-west-1' } } })));
    const e = ev.evaluate(role, 'ec2:RunInstances', '*');
    expect(e.decision).toBe('conditional');
    expect(e.unknownKeys).toEqual(['aws:RequestedRegion']);
    expect(e.boundary?.decision).toBe('conditional');
  });
});

describe('policy variables', () => {
  const selfKeys = doc(allow(['iam:CreateAccessKey', 'iam:UpdateAccessKey'], `arn:aws:iam::${ACCOUNT}:user/\${aws:username}`));

  it('${aws:username} is the calling user', () => {
    const can = oneUser(selfKeys);
    expect(can('iam:CreateAccessKey', arn.user('alice')).decision).toBe('allowed');
    expect(can('iam:CreateAccessKey', arn.user('bob')).decision).toBe('denied');
  });

  it('a role has no aws:username: the entry matches no resource', () => {
    const b = new GraphBuilder();
    const role = b.role('alice');
    b.inlinePolicy(role, 'p', selfKeys);
    const ev = createEvaluator(b.graph, { now: NOW });
    expect(ev.evaluate(role, 'iam:CreateAccessKey', arn.user('alice')).decision).toBe('denied');
  });

  it('${aws:PrincipalTag/...} and a default value', () => {
    const policy = doc(allow('s3:*', "arn:aws:s3:::team-${aws:PrincipalTag/team, 'shared'}/*"));
    const red = oneUser(policy, { tags: { team: 'red' } });
    expect(red('s3:GetObject', 'arn:aws:s3:::team-red/x').decision).toBe('allowed');
    expect(red('s3:GetObject', 'arn:aws:s3:::team-blue/x').decision).toBe('denied');
    const untagged = oneUser(policy);
    expect(untagged('s3:GetObject', 'arn:aws:s3:::team-shared/x').decision).toBe('allowed');
    expect(untagged('s3:GetObject', 'arn:aws:s3:::team-red/x').decision).toBe('denied');
  });

  it('a tag key with a space', () => {
    const can = oneUser(doc(allow('s3:*', 'arn:aws:s3:::cc-${aws:PrincipalTag/cost center}/*')), { tags: { 'Cost Center': '42' } });
    expect(can('s3:GetObject', 'arn:aws:s3:::cc-42/x').decision).toBe('allowed');
    expect(can('s3:GetObject', 'arn:aws:s3:::cc-43/x').decision).toBe('denied');
  });

  it('a variable the scan cannot resolve makes a matching statement conditional, naming the key', () => {
    const b = new GraphBuilder();
    const role = b.role('app');
    b.inlinePolicy(role, 'p', doc(allow('s3:*', 'arn:aws:s3:::home/${aws:userid}/*')));
    const ev = createEvaluator(b.graph, { now: NOW });
    const e = ev.evaluate(role, 's3:GetObject', 'arn:aws:s3:::home/AROAEXAMPLE:build/x');
    expect(e.decision).toBe('conditional');
    expect(e.unknownKeys).toEqual(['aws:userid']);
    // where no value could match, it is simply denied
    expect(ev.evaluate(role, 's3:GetObject', 'arn:aws:s3:::other/x').decision).toBe('denied');
  });

  it('aws:userid of a user comes from the graph', () => {
    const b = new GraphBuilder();
    const user = b.user('erin');
    b.graph.addNode({ ...b.graph.node(user)!, attributes: { userId: 'AIDAEXAMPLE' } } as never);
    b.inlinePolicy(user, 'p', doc(allow('s3:*', 'arn:aws:s3:::home/${aws:userid}/*')));
    const ev = createEvaluator(b.graph, { now: NOW });
    expect(ev.evaluate(user, 's3:GetObject', 'arn:aws:s3:::home/AIDAEXAMPLE/x').decision).toBe('allowed');
    expect(ev.evaluate(user, 's3:GetObject', 'arn:aws:s3:::home/AIDAOTHER/x').decision).toBe('denied');
  });

  it('an unresolvable variable in a Deny leaves an Allow conditional', () => {
    const b = new GraphBuilder();
    const role = b.role('app');
    b.inlinePolicy(role, 'p', doc(allow('s3:*'), deny('s3:*', 'arn:aws:s3:::home/${aws:userid}/*')));
    const e = createEvaluator(b.graph, { now: NOW }).evaluate(role, 's3:DeleteObject', 'arn:aws:s3:::home/x/y');
    expect(e.decision).toBe('conditional');
    expect(e.unknownKeys).toEqual(['aws:userid']);
  });

  it('escapes ${*} ${?} ${$} are literal characters', () => {
    const can = oneUser(doc(allow('s3:GetObject', 'arn:aws:s3:::data/${*}${?}${$}')));
    expect(can('s3:GetObject', 'arn:aws:s3:::data/*?$').decision).toBe('allowed');
    expect(can('s3:GetObject', 'arn:aws:s3:::data/ab$').decision).toBe('denied');
  });

  it('documents without Version 2012-10-17 keep ${...} as text', () => {
    const can = oneUser({ Statement: [allow('iam:CreateAccessKey', `arn:aws:iam::${ACCOUNT}:user/\${aws:username}`)] });
    expect(can('iam:CreateAccessKey', arn.user('alice')).decision).toBe('denied');
    expect(can('iam:CreateAccessKey', `arn:aws:iam::${ACCOUNT}:user/\${aws:username}`).decision).toBe('allowed');
  });
});

describe('condition keys decided from the scan', () => {
  const PAST = '2026-01-01T00:00:00Z';
  const FUTURE = '2027-01-01T00:00:00Z';
  const cond = (Condition: Record<string, unknown>) => doc(allow('s3:*', '*', { Condition }));

  it.each<[string, Record<string, unknown>, Decision]>([
    ['aws:CurrentTime before a future date', { DateLessThan: { 'aws:CurrentTime': FUTURE } }, 'allowed'],
    ['aws:CurrentTime before a past date (expired grant)', { DateLessThan: { 'aws:CurrentTime': PAST } }, 'denied'],
    ['aws:CurrentTime after a past date', { DateGreaterThan: { 'aws:CurrentTime': PAST } }, 'allowed'],
    ['aws:EpochTime (numeric)', { NumericLessThan: { 'aws:EpochTime': String(Date.parse(FUTURE) / 1000) } }, 'allowed'],
    ['aws:EpochTime (numeric, past)', { NumericLessThan: { 'aws:EpochTime': String(Date.parse(PAST) / 1000) } }, 'denied'],
    ['aws:PrincipalArn', { ArnLike: { 'aws:PrincipalArn': `arn:aws:iam::${ACCOUNT}:user/ali*` } }, 'allowed'],
    ['aws:PrincipalArn of someone else', { ArnLike: { 'aws:PrincipalArn': `arn:aws:iam::${ACCOUNT}:user/bob` } }, 'denied'],
    ['aws:PrincipalAccount', { StringEquals: { 'aws:PrincipalAccount': ACCOUNT } }, 'allowed'],
    ['aws:PrincipalAccount of another account', { StringEquals: { 'aws:PrincipalAccount': OTHER_ACCOUNT } }, 'denied'],
    ['aws:username', { StringEquals: { 'aws:username': 'alice' } }, 'allowed'],
    ['aws:PrincipalType', { StringEquals: { 'aws:PrincipalType': 'User' } }, 'allowed'],
    ['aws:PrincipalType of a role', { StringEquals: { 'aws:PrincipalType': 'AssumedRole' } }, 'denied'],
    ['aws:PrincipalTag', { StringEquals: { 'aws:PrincipalTag/team': 'red' } }, 'allowed'],
    ['aws:PrincipalTag, other value', { StringEquals: { 'aws:PrincipalTag/team': 'blue' } }, 'denied'],
    ['aws:PrincipalTag absent', { StringEquals: { 'aws:PrincipalTag/cost-centre': 'x' } }, 'denied'],
    ['condition keys ignore case', { StringEquals: { 'AWS:PRINCIPALTAG/TEAM': 'red' } }, 'allowed'],
    ['aws:TokenIssueTime of a user: absent with access keys, now in a session', { DateGreaterThan: { 'aws:TokenIssueTime': PAST } }, 'conditional'],
    ['aws:TokenIssueTime must be absent (long-term keys)', { Null: { 'aws:TokenIssueTime': 'true' } }, 'conditional'],
    ['a key the scan cannot know', { IpAddress: { 'aws:SourceIp': '203.0.113.0/24' } }, 'conditional'],
    ['a decided false beside an unknown key', { IpAddress: { 'aws:SourceIp': '203.0.113.0/24' }, DateLessThan: { 'aws:CurrentTime': PAST } }, 'denied'],
  ])('%s', (_name, Condition, expected) => {
    expect(oneUser(cond(Condition), { tags: { team: 'red' } })('s3:GetObject', `${BUCKET}/a`).decision).toBe(expected);
  });

  it('aws:TokenIssueTime of a role is the scan time', () => {
    const b = new GraphBuilder();
    const role = b.role('app');
    b.inlinePolicy(role, 'p', cond({ DateGreaterThan: { 'aws:TokenIssueTime': PAST } }));
    b.inlinePolicy(role, 'revoke', doc(deny('*', '*', { Condition: { DateLessThan: { 'aws:TokenIssueTime': PAST } } })));
    expect(createEvaluator(b.graph, { now: NOW }).evaluate(role, 's3:GetObject', `${BUCKET}/a`).decision).toBe('allowed');
  });

  it('names the unknown keys of a conditional answer, sorted', () => {
    const e = oneUser(cond({ IpAddress: { 'aws:SourceIp': '203.0.113.0/24' }, StringEquals: { 'aws:RequestedRegion': 'eu-west-1' } }))('s3:GetObject', `${BUCKET}/a`);
    expect(e.decision).toBe('conditional');
    expect(e.unknownKeys).toEqual(['aws:RequestedRegion', 'aws:SourceIp']);
    expect(e.conditions.map((c) => [c.key, c.outcome])).toEqual([
      ['aws:SourceIp', 'unknown'],
      ['aws:RequestedRegion', 'unknown'],
    ]);
  });

  it('a Deny under an unknown condition turns allowed into conditional', () => {
    const e = oneUser(doc(allow('s3:*'), deny('s3:*', '*', { Condition: { NotIpAddress: { 'aws:SourceIp': '10.0.0.0/8' } } })))('s3:GetObject', `${BUCKET}/a`);
    expect(e.decision).toBe('conditional');
    expect(e.unknownKeys).toEqual(['aws:SourceIp']);
    expect(e.denies).toHaveLength(1);
  });

  it('a Deny under an unknown condition does not matter when nothing allows', () => {
    const e = oneUser(doc(deny('s3:*', '*', { Condition: { NotIpAddress: { 'aws:SourceIp': '10.0.0.0/8' } } })))('s3:GetObject', `${BUCKET}/a`);
    expect(e.decision).toBe('denied');
    expect(e.deniedBy).toBe('no-allow');
    expect(e.unknownKeys).toEqual([]);
  });

  it('an Allow under a false condition does not count, an unconditional one does', () => {
    const e = oneUser(doc(allow('s3:*', '*', { Condition: { DateLessThan: { 'aws:CurrentTime': PAST } } }), allow('s3:GetObject')))('s3:GetObject', `${BUCKET}/a`);
    expect(e.decision).toBe('allowed');
    expect(e.allows.map((s) => s.statementIndex)).toEqual([1]);
  });
});

describe('aws:MultiFactorAuthPresent', () => {
  const needsMfa = doc(allow('iam:*', '*', { Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } } }));
  const denyWithoutMfa = doc(allow('iam:*'), deny('iam:*', '*', { Condition: { BoolIfExists: { 'aws:MultiFactorAuthPresent': 'false' } } }));

  it.each<[string, Doc, { mfaActive?: boolean }, Decision]>([
    ['Allow if MFA, user without an MFA device: never holds', needsMfa, { mfaActive: false }, 'denied'],
    ['Allow if MFA, user with an MFA device: depends on the session', needsMfa, { mfaActive: true }, 'conditional'],
    ['Deny unless MFA (IfExists), user without an MFA device: always denied', denyWithoutMfa, { mfaActive: false }, 'denied'],
    ['Deny unless MFA (IfExists), user with an MFA device: depends', denyWithoutMfa, { mfaActive: true }, 'conditional'],
  ])('%s', (_name, policy, opts, expected) => {
    const e = oneUser(policy, opts)('iam:CreateUser');
    expect(e.decision).toBe(expected);
    if (expected === 'conditional') expect(e.unknownKeys).toEqual(['aws:MultiFactorAuthPresent']);
  });

  it('is unknown for a role session', () => {
    const b = new GraphBuilder();
    const role = b.role('ops');
    b.inlinePolicy(role, 'p', needsMfa);
    const e = createEvaluator(b.graph, { now: NOW }).evaluate(role, 'iam:CreateUser', '*');
    expect(e.decision).toBe('conditional');
    expect(e.unknownKeys).toEqual(['aws:MultiFactorAuthPresent']);
  });
});

describe('request context from the caller', () => {
  const passToLambda = doc(allow('iam:PassRole', arn.role('*'), { Condition: { StringEquals: { 'iam:PassedToService': 'lambda.amazonaws.com' } } }));

  it.each<[string, Record<string, string | string[] | undefined> | undefined, Decision]>([
    ['the service the method passes to', { 'iam:passedtoservice': 'lambda.amazonaws.com' }, 'allowed'],
    ['another service', { 'iam:passedtoservice': 'ec2.amazonaws.com' }, 'denied'],
    ['keys are matched case-insensitively', { 'IAM:PassedToService': 'lambda.amazonaws.com' }, 'allowed'],
    ['not given: conditional', undefined, 'conditional'],
    ['given as absent: the key is not in the request', { 'iam:passedtoservice': undefined }, 'denied'],
  ])('%s', (_name, context, expected) => {
    const e = oneUser(passToLambda)('iam:PassRole', arn.role('fn'), context);
    expect(e.decision).toBe(expected);
    if (expected === 'conditional') expect(e.unknownKeys).toEqual(['iam:PassedToService']);
  });

  it('iam:PermissionsBoundary given as absent decides a Null check', () => {
    const policy = doc(allow('iam:CreateRole'), deny('iam:CreateRole', '*', { Condition: { Null: { 'iam:PermissionsBoundary': 'true' } } }));
    const can = oneUser(policy);
    expect(can('iam:CreateRole', arn.role('x'), { 'iam:permissionsboundary': undefined }).decision).toBe('denied');
    expect(can('iam:CreateRole', arn.role('x'), { 'iam:permissionsboundary': arn.policy('b') }).decision).toBe('allowed');
    expect(can('iam:CreateRole', arn.role('x')).decision).toBe('conditional');
  });
});

describe('the root user and principals outside the graph', () => {
  it('the root user may do everything', () => {
    const b = new GraphBuilder();
    const root = b.root();
    expect(createEvaluator(b.graph, { now: NOW }).evaluate(root, 'iam:CreateUser', '*').decision).toBe('allowed');
  });

  it('an id the graph does not hold is denied, with a note that does not reach principals without policies', () => {
    const b = new GraphBuilder();
    const bare = b.user('bare');
    const ev = createEvaluator(b.graph, { now: NOW });
    const e = ev.evaluate('aws:iam-user:nobody', 's3:GetObject', '*');
    expect(e.decision).toBe('denied');
    expect(e.notes?.join()).toMatch(/not in the graph/);
    const f = ev.evaluate(bare, 's3:GetObject', '*');
    expect(f).toMatchObject({ decision: 'denied', deniedBy: 'no-allow', principalId: bare });
    expect(f.notes).toBeUndefined();
  });
});

describe('memoisation by policy set', () => {
  function shared() {
    const b = new GraphBuilder();
    const p = b.managedPolicy('Read', doc(allow('s3:Get*')));
    const selfService = b.managedPolicy('Self', doc(allow('iam:CreateAccessKey', `arn:aws:iam::${ACCOUNT}:user/\${aws:username}`)));
    const u1 = b.user('u1');
    const u2 = b.user('u2');
    const u3 = b.user('u3');
    const u4 = b.user('u4');
    b.attach(u1, p).attach(u2, p).attach(u3, p).attach(u3, selfService).attach(u4, p).attach(u4, selfService);
    return { ev: createEvaluator(b.graph, { now: NOW }), u1, u2, u3, u4 };
  }

  it('principals holding the same policies share a key; variables add the principal', () => {
    const { ev, u1, u2, u3, u4 } = shared();
    expect(ev.policySetKey(u1)).toBe(ev.policySetKey(u2));
    expect(ev.policySetKey(u3)).not.toBe(ev.policySetKey(u4));
    expect(ev.policySetKey(u3)).toContain(u3);
  });

  it('a shared answer carries the asking principal', () => {
    const { ev, u1, u2 } = shared();
    const a = ev.evaluate(u1, 's3:GetObject', `${BUCKET}/a`);
    const b = ev.evaluate(u2, 's3:GetObject', `${BUCKET}/a`);
    expect(a.principalId).toBe(u1);
    expect(b.principalId).toBe(u2);
    expect({ ...b, principalId: u1 }).toEqual(a);
  });

  it('answers depending on the principal stay per principal', () => {
    const { ev, u3, u4 } = shared();
    expect(ev.evaluate(u3, 'iam:CreateAccessKey', arn.user('u3')).decision).toBe('allowed');
    expect(ev.evaluate(u4, 'iam:CreateAccessKey', arn.user('u3')).decision).toBe('denied');
    expect(ev.evaluate(u4, 'iam:CreateAccessKey', arn.user('u4')).decision).toBe('allowed');
  });

  it('answers shared across resources (every matching statement says Resource "*") carry the asked resource', () => {
    const { ev, u1 } = shared();
    const a = ev.evaluate(u1, 's3:GetObject', `${BUCKET}/a`);
    const b = ev.evaluate(u1, 's3:GetObject', `${BUCKET}/b`);
    expect(a.resource).toBe(`${BUCKET}/a`);
    expect(b.resource).toBe(`${BUCKET}/b`);
    expect(b.decision).toBe('allowed');
  });

  it('a context object changed between two questions is read again', () => {
    const b = new GraphBuilder();
    const u = b.user('u');
    b.inlinePolicy(u, 'p', doc(allow('iam:PassRole', '*', { Condition: { StringEquals: { 'iam:PassedToService': 'ec2.amazonaws.com' } } })));
    const ev = createEvaluator(b.graph, { now: NOW });
    const context: Record<string, string | string[]> = { 'iam:passedtoservice': 'ec2.amazonaws.com' };
    expect(ev.evaluate(u, 'iam:PassRole', '*', { context }).decision).toBe('allowed');
    context['iam:passedtoservice'] = 'glue.amazonaws.com';
    expect(ev.evaluate(u, 'iam:PassRole', '*', { context }).decision).toBe('denied');
    context['iam:passedtoservice'] = ['ec2.amazonaws.com'];
    expect(ev.evaluate(u, 'iam:PassRole', '*', { context }).decision).toBe('allowed');
    (context['iam:passedtoservice'] as string[])[0] = 'glue.amazonaws.com';
    expect(ev.evaluate(u, 'iam:PassRole', '*', { context }).decision).toBe('denied');
  });

  it('a different request context is a different question', () => {
    const b = new GraphBuilder();
    const u = b.user('u');
    b.inlinePolicy(u, 'p', doc(allow('iam:PassRole', '*', { Condition: { StringEquals: { 'iam:PassedToService': 'ec2.amazonaws.com' } } })));
    const ev = createEvaluator(b.graph, { now: NOW });
    expect(ev.evaluate(u, 'iam:PassRole', '*', { context: { 'iam:passedtoservice': 'ec2.amazonaws.com' } }).decision).toBe('allowed');
    expect(ev.evaluate(u, 'iam:PassRole', '*', { context: { 'iam:passedtoservice': 'glue.amazonaws.com' } }).decision).toBe('denied');
    expect(ev.evaluate(u, 'iam:PassRole', '*').decision).toBe('conditional');
  });
});

describe('canAssume (role trust with the caller identity policy)', () => {
  const trust = (...Statement: unknown[]) => doc(...Statement);
  const trustAws = (principal: string | string[], extra: Record<string, unknown> = {}) => ({ Effect: 'Allow', Principal: { AWS: principal }, Action: 'sts:AssumeRole', ...extra });
  const grantAssume = (roleArn: string) => doc(allow('sts:AssumeRole', roleArn));

  function pair(trustDoc: Doc, opts: { callerAcct?: string; grant?: boolean; callerRole?: boolean; mfaActive?: boolean; callerBoundary?: Doc } = {}) {
    const b = new GraphBuilder();
    const target = b.role('target', { trust: trustDoc });
    const caller = opts.callerRole ? b.role('caller', { acct: opts.callerAcct }) : b.user('caller', { acct: opts.callerAcct, mfaActive: opts.mfaActive });
    if (opts.grant) b.inlinePolicy(caller, 'assume', grantAssume(arn.role('target')));
    if (opts.callerBoundary) b.attach(caller, b.managedPolicy('Boundary', opts.callerBoundary), 'boundary');
    return { ev: createEvaluator(b.graph, { now: NOW }), caller, target, b };
  }

  it.each<[string, Doc, Parameters<typeof pair>[1], Decision, string | undefined]>([
    ['same account, trust names the user: no identity grant needed', trust(trustAws(arn.user('caller'))), {}, 'allowed', 'principal'],
    ['same account, trust names the account root, no identity grant', trust(trustAws(`arn:aws:iam::${ACCOUNT}:root`)), {}, 'denied', 'account'],
    ['same account, trust names the account root, identity grant', trust(trustAws(`arn:aws:iam::${ACCOUNT}:root`)), { grant: true }, 'allowed', 'account'],
    ['same account, account id as principal, identity grant', trust(trustAws(ACCOUNT)), { grant: true }, 'allowed', 'account'],
    ['cross account, trust names the user, no identity grant', trust(trustAws(arn.user('caller', OTHER_ACCOUNT))), { callerAcct: OTHER_ACCOUNT }, 'denied', 'principal'],
    ['cross account, trust names the user, identity grant', trust(trustAws(arn.user('caller', OTHER_ACCOUNT))), { callerAcct: OTHER_ACCOUNT, grant: true }, 'allowed', 'principal'],
    ['cross account, trust names the caller account root, identity grant', trust(trustAws(`arn:aws:iam::${OTHER_ACCOUNT}:root`)), { callerAcct: OTHER_ACCOUNT, grant: true }, 'allowed', 'account'],
    ['trust names another user', trust(trustAws(arn.user('someone-else'))), { grant: true }, 'denied', undefined],
    ['trust names another account', trust(trustAws(`arn:aws:iam::${OTHER_ACCOUNT}:root`)), { grant: true }, 'denied', undefined],
    ['trust names a service only', trust({ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }), { grant: true }, 'denied', undefined],
    ['trust for web identity only', trust({ Effect: 'Allow', Principal: { AWS: arn.user('caller') }, Action: 'sts:AssumeRoleWithWebIdentity' }), { grant: true }, 'denied', undefined],
    ['trust in anyone, same account', trust(trustAws('*')), {}, 'allowed', 'anyone'],
    ['trust in anyone, cross account without identity grant', trust(trustAws('*')), { callerAcct: OTHER_ACCOUNT }, 'denied', 'anyone'],
    ['trust in anyone limited by aws:PrincipalAccount', trust(trustAws('*', { Condition: { StringEquals: { 'aws:PrincipalAccount': ACCOUNT } } })), { callerAcct: OTHER_ACCOUNT, grant: true }, 'denied', undefined],
    ['trust in the root limited by aws:PrincipalArn (matching)', trust(trustAws(`arn:aws:iam::${ACCOUNT}:root`, { Condition: { ArnLike: { 'aws:PrincipalArn': `arn:aws:iam::${ACCOUNT}:user/call*` } } })), { grant: true }, 'allowed', 'account'],
    ['trust in the root limited by aws:PrincipalArn (not matching)', trust(trustAws(`arn:aws:iam::${ACCOUNT}:root`, { Condition: { ArnLike: { 'aws:PrincipalArn': `arn:aws:iam::${ACCOUNT}:role/ci-*` } } })), { grant: true }, 'denied', undefined],
    ['a Deny in the trust policy', trust(trustAws(arn.user('caller')), { Effect: 'Deny', Principal: { AWS: '*' }, Action: 'sts:AssumeRole' }), { grant: true }, 'denied', 'principal'],
    ['MFA required, user without an MFA device', trust(trustAws(arn.user('caller'), { Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } } })), { mfaActive: false }, 'denied', undefined],
    ['MFA required, user with an MFA device', trust(trustAws(arn.user('caller'), { Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } } })), { mfaActive: true }, 'conditional', 'principal'],
    ['external id required', trust(trustAws(arn.user('caller'), { Condition: { StringEquals: { 'sts:ExternalId': 'x-123' } } })), {}, 'conditional', 'principal'],
  ])('%s', (_name, trustDoc, opts, expected, via) => {
    const { ev, caller, target } = pair(trustDoc, opts);
    const a = ev.canAssume(caller, target);
    expect(a.decision).toBe(expected);
    expect(a.via).toBe(via);
  });

  it('names the unknown keys: MFA for a user with a device, the external id', () => {
    const mfa = pair(trust(trustAws(arn.user('caller'), { Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } } })), { mfaActive: true });
    expect(mfa.ev.canAssume(mfa.caller, mfa.target).unknownKeys).toEqual(['aws:MultiFactorAuthPresent']);
    const ext = pair(trust(trustAws(arn.user('caller'), { Condition: { StringEquals: { 'sts:ExternalId': 'x-123' } } })));
    expect(ext.ev.canAssume(ext.caller, ext.target).unknownKeys).toEqual(['sts:ExternalId']);
  });

  it('an explicit Deny of sts:AssumeRole in the caller identity policy wins over a trust that names it', () => {
    const { ev, caller, target, b } = pair(trust(trustAws(arn.user('caller'))));
    b.inlinePolicy(caller, 'no-assume', doc(deny('sts:AssumeRole')));
    const a = ev.canAssume(caller, target);
    expect(a.decision).toBe('denied');
    expect(a.identity?.deniedBy).toBe('explicit-deny');
  });

  it('cites the trust statement and the identity evaluation', () => {
    const { ev, caller, target } = pair(trust(trustAws(`arn:aws:iam::${ACCOUNT}:root`)), { grant: true });
    const a = ev.canAssume(caller, target);
    expect(a.trust).toEqual([expect.objectContaining({ policyId: target, kind: 'trust', statementIndex: 0, effect: 'Allow' })]);
    expect(a.identity).toMatchObject({ decision: 'allowed', principalId: caller, action: 'sts:AssumeRole', resource: arn.role('target') });
  });

  describe('a role as caller', () => {
    it('trust naming the role ARN: no identity grant needed', () => {
      const { ev, caller, target } = pair(trust(trustAws(arn.role('caller'))), { callerRole: true });
      expect(ev.canAssume(caller, target).decision).toBe('allowed');
    });

    it('trust naming the role ARN is still limited by the role permissions boundary', () => {
      const { ev, caller, target } = pair(trust(trustAws(arn.role('caller'))), { callerRole: true, callerBoundary: doc(allow('s3:*')) });
      expect(ev.canAssume(caller, target).decision).toBe('denied');
    });

    it('trust naming one session of the role depends on the session name', () => {
      const { ev, caller, target } = pair(trust(trustAws(`arn:aws:sts::${ACCOUNT}:assumed-role/caller/build-42`)), { callerRole: true });
      const a = ev.canAssume(caller, target);
      expect(a.decision).toBe('conditional');
      expect(a.unknownKeys).toEqual(['sts:RoleSessionName']);
    });

    it('MFA in a role session is unknown', () => {
      const { ev, caller, target } = pair(trust(trustAws(arn.role('caller'), { Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } } })), { callerRole: true });
      expect(ev.canAssume(caller, target)).toMatchObject({ decision: 'conditional', unknownKeys: ['aws:MultiFactorAuthPresent'] });
    });
  });

  describe('NotPrincipal (not valid in trust policies; evaluated as AWS does in resource policies)', () => {
    it('Allow with NotPrincipal admits everyone but the listed', () => {
      const listed = pair(trust({ Effect: 'Allow', NotPrincipal: { AWS: arn.user('caller') }, Action: 'sts:AssumeRole' }), { grant: true });
      expect(listed.ev.canAssume(listed.caller, listed.target).decision).toBe('denied');
      const other = pair(trust({ Effect: 'Allow', NotPrincipal: { AWS: arn.user('someone-else') }, Action: 'sts:AssumeRole' }));
      const a = other.ev.canAssume(other.caller, other.target);
      expect(a.decision).toBe('allowed');
      expect(a.via).toBe('anyone');
      expect(a.notes?.join()).toMatch(/NotPrincipal/);
    });

    it('Deny with NotPrincipal spares a user listed with its account', () => {
      const spare = pair(trust(trustAws(arn.user('caller')), { Effect: 'Deny', NotPrincipal: { AWS: [arn.user('caller'), `arn:aws:iam::${ACCOUNT}:root`] }, Action: 'sts:AssumeRole' }));
      expect(spare.ev.canAssume(spare.caller, spare.target).decision).toBe('allowed');
      const without = pair(trust(trustAws(arn.user('caller')), { Effect: 'Deny', NotPrincipal: { AWS: [arn.user('caller')] }, Action: 'sts:AssumeRole' }));
      expect(without.ev.canAssume(without.caller, without.target).decision).toBe('denied');
    });

    it('Deny with NotPrincipal always denies a principal with a permissions boundary', () => {
      const { ev, caller, target } = pair(trust(trustAws(arn.user('caller')), { Effect: 'Deny', NotPrincipal: { AWS: [arn.user('caller'), `arn:aws:iam::${ACCOUNT}:root`] }, Action: 'sts:AssumeRole' }), {
        callerBoundary: doc(allow('*')),
      });
      expect(ev.canAssume(caller, target).decision).toBe('denied');
    });
  });

  it('the root user cannot assume roles; a non-role target is refused', () => {
    const b = new GraphBuilder();
    const root = b.root();
    const user = b.user('u');
    const target = b.role('target', { trust: trust(trustAws('*')) });
    const ev = createEvaluator(b.graph, { now: NOW });
    expect(ev.canAssume(root, target)).toMatchObject({ decision: 'denied', notes: [expect.stringMatching(/root/)] });
    expect(ev.canAssume(user, user)).toMatchObject({ decision: 'denied', notes: [expect.stringMatching(/not an IAM role/)] });
  });
});
