import { describe, expect, it } from 'vitest';
import type { GcpProjectData } from '../../connectors/gcp/map.js';
import type { IdentityGraph } from '../../src/graph/graph.js';
import { rule } from '../../src/rules/privilege-escalation.js';
import { ACCOUNT, ADMIN_DOC, GraphBuilder, OTHER_ACCOUNT, arn, runRule } from './builders.js';
import { account, binding, gcpGraph, P, sa, saId } from './gcp-builders.js';
import { Estate, NOW as CF_NOW, oidcTrust, roleArn as cfRoleArn, roleId as cfRoleId, sub } from '../paths/codehost-fixtures.js';

const doc = (...Statement: unknown[]) => ({ Version: '2012-10-17', Statement });
const allow = (Action: string | string[], Resource: string | string[] = '*', extra: Record<string, unknown> = {}) => ({ Effect: 'Allow', Action, Resource, ...extra });
const deny = (Action: string | string[], Resource: string | string[] = '*') => ({ Effect: 'Deny', Action, Resource });
const S3 = doc(allow('s3:GetObject'));
const LAMBDA = ['iam:PassRole', 'lambda:CreateFunction', 'lambda:InvokeFunction'];

interface World {
  b: GraphBuilder;
  caller: string;
  admin: string;
  lambdaAdmin: string;
  adminUser: string;
}

/** a caller (user ci), an admin role, an admin role trusting Lambda, an admin user */
function world(callerPolicy: unknown, opts: { mfaActive?: boolean } = {}): World {
  const b = new GraphBuilder();
  b.account();
  const caller = b.user('ci', { mfaActive: opts.mfaActive, passwordEnabled: false });
  b.attach(caller, b.managedPolicy('ci-policy', callerPolicy));
  const adminPolicy = b.managedPolicy('AdministratorAccess', ADMIN_DOC, { aws: true });
  const admin = b.role('admin');
  b.attach(admin, adminPolicy);
  const lambdaAdmin = b.role('lambda-admin');
  b.attach(lambdaAdmin, adminPolicy);
  b.canAssume(b.servicePrincipal('lambda.amazonaws.com'), lambdaAdmin, { principalType: 'Service' });
  const adminUser = b.user('root-ish', { passwordEnabled: true });
  b.attach(adminUser, adminPolicy);
  return { b, caller, admin, lambdaAdmin, adminUser };
}

const ofCaller = (g: IdentityGraph, id: string, options: Record<string, unknown> = {}) => runRule(rule, g, options).filter((f) => f.nodeId === id);

