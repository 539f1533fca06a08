import { describe, expect, it } from 'vitest';
import { rule } from '../../src/rules/path-to-admin.js';
import { ACCOUNT, ADMIN_DOC, GraphBuilder, OTHER_ACCOUNT, runRule } from './builders.js';

const S3_ONLY = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }] };
const STS = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['s3:GetObject', 'sts:AssumeRole'], Resource: '*' }] };

/** a user with the given identity policy, and an admin role */
function setup(userDoc: unknown, userOpts: { mfaActive?: boolean } = {}) {
  const b = new GraphBuilder();
  b.account();
  const user = b.user('ci', userOpts);
  b.attach(user, b.managedPolicy('ci-policy', userDoc));
  const admin = b.role('admin');
  b.attach(admin, b.managedPolicy('AdministratorAccess', ADMIN_DOC, { aws: true }));
  return { b, user, admin };
}

describe('path-to-admin', () => {
  it.each<[string, (x: ReturnType<typeof setup>) => void, unknown, { mfaActive?: boolean }?]>([
    ['no trust at all', () => {}, STS],
    ['account trusted, but the user may not call sts:AssumeRole', ({ b, admin }) => b.canAssume(`aws:account:${ACCOUNT}`, admin), S3_ONLY],
    ['trust requires MFA and the user has no MFA device', ({ b, user, admin }) => b.canAssume(user, admin, { conditions: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } } }), STS, { mfaActive: false }],
    ['a non-admin role is reachable', ({ b, user }) => {
      const r = b.role('reader');
      b.attach(r, b.managedPolicy('reader', S3_ONLY));
      b.canAssume(user, r);
    }, STS],
    ['the caller is admin already (admin-equivalent reports it)', ({ b, user, admin }) => b.canAssume(user, admin), ADMIN_DOC],
    ['a foreign account is trusted, not ours', ({ b, admin }) => b.canAssume(b.account(OTHER_ACCOUNT, false), admin), STS],
  ])('valid: %s', (_label, wire, doc, userOpts) => {
    const x = setup(doc, userOpts ?? {});
    wire(x);
    expect(runRule(rule, x.b.graph)).toEqual([]);
  });

  it('invalid (high confidence): the admin role names the user, no identity permission needed in the same account', () => {
    const { b, user, admin } = setup(S3_ONLY);
    b.canAssume(user, admin, { statementIndex: 1 });
    const [f, ...rest] = runRule(rule, b.graph);
    expect(rest).toEqual([]);
    expect(f).toMatchObject({ ruleId: 'path-to-admin', severity: 'high', confidence: 'high', nodeId: user });
    expect(f.path).toEqual([user, admin, 'aws:managed-policy:arn:aws:iam::aws:policy/AdministratorAccess']);
    expect(f.message).toBe('IAM user ci is not admin but can become admin by assuming role admin (AdministratorAccess)');
    expect(f.evidence[0].data).toMatchObject({ via: 'principal', statementIndex: 1 });
  });

  it('invalid (medium confidence): the account is trusted and the user may call sts:AssumeRole', () => {
    const { b, user, admin } = setup(STS);
    b.canAssume(`aws:account:${ACCOUNT}`, admin);
    const [f] = runRule(rule, b.graph);
    expect(f).toMatchObject({ nodeId: user, confidence: 'medium' });
    expect(f.evidence[0].description).toContain(`trusts account ${ACCOUNT}`);
  });

  it('invalid (medium confidence): MFA required and the user has an MFA device', () => {
    const { b, user, admin } = setup(STS, { mfaActive: true });
    b.canAssume(user, admin, { conditions: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } } });
    const [f] = runRule(rule, b.graph);
    expect(f).toMatchObject({ confidence: 'medium' });
    expect(f.evidence[0].description).toContain('aws:MultiFactorAuthPresent');
  });

  it('invalid: a chain of two roles, reported with the shortest path; maxHops 1 stops before it', () => {
    const { b, user, admin } = setup(S3_ONLY);
    const hop = b.role('bridge');
    b.attach(hop, b.managedPolicy('bridge-policy', STS));
    b.canAssume(user, hop).canAssume(hop, admin);
    const f = runRule(rule, b.graph).find((x) => x.nodeId === user)!;
    expect(f.path?.slice(0, 3)).toEqual([user, hop, admin]);
    expect(f.message).toContain('roles bridge → admin');
    expect(f.evidence).toHaveLength(2);
    // the bridge role itself also reaches admin in one hop
    expect(runRule(rule, b.graph).map((x) => x.nodeId).sort()).toEqual([hop, user].sort());
    expect(runRule(rule, b.graph, { maxHops: 1 }).map((x) => x.nodeId)).toEqual([hop]);
  });

  it('ignore skips principals by name glob', () => {
    const { b, user, admin } = setup(S3_ONLY);
    b.canAssume(user, admin);
    expect(runRule(rule, b.graph, { ignore: ['c*'] })).toEqual([]);
  });
});
