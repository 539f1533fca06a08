/**
 * A seeded, deterministic synthetic AWS estate of any size: a mix of healthy identities and the risks the rules
 * look for (stale and unused keys, unused roles, admin grants, GitHub OIDC trust with and without a `sub`
 * condition, cross-account trust, a role anyone can assume). Same seed and size -> same estate.
 * Policy documents are shared objects, so large estates stay small in memory.
 */
import type { FakeEstate, FakeGroup, FakeKey, FakeManagedPolicy, FakeRole, FakeServiceAccess, FakeUser, PolicyDoc } from './estate.js';
import { mulberry32 } from '../../support/prng.js';
import type { FakeOrganization } from './server.js';

/** The "now" the synthetic estate is built around (key ages and last use are relative to it). */
export const SYNTHETIC_AS_OF = '2026-06-01T00:00:00.000Z';

const DAY = 86_400_000;
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const SECRET_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';


const SERVICES: Array<[string, string]> = [
  ['s3', 'Amazon S3'],
  ['ec2', 'Amazon EC2'],
  ['iam', 'AWS Identity and Access Management'],
  ['lambda', 'AWS Lambda'],
  ['sqs', 'Amazon SQS'],
  ['dynamodb', 'Amazon DynamoDB'],
  ['sts', 'AWS Security Token Service'],
  ['kms', 'AWS Key Management Service'],
];
const REGIONS = ['us-east-1', 'eu-west-1', 'us-west-2'];

const AWS_POLICY = (name: string) => `arn:aws:iam::aws:policy/${name}`;
const ADMIN = AWS_POLICY('AdministratorAccess');
const READONLY = AWS_POLICY('ReadOnlyAccess');
const POWER = AWS_POLICY('PowerUserAccess');
const S3FULL = AWS_POLICY('AmazonS3FullAccess');

export interface SyntheticOptions {
  identities: number;
  seed: number;
  accountId?: string;
}