describe('privilege-escalation (AWS)', () => {
  it.each<[string, unknown, (w: World) => void, Record<string, unknown>?, { mfaActive?: boolean }?]>([
    ['only s3 and no trust', S3, () => {}],
    ['account trusted, but the caller may not call sts:AssumeRole', S3, ({ b, admin }) => b.canAssume(`aws:account:${ACCOUNT}`, admin)],
    ['trust requires MFA and the caller has no MFA device', doc(allow('sts:AssumeRole')), ({ b, caller, admin }) => b.canAssume(caller, admin, { conditions: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } } }), {}, { mfaActive: false }],
    ['a foreign account is trusted, not ours', doc(allow('sts:AssumeRole')), ({ b, admin }) => b.canAssume(b.account(OTHER_ACCOUNT, false), admin)],
    ['PassRole only of a harmless role', doc(allow('iam:PassRole', arn.role('harmless')), allow(['lambda:CreateFunction', 'lambda:InvokeFunction'])), () => {}],
    ['Lambda actions but no PassRole', doc(allow(['lambda:CreateFunction', 'lambda:InvokeFunction'])), () => {}],
    ['PassRole + Lambda, cancelled by a Deny in a group policy', doc(allow(LAMBDA)), ({ b, caller }) => {
      const g = b.group('no-passrole', [caller]);
      b.attach(g, b.managedPolicy('deny-passrole', doc(deny('iam:PassRole'))));
    }],
    ['PassRole + Lambda, outside the permissions boundary', doc(allow(LAMBDA)), ({ b, caller }) => b.attach(caller, b.managedPolicy('boundary', S3), 'boundary')],
    ['PassRole + Lambda under a condition that can never hold as of the scan', doc(allow(LAMBDA, '*', { Condition: { DateLessThan: { 'aws:CurrentTime': '2020-01-01T00:00:00Z' } } })), () => {}],
    ['PassRole with iam:PassedToService naming a service no method uses', doc(allow('iam:PassRole', '*', { Condition: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } } }), allow(['lambda:CreateFunction', 'lambda:InvokeFunction'])), () => {}],
    ['CreateAccessKey on itself only', doc(allow('iam:CreateAccessKey', `arn:aws:iam::${ACCOUNT}:user/\${aws:username}`)), () => {}],
    ['the caller is admin already (admin-equivalent reports it)', ADMIN_DOC, ({ b, caller, admin }) => b.canAssume(caller, admin)],
    ['the path is longer than maxHops', doc(allow('sts:AssumeRole')), ({ b, caller, admin }) => {
      const mid = b.role('mid');
      b.canAssume(caller, mid);
      b.canAssume(mid, admin);
    }, { maxHops: 1 }],
    ['the caller is ignored by glob', doc(allow(LAMBDA)), () => {}, { ignore: ['c?'] }],
  ])('valid: %s', (_l, policy, wire, options = {}, userOpts = {}) => {
    const w = world(policy, userOpts);
    wire(w);
    expect(ofCaller(w.b.graph, w.caller, options)).toEqual([]);
  });

  it.each<[string, unknown, (w: World) => void, { methods: string[]; to: (w: World) => string; severity: string; confidence: string; message: RegExp }]>([
    ['an admin role names the caller (no identity grant needed in the same account)', S3, ({ b, caller, admin }) => b.canAssume(caller, admin), {
      methods: ['aws-assume-role'], to: (w) => w.admin, severity: 'high', confidence: 'high', message: /^IAM user ci can become admin in 1 hop: ci → \[sts:AssumeRole\] → IAM role admin$/,
    }],
    ['PassRole + Lambda create + invoke into a role trusting Lambda', doc(allow(LAMBDA)), () => {}, {
      methods: ['aws-passrole-lambda-invoke'], to: (w) => w.lambdaAdmin, severity: 'high', confidence: 'high', message: /\[iam:PassRole \+ lambda:CreateFunction \+ lambda:InvokeFunction\] → IAM role lambda-admin/,
    }],
    ['CreateAccessKey on user/* mints a key for the admin user', doc(allow('iam:CreateAccessKey', `arn:aws:iam::${ACCOUNT}:user/*`)), () => {}, {
      methods: ['aws-iam-create-access-key'], to: (w) => w.adminUser, severity: 'high', confidence: 'high', message: /→ IAM user root-ish/,
    }],
    ['PutUserPolicy on itself (IAM policy management is a hop, not admin yet)', doc(allow('iam:PutUserPolicy', `arn:aws:iam::${ACCOUNT}:user/ci`)), () => {}, {
      methods: ['aws-iam-put-user-policy-self'], to: () => `meta:admin:aws:${ACCOUNT}`, severity: 'high', confidence: 'high', message: /→ full admin of AWS account 123456789012$/,
    }],
    ['a chain: assume mid, then mid passes the admin role to Lambda', doc(allow('sts:AssumeRole')), ({ b, caller }) => {
      const mid = b.role('mid');
      b.canAssume(caller, mid);
      b.attach(mid, b.managedPolicy('mid-policy', doc(allow(LAMBDA))));
    }, {
      methods: ['aws-assume-role', 'aws-passrole-lambda-invoke'], to: (w) => w.lambdaAdmin, severity: 'high', confidence: 'high', message: /in 2 hops: ci → \[sts:AssumeRole\] → IAM role mid → \[iam:PassRole/,
    }],
    ['a condition the scan cannot settle makes it medium and names the key', doc(allow(LAMBDA, '*', { Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } } })), () => {}, {
      methods: ['aws-passrole-lambda-invoke'], to: (w) => w.lambdaAdmin, severity: 'medium', confidence: 'low', message: /\(if aws:SourceIp allows\)$/,
    }],
  ])('invalid: %s', (_l, policy, wire, want) => {
    const w = world(policy);
    wire(w);
    const found = ofCaller(w.b.graph, w.caller);
    expect(found).toHaveLength(1);
    const [f] = found;
    expect(f.message).toMatch(want.message);
    expect(f.severity).toBe(want.severity);
    expect(f.confidence).toBe(want.confidence);
    expect(f.path?.[0]).toBe(w.caller);
    expect(f.path?.at(-1)).toBe(want.to(w));
    expect(f.evidence.filter((e) => e.data?.method).map((e) => e.data!.method)).toEqual(want.methods);
  });

  it('each hop names the granting statements (policy, statement index, group)', () => {
    const w = world(S3);
    const g = w.b.group('builders', [w.caller]);
    w.b.attach(g, w.b.managedPolicy('build-policy', doc(allow('s3:ListBucket'), allow(LAMBDA))));
    const [f] = runRule(rule, w.b.graph);
    // the group's policy grants the hop: the group is reported, not its member
    expect(f.nodeId).toBe(g);
    expect(f.message).toMatch(/^IAM group builders can become admin/);
    expect(f.evidence[0].description).toMatch(/granted by statement 1 of policy build-policy/);
    expect(f.evidence[0].data).toMatchObject({ method: 'aws-passrole-lambda-invoke', decision: 'allowed' });
    expect(runRule(rule, w.b.graph).some((x) => x.nodeId === w.caller)).toBe(false);
  });

  it('a method that needs a resource the scan cannot see says so and lowers confidence', () => {
    const w = world(doc(allow('lambda:UpdateFunctionCode', `arn:aws:lambda:*:${ACCOUNT}:function:*`), allow('lambda:InvokeFunction', `arn:aws:lambda:*:${ACCOUNT}:function:*`)));
    const [f] = ofCaller(w.b.graph, w.caller);
    expect(f.message).toMatch(/needs /);
    expect(f.confidence).not.toBe('high');
  });
});

