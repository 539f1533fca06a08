/** `nhi can`: the decision for an identity's own grants, with its provenance, and its text. */
import { describe, expect, it } from 'vitest';
import { canReport, renderCanText, type CanQuery, type CanReport } from '../../src/cli/commands/can.js';
import type { IdentityGraph } from '../../src/graph/graph.js';
import { account, binding, gcpGraph, sa, saId } from '../rules/gcp-builders.js';
import { NOW as GCP_NOW } from '../rules/builders.js';
import { fixtureGraph, node, NOW, roleArn, SNAPSHOT, userArn, userId } from './query-graph.js';
import { nhiErrorOf } from '../support/errors.js';

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

const graph = fixtureGraph();
function can(subject: string, q: CanQuery, g: IdentityGraph = graph, now = NOW): CanReport {
  return canReport(g, now, node(g, subject), q, SNAPSHOT);
}
const refs = (list: CanReport['allows']) => list.map((s) => [s.policyName, s.statementIndex, s.sid ?? null]);

const error = nhiErrorOf;

describe('nhi can: AWS identities', () => {
  it.each<[string, string, CanQuery, Partial<CanReport>, unknown[][], unknown[][]]>([
    ['PassRole of a role its statement names', 'ci/build-bot', { action: 'iam:PassRole', resource: roleArn('lambda-admin') }, { decision: 'allowed', deniedBy: null, engine: 'aws' }, [['build', 0, 'PassLambdaRoles']], []],
    ['look-alike: PassRole of a role outside its Resource', 'ci/build-bot', { action: 'iam:PassRole', resource: roleArn('deploy') }, { decision: 'denied', deniedBy: 'no-allow' }, [], []],
    ['CreateAccessKey on an ordinary user', 'svc/key-minter', { action: 'iam:CreateAccessKey', resource: userArn('svc/report-bot') }, { decision: 'allowed' }, [['mint-keys', 0, 'MintUserKeys']], []],
    ['look-alike: CreateAccessKey on an admin, denied by another policy', 'svc/key-minter', { action: 'iam:CreateAccessKey', resource: userArn('admins/ops-admin') }, { decision: 'denied', deniedBy: 'explicit-deny' }, [['mint-keys', 0, 'MintUserKeys']], [['no-admin-keys', 0, 'NotForAdmins']]],
    ['S3 inside the permissions boundary', 'dev/bounded-dev', { action: 's3:GetObject', resource: 'arn:aws:s3:::reports/a.csv' }, { decision: 'allowed' }, [['AdministratorAccess', 0, null]], []],
    ['look-alike: IAM outside the permissions boundary', 'dev/bounded-dev', { action: 'iam:CreateUser', resource: userArn('x') }, { decision: 'denied', deniedBy: 'boundary' }, [['AdministratorAccess', 0, null]], []],
  ])('%s', (_what, who, q, expected, allows, denies) => {
    const r = can(userId(who), q);
    expect(r).toMatchObject(expected);
    expect(refs(r.allows)).toEqual(allows);
    expect(refs(r.denies)).toEqual(denies);
  });

  it('the boundary\'s own verdict is part of the answer', () => {
    expect(can(userId('dev/bounded-dev'), { action: 's3:GetObject', resource: 'arn:aws:s3:::reports/a.csv' }).boundary?.decision).toBe('allowed');
    expect(can(userId('dev/bounded-dev'), { action: 'iam:CreateUser', resource: userArn('x') }).boundary).toEqual({ decision: 'denied', allows: [], denies: [] });
    expect(can(userId('ci/build-bot'), { action: 'iam:PassRole', resource: roleArn('lambda-admin') }).boundary).toBeNull();
  });

  it('a condition on a key the scan cannot know is conditional, the key and the condition named', () => {
    const r = can(userId('svc/ip-bound'), { action: 'iam:CreateAccessKey', resource: userArn('svc/report-bot') });
    expect(r).toMatchObject({ decision: 'conditional', unknownKeys: ['aws:SourceIp'], deniedBy: null });
    expect(r.conditions).toEqual([expect.objectContaining({ operator: 'IpAddress', key: 'aws:SourceIp', values: ['203.0.113.0/24'], outcome: 'unknown' })]);
  });

  it.each([
    ['inside the range: allowed', '203.0.113.9', 'allowed'],
    ['outside it: denied', '198.51.100.1', 'denied'],
  ])('--context decides the key: %s', (_w, ip, decision) => {
    const r = can(userId('svc/ip-bound'), { action: 'iam:CreateAccessKey', resource: userArn('svc/report-bot'), context: { 'aws:sourceip': ip } });
    expect(r.decision).toBe(decision);
    expect(r.context).toEqual({ 'aws:sourceip': ip });
  });

  it('sts:AssumeRole on a role of the snapshot is decided by its trust with the caller\'s identity policy', () => {
    const r = can(userId('svc/chain-start'), { action: 'sts:AssumeRole', resource: 'chain-mid' });
    expect(r).toMatchObject({ decision: 'allowed', engine: 'aws-assume-role', trustVia: 'principal', resource: roleArn('chain-mid') });
    expect(r.trust?.map((s) => [s.kind, s.policyName, s.statementIndex])).toEqual([['trust', 'chain-mid (trust policy)', 0]]);
    expect(r.identity?.decision).toBe('allowed');
  });

  it('look-alike: a caller the trust does not name cannot assume, even with an identity grant elsewhere', () => {
    const r = can(userId('svc/report-bot'), { action: 'sts:AssumeRole', resource: roleArn('chain-mid') });
    expect(r).toMatchObject({ decision: 'denied', engine: 'aws-assume-role', deniedBy: 'no-allow', trust: [] });
  });

  it('no resource: some resource of its choosing (the action\'s resource type), with the one that was found', () => {
    const r = can(userId('svc/key-minter'), { action: 'iam:CreateAccessKey', anyResource: 'arn:*:iam::*:user/*' });
    expect(r.decision).toBe('allowed');
    expect(r.resource).toBe('arn:*:iam::*:user/*');
    expect(r.notes.join(' ')).toMatch(/a resource matching arn:\*:iam::\*:user\/\*/);
  });

  it('an access key is decided by the grants of its holder', () => {
    const key = graph.credentialsOf(userId('ci/build-bot')).find((c) => c.type === 'access-key')!;
    const r = can(key.id, { action: 'iam:PassRole', resource: roleArn('lambda-admin') });
    expect(r.decision).toBe('allowed');
    expect(r.actsAs?.id).toBe(userId('ci/build-bot'));
    expect(r.subject.kind).toBe('credential');
  });

  it.each<[string, string, CanQuery, RegExp]>([
    ['a Google Cloud permission for an AWS identity', userId('ci/build-bot'), { action: 'iam.serviceAccountKeys.create', resource: 'projects/p' }, /Google Cloud permission/],
    ['a typo in the action', userId('ci/build-bot'), { action: 'iam:PasRole' }, /unknown AWS action/],
    ['a service principal, which has no grants of its own', 'aws:service-principal:lambda.amazonaws.com', { action: 'iam:PassRole' }, /decides for AWS users, roles, groups and root/],
  ])('%s is a usage error', (_w, subject, q, message) => {
    const e = error(() => can(subject, q));
    expect(e.code).toBe('USAGE');
    expect(e.message).toMatch(message);
  });
});