export function makeSyntheticEstate(opts: SyntheticOptions): FakeEstate {
  const rnd = mulberry32(opts.seed);
  const accountId = opts.accountId ?? '111122223333';
  const now = Date.parse(SYNTHETIC_AS_OF);
  const ago = (days: number) => new Date(now - Math.round(days * DAY)).toISOString();
  const int = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));
  const pick = <T>(xs: T[]): T => xs[Math.floor(rnd() * xs.length)];
  const ident = (prefix: string, n: number) => {
    let s = prefix;
    for (let i = 0; i < n; i++) s += ALNUM[Math.floor(rnd() * ALNUM.length)];
    return s;
  };
  const secret = () => {
    let s = '';
    for (let i = 0; i < 40; i++) s += SECRET_CHARS[Math.floor(rnd() * SECRET_CHARS.length)];
    return s;
  };
  const key = (createdDaysAgo: number, lastUsedDaysAgo: number | undefined, status: 'Active' | 'Inactive' = 'Active'): FakeKey => ({
    id: ident('AKIA', 16),
    secret: secret(),
    status,
    createDate: ago(createdDaysAgo),
    lastUsed: lastUsedDaysAgo === undefined ? undefined : { date: ago(Math.min(lastUsedDaysAgo, createdDaysAgo)), service: pick(SERVICES)[0], region: pick(REGIONS) },
  });

  // ---- managed policies (documents shared) ----
  const doc = (statements: PolicyDoc[]): PolicyDoc => ({ Version: '2012-10-17', Statement: statements });
  const created = ago(2000);
  const policies: FakeManagedPolicy[] = [
    { arn: ADMIN, name: 'AdministratorAccess', id: 'ANPAIWMBCKSKIEE64ZLYK', path: '/', document: doc([{ Effect: 'Allow', Action: '*', Resource: '*' }]), createDate: created, updateDate: created },
    { arn: READONLY, name: 'ReadOnlyAccess', id: 'ANPAILL3HVNFSB6DCOWYQ', path: '/', document: doc([{ Effect: 'Allow', Action: ['s3:Get*', 's3:List*', 'ec2:Describe*', 'iam:Get*', 'iam:List*'], Resource: '*' }]), createDate: created, updateDate: created },
    { arn: POWER, name: 'PowerUserAccess', id: 'ANPAJYRXTHIB4FOVS3ZXS', path: '/', document: doc([{ Effect: 'Allow', NotAction: ['iam:*', 'organizations:*', 'account:*'], Resource: '*' }]), createDate: created, updateDate: created },
    { arn: S3FULL, name: 'AmazonS3FullAccess', id: 'ANPAIFIR6V6BVTRAHWINE', path: '/', document: doc([{ Effect: 'Allow', Action: ['s3:*', 's3-object-lambda:*'], Resource: '*' }]), createDate: created, updateDate: created },
  ];
  const appPolicies: string[] = [];
  for (let i = 0; i < 20; i++) {
    const arn = `arn:aws:iam::${accountId}:policy/app-${i}-access`;
    appPolicies.push(arn);
    const svc = SERVICES[i % SERVICES.length][0];
    policies.push({
      arn,
      name: `app-${i}-access`,
      id: ident('ANPA', 17),
      path: '/',
      document: doc([{ Sid: 'App', Effect: 'Allow', Action: [`${svc}:Get*`, `${svc}:Put*`, `${svc}:List*`], Resource: `arn:aws:${svc}:::app-${i}/*` }]),
      createDate: ago(int(300, 1500)),
      updateDate: ago(int(10, 300)),
      description: `application ${i} data access`,
    });
  }
  const boundaryArn = `arn:aws:iam::${accountId}:policy/developer-boundary`;
  policies.push({ arn: boundaryArn, name: 'developer-boundary', id: ident('ANPA', 17), path: '/', document: doc([{ Effect: 'Allow', NotAction: 'iam:*', Resource: '*' }]), createDate: ago(900), updateDate: ago(900) });

  const groups: FakeGroup[] = [
    { name: 'admins', id: ident('AGPA', 17), createDate: ago(1500), attached: [ADMIN], inline: [] },
    { name: 'developers', id: ident('AGPA', 17), createDate: ago(1400), attached: [POWER], inline: [] },
    { name: 'readers', id: ident('AGPA', 17), createDate: ago(1300), attached: [READONLY], inline: [] },
    { name: 'ci', id: ident('AGPA', 17), createDate: ago(1200), attached: [appPolicies[0]], inline: [{ name: 'ci-deploy', document: doc([{ Effect: 'Allow', Action: ['lambda:UpdateFunctionCode', 's3:PutObject'], Resource: '*' }]) }] },
  ];
  const inlineDoc = doc([{ Effect: 'Allow', Action: ['sqs:SendMessage', 'sqs:ReceiveMessage'], Resource: `arn:aws:sqs:us-east-1:${accountId}:*` }]);
  const teams = ['payments', 'platform', 'data', 'search', 'growth'];

  const nUsers = Math.ceil(opts.identities * 0.4);
  const nRoles = Math.max(0, opts.identities - nUsers);
  const users: FakeUser[] = [];
  const lastAccessed: Record<string, FakeServiceAccess[]> = {};
  const usage = (arn: string, recentDays: number | undefined) => {
    const n = int(1, 3);
    const out: FakeServiceAccess[] = [];
    for (let i = 0; i < n; i++) {
      const [ns, name] = SERVICES[(i * 3 + int(0, 7)) % SERVICES.length];
      if (out.some((s) => s.namespace === ns)) continue;
      const used = recentDays !== undefined && rnd() < 0.7;
      out.push({ namespace: ns, name, total: used ? 1 : 0, ...(used ? { lastAuthenticated: ago(recentDays! + int(0, 30)), region: pick(REGIONS) } : {}) });
    }
    lastAccessed[arn] = out;
  };

  for (let i = 0; i < nUsers; i++) {
    const r = rnd();
    const tags = rnd() < 0.6 ? { owner: pick(teams), env: pick(['prod', 'staging']) } : undefined;
    const base: FakeUser = { name: `user-${i}`, id: ident('AIDA', 17), createDate: ago(int(400, 2000)), groups: [], attached: [], inline: [], tags, keys: [] };
    let recent: number | undefined = int(0, 20);
    if (r < 0.15) {
      // human
      base.name = `person-${i}`;
      base.password = { lastChanged: ago(int(10, 400)), lastUsed: rnd() < 0.8 ? ago(int(0, 60)) : undefined };
      base.mfa = rnd() < 0.7;
      base.groups = [pick(['developers', 'admins', 'readers'])];
      if (rnd() < 0.5) base.keys.push(key(int(30, 900), int(0, 200)));
      if (base.groups[0] === 'developers') base.boundary = boundaryArn;
    } else if (r < 0.35) {
      // stale key: old, maybe still used
      base.name = `svc-stale-${i}`;
      base.keys.push(key(int(400, 1500), rnd() < 0.5 ? int(0, 30) : int(200, 600)));
      base.attached = [pick(appPolicies)];
    } else if (r < 0.5) {
      // never-used key
      base.name = `svc-unused-${i}`;
      base.keys.push(key(int(100, 400), undefined));
      base.attached = [pick(appPolicies)];
      recent = undefined;
    } else if (r < 0.6) {
      // admin service user
      base.name = `svc-admin-${i}`;
      base.keys.push(key(int(30, 700), int(0, 100)));
      base.attached = [ADMIN];
    } else if (r < 0.7) {
      // rotation in progress: an old inactive key and a fresh one
      base.name = `svc-rotating-${i}`;
      base.keys.push(key(int(200, 500), int(60, 200), 'Inactive'));
      base.keys.push(key(int(1, 30), int(0, 1)));
      base.groups = ['ci'];
    } else {
      // healthy
      base.name = `svc-app-${i}`;
      base.keys.push(key(int(1, 60), int(0, 2)));
      base.attached = [pick(appPolicies)];
      if (rnd() < 0.1) base.inline = [{ name: 'queue-access', document: inlineDoc }];
    }
    users.push(base);
    usage(`arn:aws:iam::${accountId}:user/${base.name}`, recent);
  }

  const oidc = `arn:aws:iam::${accountId}:oidc-provider/token.actions.githubusercontent.com`;
  const trustDoc = (statement: PolicyDoc): PolicyDoc => ({ Version: '2012-10-17', Statement: [statement] });
  const serviceTrust = (svc: string) => trustDoc({ Effect: 'Allow', Principal: { Service: svc }, Action: 'sts:AssumeRole' });
  const trusts = {
    lambda: serviceTrust('lambda.amazonaws.com'),
    ec2: serviceTrust('ec2.amazonaws.com'),
    ownAccount: trustDoc({ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${accountId}:root` }, Action: 'sts:AssumeRole' }),
    oidcOpen: trustDoc({ Effect: 'Allow', Principal: { Federated: oidc }, Action: 'sts:AssumeRoleWithWebIdentity', Condition: { StringEquals: { 'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com' } } }),
    anyone: trustDoc({ Effect: 'Allow', Principal: '*', Action: 'sts:AssumeRole' }),
  };
  const roles: FakeRole[] = [];
  for (let i = 0; i < nRoles; i++) {
    const r = rnd();
    const tags = rnd() < 0.6 ? { team: pick(teams) } : undefined;
    const role: FakeRole = { name: `role-${i}`, id: ident('AROA', 17), createDate: ago(int(30, 1800)), trust: trusts.ec2, attached: [], inline: [], tags, lastUsed: { date: ago(int(0, 10)), region: pick(REGIONS) } };
    if (r < 0.1) {
      role.name = `AWSServiceRoleForApp${i}`;
      role.path = '/aws-service-role/app.amazonaws.com/';
      role.trust = serviceTrust('app.amazonaws.com');
    } else if (r < 0.3) {
      role.name = `lambda-${i}`;
      role.trust = trusts.lambda;
      role.attached = [pick(appPolicies)];
    } else if (r < 0.4) {
      role.name = `gha-deploy-${i}`;
      role.trust = trustDoc({
        Effect: 'Allow',
        Principal: { Federated: oidc },
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: { StringEquals: { 'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com' }, StringLike: { 'token.actions.githubusercontent.com:sub': `repo:acme/app-${i}:ref:refs/heads/main` } },
      });
      role.attached = [S3FULL];
    } else if (r < 0.45) {
      role.name = `gha-open-${i}`;
      role.trust = trusts.oidcOpen;
      role.attached = [pick(appPolicies)];
    } else if (r < 0.55) {
      role.name = `partner-${i}`;
      const partner = String(100000000000 + int(0, 899999999999)).slice(0, 12);
      role.trust = trustDoc({ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${partner}:root` }, Action: 'sts:AssumeRole', ...(rnd() < 0.5 ? { Condition: { StringEquals: { 'sts:ExternalId': `ext-${i}` } } } : {}) });
      role.attached = [READONLY];
    } else if (r < 0.65) {
      role.name = `unused-${i}`;
      role.trust = trusts.ownAccount;
      role.attached = [pick(appPolicies)];
      role.lastUsed = undefined;
    } else if (r < 0.7) {
      role.name = `admin-${i}`;
      const trusted = users.length ? users[int(0, users.length - 1)] : undefined;
      role.trust = trusted ? trustDoc({ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${accountId}:user/${trusted.name}` }, Action: 'sts:AssumeRole' }) : trusts.ownAccount;
      role.attached = [ADMIN];
    } else if (r < 0.71) {
      role.name = `public-${i}`;
      role.trust = trusts.anyone;
      role.attached = [READONLY];
    } else {
      role.name = `app-${i}`;
      role.attached = [pick(appPolicies)];
      role.instanceProfiles = [`app-${i}`];
      if (rnd() < 0.1) role.inline = [{ name: 'queue-access', document: inlineDoc }];
    }
    roles.push(role);
    usage(`arn:aws:iam::${accountId}:role${role.path ?? '/'}${role.name}`, role.lastUsed ? int(0, 20) : undefined);
  }

  return {
    accountId,
    users,
    roles,
    groups,
    policies,
    root: { createDate: ago(2500), mfa: true, passwordLastUsed: ago(int(30, 300)) },
    lastAccessed,
    generatedAt: SYNTHETIC_AS_OF,
  };
}

export interface SyntheticOrganizationOptions {
  /** accounts, the management account included */
  accounts: number;
  /** identities per account (each account's estate: makeSyntheticEstate with a seed of its own) */
  identities: number;
  seed: number;
  /** OUs under the root (one more is nested under the first); default 3 */
  ous?: number;
  /** policy types enabled on the root; default both SCPs and RCPs */
  enabledPolicyTypes?: string[];
}

/** The management account's id in a synthetic organisation; members follow it (100000000001, ...). */
export const SYNTHETIC_MANAGEMENT_ACCOUNT = '100000000000';

/**
 * A seeded organisation for the fake's Organizations face: a root, OUs (one nested), accounts spread over them (the
 * management account under the root), AWS's FullAWSAccess SCP on the root, a deny SCP on the first OU, one on an
 * account, and an RCP on the root. Returns the management account's estate (the server's own) and the organisation.
 */
export function makeSyntheticOrganization(opts: SyntheticOrganizationOptions): { management: FakeEstate; organization: FakeOrganization } {
  const nOus = opts.ous ?? 3;
  const types = opts.enabledPolicyTypes ?? ['SERVICE_CONTROL_POLICY', 'RESOURCE_CONTROL_POLICY'];
  const rootId = 'r-ab12';
  const ous = Array.from({ length: nOus }, (_, i) => ({ id: `ou-ab12-${String(i + 1).padStart(8, '0')}`, name: `ou-${i + 1}`, parentId: rootId }));
  if (nOus > 0) ous.push({ id: `ou-ab12-${String(nOus + 1).padStart(8, '0')}`, name: 'nested', parentId: ous[0].id });
  const ids = Array.from({ length: opts.accounts }, (_, i) => String(Number(SYNTHETIC_MANAGEMENT_ACCOUNT) + i));
  const estates: Record<string, FakeEstate> = {};
  const accounts = ids.map((id, i) => {
    if (i > 0) estates[id] = makeSyntheticEstate({ identities: opts.identities, seed: opts.seed * 1000 + i, accountId: id });
    const parentId = i === 0 || ous.length === 0 ? rootId : ous[(i - 1) % ous.length].id;
    return { id, name: i === 0 ? 'management' : `member-${i}`, email: `aws+${id}@example.com`, parentId, joined: new Date(Date.parse(SYNTHETIC_AS_OF) - (ids.length - i) * DAY).toISOString() };
  });
  const doc = (statements: PolicyDoc[]) => JSON.stringify({ Version: '2012-10-17', Statement: statements });
  const policies: FakeOrganization['policies'] = [];
  if (types.includes('SERVICE_CONTROL_POLICY')) {
    policies.push({ id: 'p-FullAWSAccess', name: 'FullAWSAccess', type: 'SERVICE_CONTROL_POLICY', description: 'Allows access to every operation', awsManaged: true, content: doc([{ Effect: 'Allow', Action: '*', Resource: '*' }]), targets: [rootId, ...ous.map((u) => u.id), ...ids] });
    if (ous.length > 0) policies.push({ id: 'p-denyleave1', name: 'deny-leave-organization', type: 'SERVICE_CONTROL_POLICY', content: doc([{ Effect: 'Deny', Action: 'organizations:LeaveOrganization', Resource: '*' }]), targets: [ous[0].id] });
    if (ids.length > 1) policies.push({ id: 'p-denyiam001', name: 'deny-iam-users', type: 'SERVICE_CONTROL_POLICY', content: doc([{ Effect: 'Deny', Action: ['iam:CreateUser', 'iam:CreateAccessKey'], Resource: '*' }]), targets: [ids[1]] });
  }
  if (types.includes('RESOURCE_CONTROL_POLICY')) {
    policies.push({ id: 'p-rcpssl0001', name: 'require-tls', type: 'RESOURCE_CONTROL_POLICY', content: doc([{ Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: '*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }]), targets: [rootId] });
  }
  const management = makeSyntheticEstate({ identities: opts.identities, seed: opts.seed * 1000, accountId: SYNTHETIC_MANAGEMENT_ACCOUNT });
  return { management, organization: { id: 'o-ab12cd34ef', rootId, ous, accounts, policies, enabledPolicyTypes: types, estates } };
}