describe('privilege-escalation (Google Cloud)', () => {
  const member = (name: string) => `serviceAccount:${sa(name)}`;
  const TOKEN = 'roles/iam.serviceAccountTokenCreator';
  const base = (extra: Partial<GcpProjectData> = {}): Partial<GcpProjectData> => ({
    serviceAccounts: [account('app'), account('deployer'), account('middle')],
    policy: { bindings: [binding('roles/editor', member('deployer')), binding('roles/storage.objectViewer', member('app'))] },
    ...extra,
  });

  it.each<[string, Partial<GcpProjectData>]>([
    ['no impersonation grant at all', base()],
    ['the account it can impersonate is not privileged', base({ saPolicies: { [sa('middle')]: { bindings: [binding(TOKEN, member('app'))] } } })],
    ['a custom role without act-as permissions on the Editor account', base({ roles: [{ name: `projects/${P}/roles/viewerish`, includedPermissions: ['iam.serviceAccounts.get'] }], saPolicies: { [sa('deployer')]: { bindings: [binding(`projects/${P}/roles/viewerish`, member('app'))] } } })],
    ['an expired grant (request.time before a past date)', base({ saPolicies: { [sa('deployer')]: { bindings: [{ role: TOKEN, members: [member('app')], condition: { title: 'until 2020', expression: 'request.time < timestamp("2020-01-01T00:00:00Z")' } }] } } })],
  ])('valid: %s', (_l, d) => {
    expect(runRule(rule, gcpGraph(d)).filter((f) => f.nodeId === saId('app'))).toEqual([]);
  });

  it.each<[string, Partial<GcpProjectData>, { hops: number; to: string; confidence?: string; severity?: string }]>([
    ['token creator on the Editor account', base({ saPolicies: { [sa('deployer')]: { bindings: [binding(TOKEN, member('app'))] } } }), { hops: 1, to: saId('deployer') }],
    ['a chain: token creator on middle, key admin on deployer', base({ saPolicies: { [sa('middle')]: { bindings: [binding(TOKEN, member('app'))] }, [sa('deployer')]: { bindings: [binding('roles/iam.serviceAccountKeyAdmin', member('middle'))] } } }), { hops: 2, to: saId('deployer') }],
    ['token creator granted on a folder above the project', base({ ancestors: [{ resource: 'folders/42', policy: { bindings: [binding(TOKEN, member('app'))] } }] }), { hops: 1, to: saId('deployer') }],
    ['a custom role with getAccessToken on the Editor account', base({ roles: [{ name: `projects/${P}/roles/tokenMinter`, includedPermissions: ['iam.serviceAccounts.getAccessToken'] }], saPolicies: { [sa('deployer')]: { bindings: [binding(`projects/${P}/roles/tokenMinter`, member('app'))] } } }), { hops: 1, to: saId('deployer') }],
    ['a grant under a condition the scan cannot decide', base({ saPolicies: { [sa('deployer')]: { bindings: [{ role: TOKEN, members: [member('app')], condition: { title: 'business hours', expression: 'request.time.getHours("UTC") < 18' } }] } } }), { hops: 1, to: saId('deployer'), severity: 'medium', confidence: 'low' }],
  ])('invalid: %s', (_l, d, want) => {
    const found = runRule(rule, gcpGraph(d)).filter((f) => f.nodeId === saId('app'));
    expect(found).toHaveLength(1);
    expect(found[0].path).toHaveLength(want.hops + 1);
    expect(found[0].path?.at(-1)).toBe(want.to);
    if (want.severity) expect(found[0].severity).toBe(want.severity);
    if (want.confidence) expect(found[0].confidence).toBe(want.confidence);
  });
});