describe('nhi can: Google Cloud members', () => {
  const member = (name: string) => `serviceAccount:${sa(name)}`;
  const TOKEN = 'roles/iam.serviceAccountTokenCreator';
  const base = (saPolicy: { bindings: unknown[] }) =>
    gcpGraph({ serviceAccounts: [account('app'), account('deployer'), account('other')], saPolicies: { [sa('deployer')]: saPolicy as never } });

  it.each<[string, IdentityGraph, string, string, Partial<CanReport>]>([
    ['token creator on the account', base({ bindings: [binding(TOKEN, member('app'))] }), 'iam.serviceAccounts.getAccessToken', `serviceAccounts/${sa('deployer')}`, { decision: 'allowed', engine: 'gcp' }],
    ['look-alike: the same permission on an account it holds nothing on', base({ bindings: [binding(TOKEN, member('app'))] }), 'iam.serviceAccounts.getAccessToken', `serviceAccounts/${sa('other')}`, { decision: 'denied', deniedBy: 'no-allow' }],
    [
      'a binding whose condition the scan cannot settle',
      base({ bindings: [{ ...binding(TOKEN, member('app')), condition: { title: 'tagged', expression: 'resource.matchTag("env", "dev")' } }] }),
      'iam.serviceAccounts.getAccessToken',
      `serviceAccounts/${sa('deployer')}`,
      { decision: 'conditional', unknownKeys: ['resource.matchTag("env", "dev")'] },
    ],
    [
      'look-alike: a binding that expired before the as-of time',
      base({ bindings: [{ ...binding(TOKEN, member('app')), condition: { title: 'old', expression: 'request.time < timestamp("2020-01-01T00:00:00Z")' } }] }),
      'iam.serviceAccounts.getAccessToken',
      `serviceAccounts/${sa('deployer')}`,
      { decision: 'denied' },
    ],
  ])('%s', (_w, g, permission, resource, expected) => {
    const r = can(saId('app'), { action: permission, resource }, g, GCP_NOW);
    expect(r).toMatchObject(expected);
    if (r.decision !== 'denied') expect(r.allows.map((s) => s.policyName)).toEqual([`${TOKEN} on serviceAccounts/${sa('deployer')}`]);
  });

  it('a Google Cloud permission needs a resource, and an AWS action is refused', () => {
    const g = base({ bindings: [] });
    expect(error(() => can(saId('app'), { action: 'iam.serviceAccounts.getAccessToken' }, g, GCP_NOW)).message).toMatch(/needs a resource/);
    expect(error(() => can(saId('app'), { action: 'iam:PassRole' }, g, GCP_NOW)).message).toMatch(/is an AWS action/);
  });
});