describe('privilege-escalation (workflows, joined from the cloud side)', () => {
  const text = (on: string) => `on: ${on}\npermissions:\n  id-token: write\njobs:\n  deploy:\n    runs-on: x\n    steps:\n      - uses: aws-actions/configure-aws-credentials@v4\n        with:\n          role-to-assume: \${{ secrets.DEPLOY_ROLE }}\n`;
  const assumeTop = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: cfRoleArn('top') }] };
  function estate(trustSub: string, on = '\n  push:\n    branches: [main]') {
    const e = new Estate('acme');
    e.gh.repo('acme/app', { defaultBranch: 'main' });
    e.role('deploy', oidcTrust(sub(trustSub, 'StringLike')), { policy: assumeTop });
    e.role('top', { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: cfRoleArn('deploy') }, Action: 'sts:AssumeRole' }] });
    const wf = e.workflow('acme/app', '.github/workflows/deploy.yml', text(on));
    return { graph: e.build(), wf };
  }
  it('a workflow whose job reaches admin through a non-admin role is reported with the job hop', () => {
    const { graph, wf } = estate('repo:acme/app:ref:refs/heads/main');
    const found = runRule(rule, graph, undefined, CF_NOW).filter((f) => f.nodeId === wf);
    expect(found).toHaveLength(1);
    expect(found[0].path).toEqual([wf, 'github:job:acme/app/.github/workflows/deploy.yml#deploy', cfRoleId('deploy'), cfRoleId('top')]);
    expect(found[0].message).toContain('job deploy of acme/app .github/workflows/deploy.yml');
  });
  it('no workflow finding when the trust refuses its job, or when any repository may assume the role', () => {
    // (a push to any branch could present refs/heads/release: only main is pushed here)
    const wrong = runRule(rule, estate('repo:acme/app:ref:refs/heads/release').graph, undefined, CF_NOW).filter((f) => f.nodeId.startsWith('github:workflow:'));
    expect(wrong.map((f) => f.message)).toEqual([]);
    expect(runRule(rule, estate('repo:*').graph, undefined, CF_NOW).filter((f) => f.nodeId.startsWith('github:workflow:'))).toEqual([]);
  });
});