describe('nhi can: text', () => {
  const text = (who: string, q: CanQuery) => {
    const r = can(userId(who), q);
    return renderCanText(graph, node(graph, userId(who)), r, undefined);
  };

  it('allowed: the answer first, then the statements that allow', () => {
    const t = text('ci/build-bot', { action: 'iam:PassRole', resource: roleArn('lambda-admin') });
    expect(t.split('\n')[0]).toBe(`allowed: IAM user build-bot may iam:PassRole on ${roleArn('lambda-admin')}`);
    expect(t).toContain('allowed by:\n    statement 0 (PassLambdaRoles) of policy build');
  });

  it('denied by an explicit Deny: the Deny is named', () => {
    const t = text('svc/key-minter', { action: 'iam:CreateAccessKey', resource: userArn('admins/ops-admin') });
    expect(t.split('\n')[0]).toMatch(/^denied: IAM user key-minter may not iam:CreateAccessKey on .* \(an explicit Deny\)$/);
    expect(t).toContain('denied by:\n    statement 0 (NotForAdmins) of policy no-admin-keys');
  });

  it('conditional: the key it depends on, and how to settle it', () => {
    const t = text('svc/ip-bound', { action: 'iam:CreateAccessKey', resource: userArn('svc/report-bot') });
    expect(t.split('\n')[0]).toMatch(/^conditional: .* only if aws:SourceIp allows it$/);
    expect(t).toContain('IpAddress aws:SourceIp 203.0.113.0/24 → unknown');
    expect(t).toContain('depends on: aws:SourceIp (give a value with --context KEY=VALUE to decide it)');
  });

  it('sts:AssumeRole: how the trust admits the caller', () => {
    const t = text('svc/chain-start', { action: 'sts:AssumeRole', resource: roleArn('chain-mid') });
    expect(t).toContain('trust policy (names the caller: within one account no identity grant is needed):\n    statement 0 of trust policy of chain-mid');
  });

  it('hostile policy names and statement ids never reach the terminal raw', () => {
    const t = text('svc/hostile-bot', { action: 'iam:CreateAccessKey', resource: userArn('svc/report-bot') });
    expect(t).not.toMatch(CONTROL);
    expect(t).toContain('statement 0 (Sidwipe) of policy grantclickred');
  });

  it('wraps to the width it is given', () => {
    const r = can(userId('svc/ip-bound'), { action: 'iam:CreateAccessKey', resource: userArn('svc/report-bot') });
    for (const l of renderCanText(graph, node(graph, userId('svc/ip-bound')), r, 50).split('\n')) expect(l.length).toBeLessThanOrEqual(50);
  });
});
