/**
 * A seeded generator of AWS authorization-details exports at scale, for the path-analysis benchmark
 * (`npm run bench -- --escalation 1000,10000,100000`).
 *
 * The estate looks like a large real account: a few hundred customer-managed policies shared by many principals,
 * team groups, some inline policies, permissions boundaries on a share of the principals, service roles trusting
 * Lambda, EC2 (with instance profiles), ECS, CodeBuild, Glue and SageMaker, GitHub OIDC and partner roles,
 * service-linked roles, admins (users, roles trusting the account root, SSO roles, one admin role per service that runs
 * code) and cross-role trust chains. A small share of the principals (`escalationShare`, 2 % by default) hold a grant
 * that matters to the escalation analysis: pass-role with a compute service, access keys for other users, assume-role
 * into admin roles, policy versions, SSM; most of them exploitable, some with resource constraints or conditions
 * that still hold, and some look-alikes that do not escalate (own keys only, PassRole only to AWS Backup, an expired
 * condition, a harmless role, a deny from a group, a condition on the source IP the scan cannot know).
 *
 * Everything is written as it is generated: records go one by one into a buffered file writer, so a 100,000-identity
 * export never exists as one string in memory. Policy documents are shared objects. The JSON is compact (no
 * indentation) so that the largest export stays well below the offline reader's size cap. Same seed and size, same
 * bytes.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import path from 'node:path';
import { mulberry32 } from '../test/support/prng.js';

/** The date the estate is generated around: scan with `--as-of` this. */
export const ESCALATION_ESTATE_AS_OF = '2026-11-01T06:00:00Z';

export interface EscalationEstateOptions {
  /** users + roles */
  identities: number;
  seed: number;
  accountId?: string;
  /** share of principals holding an escalation-relevant grant (default 0.02) */
  escalationShare?: number;
}

export interface EscalationEstateSummary {
  identities: number;
  users: number;
  roles: number;
  groups: number;
  customerPolicies: number;
  awsPolicies: number;
  inlinePolicies: number;
  /** principals with a permissions boundary */
  boundaries: number;
  adminUsers: number;
  adminRoles: number;
  /** trust chains (2 or 3 hops) */
  chains: number;
  /** escalation-relevant grants by variant (exploitable ones and look-alikes) */
  grants: Record<string, number>;
  files: { authz: string; credentialReport: string };
  bytes: { authz: number; credentialReport: number };
}

type Doc = Record<string, unknown>;
type Statement = Record<string, unknown>;

const DAY = 86_400_000;
const ID_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** Appends text to a file through a 1 MiB buffer (synchronous: a generator, not a server). */
class BufferedFile {
  private parts: string[] = [];
  private pending = 0;
  bytes = 0;
  private readonly fd: number;
  constructor(readonly file: string) {
    this.fd = openSync(file, 'w');
  }
  write(s: string): void {
    this.parts.push(s);
    this.pending += s.length;
    if (this.pending >= 1 << 20) this.flush();
  }
  flush(): void {
    if (this.parts.length === 0) return;
    const buf = Buffer.from(this.parts.join(''), 'utf8');
    writeSync(this.fd, buf);
    this.bytes += buf.length;
    this.parts = [];
    this.pending = 0;
  }
  close(): void {
    this.flush();
    closeSync(this.fd);
  }
}

/** Writes `{"A":[r,r,...],"B":[...]}` one record at a time. */
class JsonListsWriter {
  private lists = 0;
  private inList = 0;
  constructor(private readonly out: BufferedFile) {
    out.write('{');
  }
  begin(key: string): void {
    this.out.write(`${this.lists++ ? ',' : ''}${JSON.stringify(key)}:[`);
    this.inList = 0;
  }
  item(record: unknown): void {
    this.out.write(`${this.inList++ ? ',' : ''}${JSON.stringify(record)}`);
  }
  end(): void {
    this.out.write(']');
  }
  close(): void {
    this.out.write('}\n');
  }
}

const doc = (...Statement: Statement[]): Doc => ({ Version: '2012-10-17', Statement });
const allow = (Action: string | string[], Resource: string | string[] = '*', extra: Statement = {}): Statement => ({ Effect: 'Allow', Action, Resource, ...extra });

const SERVICES = ['s3', 'dynamodb', 'sqs', 'sns', 'kinesis', 'secretsmanager', 'kms', 'logs', 'cloudwatch', 'ecr', 'states', 'events'];
const REGIONS = ['us-east-1', 'eu-west-1', 'us-west-2', 'ap-southeast-2'];
const TEAMS = ['payments', 'platform', 'data', 'search', 'growth', 'identity', 'mobile', 'ml', 'infra', 'support'];

/** Generate the estate into `dir` (authz.json and credential-report.csv) and say what it holds. */
export function writeEscalationEstate(dir: string, opts: EscalationEstateOptions): EscalationEstateSummary {
  const n = opts.identities;
  if (!Number.isInteger(n) || n < 100) throw new Error('identities: expected a whole number of at least 100');
  const rnd = mulberry32(opts.seed);
  const account = opts.accountId ?? '314159265358';
  const share = opts.escalationShare ?? 0.02;
  const asOf = Date.parse(ESCALATION_ESTATE_AS_OF);
  const ago = (days: number) => new Date(asOf - Math.round(days * DAY / 1000) * 1000).toISOString().replace('.000Z', '+00:00');
  const int = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
  const chance = (p: number) => rnd() < p;
  let serial = 0;
  /** an IAM unique id: the prefix, 7 characters of a serial number (unique), 10 random ones */
  const uid = (prefix: string) => {
    let s = prefix;
    let k = serial++;
    for (let i = 0; i < 7; i++) {
      s += ID_CHARS[k % 32];
      k = Math.floor(k / 32);
    }
    for (let i = 0; i < 10; i++) s += ID_CHARS[Math.floor(rnd() * 32)];
    return s;
  };
  const arn = (kind: string, name: string, p = '/') => `arn:aws:iam::${account}:${kind}${p}${name}`;
  const awsArn = (name: string, p = '/') => `arn:aws:iam::aws:policy${p}${name}`;

  // ---------------------------------------------------------------------------------------- managed policies
  interface Managed {
    name: string;
    arn: string;
    path: string;
    aws: boolean;
    versions: Array<{ id: string; doc: Doc; days: number }>;
    attachments: number;
    boundaryUses: number;
  }
  const managed = new Map<string, Managed>();
  const addManaged = (name: string, d: Doc, o: { aws?: boolean; path?: string; versions?: Managed['versions'] } = {}): string => {
    const p = o.aws ? awsArn(name, o.path) : arn('policy', name, o.path);
    managed.set(p, { name, arn: p, path: o.path ?? '/', aws: Boolean(o.aws), versions: o.versions ?? [{ id: 'v1', doc: d, days: int(30, 1500) }], attachments: 0, boundaryUses: 0 });
    return p;
  };
  const ADMIN = addManaged('AdministratorAccess', doc(allow('*')), { aws: true });
  const POWER = addManaged('PowerUserAccess', doc({ Effect: 'Allow', NotAction: ['iam:*', 'organizations:*', 'account:*'], Resource: '*' }, allow(['iam:CreateServiceLinkedRole', 'iam:DeleteServiceLinkedRole', 'iam:ListRoles', 'organizations:DescribeOrganization'])), { aws: true });
  const READONLY = addManaged('ReadOnlyAccess', doc(allow(['cloudwatch:Describe*', 'cloudwatch:Get*', 'dynamodb:Describe*', 'ec2:Describe*', 'iam:Get*', 'iam:List*', 'lambda:Get*', 'lambda:List*', 'logs:Get*', 's3:Get*', 's3:List*', 'sqs:Get*'])), { aws: true });
  const AUDIT = addManaged('SecurityAudit', doc(allow(['config:Describe*', 'ec2:Describe*', 'iam:GenerateCredentialReport', 'iam:Get*', 'iam:List*', 's3:GetBucketPolicy'])), { aws: true });
  const LAMBDA_BASIC = addManaged('AWSLambdaBasicExecutionRole', doc(allow(['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'])), { aws: true, path: '/service-role/' });
  const ECS_EXEC = addManaged('AmazonECSTaskExecutionRolePolicy', doc(allow(['ecr:GetAuthorizationToken', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'logs:CreateLogStream', 'logs:PutLogEvents'])), { aws: true, path: '/service-role/' });
  const SSM_CORE = addManaged('AmazonSSMManagedInstanceCore', doc(allow(['ssm:UpdateInstanceInformation', 'ssm:ListInstanceAssociations', 'ssm:GetDocument', 'ssmmessages:*', 'ec2messages:*'])), { aws: true });
  const S3_READ = addManaged('AmazonS3ReadOnlyAccess', doc(allow(['s3:Get*', 's3:List*'])), { aws: true });
  const SLR_POLICY = addManaged('AWSSupportServiceRolePolicy', doc(allow(['support:*', 'ec2:Describe*', 'iam:GetRole'])), { aws: true, path: '/aws-service-role/' });

  // application policies: "a few hundred", shared by many principals
  const nApp = Math.min(400, Math.max(40, Math.round(n / 40)));
  const appPolicies: string[] = [];
  for (let i = 0; i < nApp; i++) {
    const svc = SERVICES[i % SERVICES.length];
    const team = TEAMS[i % TEAMS.length];
    const statements: Statement[] = [allow([`${svc}:Get*`, `${svc}:List*`, `${svc}:Describe*`], `arn:aws:${svc}:*:${account}:${team}-*`)];
    if (chance(0.6)) statements.push(allow([`${svc}:Put*`, `${svc}:Update*`, `${svc}:Delete*`], `arn:aws:${svc}:*:${account}:${team}-app-${i}*`));
    if (chance(0.2)) statements.push(allow(['kms:Decrypt', 'kms:GenerateDataKey'], '*', { Condition: { StringEquals: { 'kms:ViaService': `${svc}.eu-west-1.amazonaws.com` } } }));
    if (chance(0.1)) statements.push({ Effect: 'Deny', Action: `${svc}:Delete*`, Resource: '*', Condition: { StringNotEquals: { 'aws:RequestedRegion': 'eu-west-1' } } });
    // a few policies have an older version, as edited policies do
    const d = doc(...statements);
    const versions = chance(0.15) ? [{ id: 'v1', doc: doc(statements[0]), days: int(400, 1500) }, { id: 'v2', doc: d, days: int(10, 399) }] : undefined;
    appPolicies.push(addManaged(`app-${team}-${i}-access`, d, { versions }));
  }
  // team policies: one per team group; CreatePolicyVersion on policy/team-* reaches them
  const nTeams = Math.min(200, Math.max(5, Math.round(n / 500)));
  const teamPolicies: string[] = [];
  for (let t = 0; t < nTeams; t++) teamPolicies.push(addManaged(`team-${t}-common`, doc(allow(['cloudwatch:PutMetricData', 'logs:PutLogEvents', 'xray:PutTraceSegments']), allow('s3:GetObject', `arn:aws:s3:::team-${t}-*/*`))));
  // shared escalation-relevant policies
  const CI_DEPLOYER = addManaged('ci-lambda-deployer', doc(allow(['lambda:CreateFunction', 'lambda:UpdateFunctionCode', 'lambda:InvokeFunction', 'lambda:GetFunction']), allow('iam:PassRole', arn('role', 'lambda-*'))));
  const BUILD_OPERATOR = addManaged('build-operator', doc(allow(['codebuild:CreateProject', 'codebuild:StartBuild', 'codebuild:BatchGetBuilds']), allow('iam:PassRole', arn('role', 'codebuild-*'))));
  const SELF_KEYS = addManaged('self-service-keys', doc(allow(['iam:CreateAccessKey', 'iam:DeleteAccessKey', 'iam:ListAccessKeys', 'iam:UpdateAccessKey'], arn('user', '${aws:username}'))));
  // boundaries
  const DEV_BOUNDARY = addManaged('developer-boundary', doc(allow(['s3:*', 'dynamodb:*', 'sqs:*', 'sns:*', 'logs:*', 'cloudwatch:*', 'ec2:Describe*', 'lambda:Get*', 'lambda:List*'])));
  const NO_IAM_BOUNDARY = addManaged('workload-boundary', doc({ Effect: 'Allow', NotAction: ['iam:*', 'sts:AssumeRole', 'organizations:*'], Resource: '*' }));

  const attach = (list: Array<{ PolicyName: string; PolicyArn: string }>, p: string) => {
    const m = managed.get(p)!;
    m.attachments++;
    list.push({ PolicyName: m.name, PolicyArn: p });
  };
  const boundaryOf = (p: string | undefined) => {
    if (!p) return {};
    managed.get(p)!.boundaryUses++;
    boundaries++;
    return { PermissionsBoundary: { PermissionsBoundaryType: 'Policy', PermissionsBoundaryArn: p } };
  };
  let boundaries = 0;
  let inlineCount = 0;
  const grants: Record<string, number> = {};
  const count = (k: string) => (grants[k] = (grants[k] ?? 0) + 1);

  // ---------------------------------------------------------------------------------------- escalation grants
  const nUsers = Math.round(n * 0.35);
  const nRoles = n - nUsers;
  const nAdminUsers = Math.max(2, Math.round(nUsers * 0.004));
  const nRootAdminRoles = Math.max(2, Math.round(nRoles * 0.002));
  const nServiceAdmins = Math.max(1, Math.round(nRoles * 0.0005));
  const nChains = Math.max(1, Math.round(n / 2000));

  /**
   * One escalation-relevant grant as an inline policy (exploitable ones first, look-alikes after). `team` is the
   * principal's team index (its team policy is `team-<t>-common`).
   */
  const VARIANTS = [
    // exploitable
    ['passrole-lambda', 8],
    ['passrole-ec2', 5],
    ['passrole-codebuild-to-service', 4],
    ['create-key-svc-users', 4],
    ['assume-admin-roles', 5],
    ['ssm-send-command', 3],
    ['policy-version-team', 3],
    ['shared-ci-deployer', 6],
    // look-alikes
    ['own-keys-only', 5],
    ['passrole-backup-only', 3],
    ['expired-condition', 3],
    ['passrole-harmless', 3],
    ['source-ip-condition', 2],
  ] as const;
  const variantTotal = VARIANTS.reduce((s, [, w]) => s + w, 0);
  const pickVariant = (): string => {
    let r = rnd() * variantTotal;
    for (const [v, w] of VARIANTS) if ((r -= w) < 0) return v;
    return VARIANTS[0][0];
  };
  const escalationInline = (variant: string, team: number): { inline?: { PolicyName: string; PolicyDocument: Doc }; managedArn?: string } => {
    count(variant);
    const mk = (name: string, d: Doc) => ({ inline: { PolicyName: name, PolicyDocument: d } });
    switch (variant) {
      case 'passrole-lambda':
        return mk('deploy-functions', doc(allow(['lambda:CreateFunction', 'lambda:InvokeFunction', 'lambda:GetFunction']), allow('iam:PassRole', chance(0.5) ? '*' : arn('role', 'lambda-*'))));
      case 'passrole-ec2':
        return mk('launch-workers', doc(allow(['ec2:RunInstances', 'ec2:DescribeInstances', 'ec2:CreateTags']), allow('iam:PassRole', chance(0.5) ? '*' : arn('role', 'ec2-*'))));
      case 'passrole-codebuild-to-service':
        return mk('builds', doc(allow(['codebuild:CreateProject', 'codebuild:StartBuild']), allow('iam:PassRole', '*', { Condition: { StringEquals: { 'iam:PassedToService': 'codebuild.amazonaws.com' } } })));
      case 'create-key-svc-users':
        return mk('rotate-service-keys', doc(allow(['iam:CreateAccessKey', 'iam:ListAccessKeys', 'iam:UpdateAccessKey'], arn('user', '*', '/svc/'))));
      case 'assume-admin-roles':
        return mk('ops-access', doc(allow('sts:AssumeRole', chance(0.5) ? arn('role', 'admin-*') : '*')));
      case 'ssm-send-command':
        return mk('run-commands', doc(allow(['ssm:SendCommand', 'ssm:ListCommandInvocations', 'ec2:DescribeInstances'])));
      case 'policy-version-team':
        return mk('edit-team-policy', doc(allow(['iam:CreatePolicyVersion', 'iam:GetPolicyVersion'], arn('policy', `team-${team}-*`))));
      case 'shared-ci-deployer':
        return { managedArn: CI_DEPLOYER };
      case 'own-keys-only':
        return chance(0.5) ? { managedArn: SELF_KEYS } : mk('own-keys', doc(allow(['iam:CreateAccessKey', 'iam:DeleteAccessKey'], arn('user', '${aws:username}'))));
      case 'passrole-backup-only':
        return mk('backup-jobs', doc(allow(['lambda:CreateFunction', 'lambda:InvokeFunction', 'backup:StartBackupJob']), allow('iam:PassRole', '*', { Condition: { StringEquals: { 'iam:PassedToService': 'backup.amazonaws.com' } } })));
      case 'expired-condition':
        return mk('migration-2020', doc(allow('iam:CreatePolicyVersion', '*', { Condition: { DateLessThan: { 'aws:CurrentTime': '2021-01-01T00:00:00Z' } } })));
      case 'passrole-harmless':
        return mk('deploy-basic-functions', doc(allow(['lambda:CreateFunction', 'lambda:InvokeFunction']), allow('iam:PassRole', arn('role', 'lambda-basic-*'))));
      case 'source-ip-condition':
        return mk('keys-from-office', doc(allow('iam:CreateAccessKey', '*', { Condition: { IpAddress: { 'aws:SourceIp': ['198.51.100.0/24'] } } })));
      default:
        throw new Error(`unknown variant ${variant}`);
    }
  };

  // ---------------------------------------------------------------------------------------- groups
  interface GroupDef {
    name: string;
    attached: string[];
    inline: Array<{ PolicyName: string; PolicyDocument: Doc }>;
  }
  const groupDefs: GroupDef[] = [
    { name: 'admins', attached: [ADMIN], inline: [] },
    { name: 'developers', attached: [POWER], inline: [] },
    { name: 'readers', attached: [READONLY], inline: [] },
    { name: 'auditors', attached: [AUDIT, READONLY], inline: [] },
    { name: 'build-operators', attached: [BUILD_OPERATOR], inline: [] },
    { name: 'deny-iam-writes', attached: [], inline: [{ PolicyName: 'deny', PolicyDocument: doc({ Effect: 'Deny', Action: ['iam:Create*', 'iam:Put*', 'iam:Attach*', 'iam:PassRole', 'iam:Update*'], Resource: '*' }) }] },
  ];
  for (let t = 0; t < nTeams; t++) {
    const attached = [teamPolicies[t], appPolicies[(t * 7) % nApp]];
    if (chance(0.5)) attached.push(appPolicies[(t * 13 + 3) % nApp]);
    const inline = chance(0.3) ? [{ PolicyName: 'team-queues', PolicyDocument: doc(allow(['sqs:SendMessage', 'sqs:ReceiveMessage', 'sqs:DeleteMessage'], `arn:aws:sqs:*:${account}:team-${t}-*`)) }] : [];
    groupDefs.push({ name: `team-${t}`, attached, inline });
  }

  // ---------------------------------------------------------------------------------------- files
  const authzFile = path.join(dir, 'authz.json');
  const reportFile = path.join(dir, 'credential-report.csv');
  const authzOut = new BufferedFile(authzFile);
  const reportOut = new BufferedFile(reportFile);
  const json = new JsonListsWriter(authzOut);
  reportOut.write(
    'user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated\n',
  );
  reportOut.write(`<root_account>,arn:aws:iam::${account}:root,${ago(3000)},not_supported,${ago(int(30, 200))},not_supported,not_supported,true,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A\n`);
  const keyCells = (k: { age: number; used?: number } | undefined) =>
    k ? `true,${ago(k.age)},${k.used === undefined ? 'N/A,N/A,N/A' : `${ago(k.used)},${pick(REGIONS)},${pick(SERVICES)}`}` : 'false,N/A,N/A,N/A,N/A';
  const tags = (o: Record<string, string>) => Object.entries(o).map(([Key, Value]) => ({ Key, Value }));

  // ---------------------------------------------------------------------------------------- users
  json.begin('UserDetailList');
  let adminUsers = 0;
  for (let i = 0; i < nUsers; i++) {
    const team = int(0, nTeams - 1);
    const attached: Array<{ PolicyName: string; PolicyArn: string }> = [];
    const inline: Array<{ PolicyName: string; PolicyDocument: Doc }> = [];
    const groupsOf: string[] = [];
    let name: string;
    let p = '/svc/';
    let boundary: string | undefined;
    let password: { changed: number; used?: number } | undefined;
    let mfa = false;
    const keys: Array<{ age: number; used?: number }> = [];
    if (i < nAdminUsers) {
      // admins: half people in the admins group, half automation users with the policy attached (under /svc/)
      adminUsers++;
      if (i % 2 === 0) {
        name = `admin-${i}`;
        p = '/people/';
        groupsOf.push('admins');
        password = { changed: int(10, 200), used: int(0, 30) };
        mfa = chance(0.8);
        if (chance(0.3)) keys.push({ age: int(30, 400), used: int(0, 30) });
      } else {
        name = `svc-admin-${i}`;
        attach(attached, ADMIN);
        keys.push({ age: int(30, 900), used: int(0, 60) });
      }
    } else if (i < nAdminUsers + nChains) {
      // the first hop of a trust chain
      name = `chain-${i - nAdminUsers}-user`;
      inline.push({ PolicyName: 'chain', PolicyDocument: doc(allow('sts:AssumeRole', arn('role', `chain-${i - nAdminUsers}-hop1`))) });
      keys.push({ age: int(30, 300), used: int(0, 10) });
    } else if (chance(0.12)) {
      // people
      name = `person-${i}`;
      p = '/people/';
      password = { changed: int(5, 400), used: chance(0.9) ? int(0, 90) : undefined };
      mfa = chance(0.75);
      const g = rnd();
      groupsOf.push(g < 0.55 ? 'developers' : g < 0.85 ? 'readers' : 'auditors');
      groupsOf.push(`team-${team}`);
      if (groupsOf[0] === 'developers' && chance(0.5)) boundary = DEV_BOUNDARY;
      if (chance(0.3)) keys.push({ age: int(10, 800), used: chance(0.8) ? int(0, 120) : undefined });
    } else {
      // service users
      const ci = chance(0.04);
      name = ci ? `ci-${i}` : `svc-${i}`;
      if (ci) {
        p = '/ci/';
        groupsOf.push('build-operators');
      } else if (chance(0.4)) groupsOf.push(`team-${team}`);
      const k = int(1, 3);
      for (let j = 0; j < k; j++) attach(attached, appPolicies[int(0, nApp - 1)]);
      if (chance(0.12)) inline.push({ PolicyName: 'queue-access', PolicyDocument: doc(allow(['sqs:SendMessage', 'sqs:ReceiveMessage'], `arn:aws:sqs:*:${account}:svc-${i}-*`)) });
      if (chance(0.1)) boundary = NO_IAM_BOUNDARY;
      keys.push({ age: int(1, 1200), used: chance(0.85) ? int(0, 200) : undefined });
      if (chance(0.08)) keys.push({ age: int(1, 30), used: int(0, 5) });
      if (chance(share)) {
        const g = escalationInline(pickVariant(), team);
        if (g.inline) inline.push(g.inline);
        if (g.managedArn) attach(attached, g.managedArn);
        // some of them are cancelled by a group deny
        if (chance(0.15)) groupsOf.push('deny-iam-writes');
      }
    }
    inlineCount += inline.length;
    const userArn = arn('user', name, p);
    const created = ago(int(100, 2500));
    json.item({
      Path: p,
      UserName: name,
      UserId: uid('AIDA'),
      Arn: userArn,
      CreateDate: created,
      UserPolicyList: inline,
      GroupList: groupsOf,
      AttachedManagedPolicies: attached,
      ...boundaryOf(boundary),
      Tags: chance(0.6) ? tags({ team: TEAMS[team % TEAMS.length], owner: `${TEAMS[team % TEAMS.length]}@example.com` }) : [],
    });
    reportOut.write(
      `${name},${userArn},${created},${password ? 'true' : 'false'},${password ? (password.used === undefined ? 'no_information' : ago(password.used)) : 'N/A'},${password ? ago(password.changed) : 'N/A'},N/A,${mfa ? 'true' : 'false'},${keyCells(keys[0])},${keyCells(keys[1])},false,N/A,false,N/A\n`,
    );
  }
  json.end();

  // ---------------------------------------------------------------------------------------- groups
  json.begin('GroupDetailList');
  for (const g of groupDefs) {
    const attached: Array<{ PolicyName: string; PolicyArn: string }> = [];
    for (const p of g.attached) attach(attached, p);
    inlineCount += g.inline.length;
    json.item({ Path: '/', GroupName: g.name, GroupId: uid('AGPA'), Arn: arn('group', g.name), CreateDate: ago(int(300, 2500)), GroupPolicyList: g.inline, AttachedManagedPolicies: attached });
  }
  json.end();

  // ---------------------------------------------------------------------------------------- roles
  const trust = (statement: Statement): Doc => doc(statement);
  const serviceTrust = new Map<string, Doc>();
  const trustService = (svc: string) => {
    let d = serviceTrust.get(svc);
    if (!d) serviceTrust.set(svc, (d = trust({ Effect: 'Allow', Principal: { Service: svc }, Action: 'sts:AssumeRole' })));
    return d;
  };
  const ROOT_TRUST = trust({ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${account}:root` }, Action: 'sts:AssumeRole' });
  const SAML_TRUST = trust({ Effect: 'Allow', Principal: { Federated: arn('saml-provider', 'corp-sso') }, Action: 'sts:AssumeRoleWithSAML', Condition: { StringEquals: { 'SAML:aud': 'https://signin.aws.amazon.com/saml' } } });
  const OIDC = arn('oidc-provider', 'token.actions.githubusercontent.com');
  json.begin('RoleDetailList');
  let adminRoles = 0;
  let rolesWritten = 0;
  /** recent ECS task roles: the callers application roles trust (a trust names a role that exists) */
  const taskRoles: string[] = [];
  const roleItem = (o: {
    name: string;
    path?: string;
    trust: Doc;
    attached?: string[];
    inline?: Array<{ PolicyName: string; PolicyDocument: Doc }>;
    boundary?: string;
    profile?: boolean;
    used?: number;
  }) => {
    const p = o.path ?? '/';
    const roleArn = arn('role', o.name, p);
    const roleId = uid('AROA');
    const created = ago(int(30, 2000));
    const attached: Array<{ PolicyName: string; PolicyArn: string }> = [];
    for (const a of o.attached ?? []) attach(attached, a);
    inlineCount += o.inline?.length ?? 0;
    rolesWritten++;
    json.item({
      Path: p,
      RoleName: o.name,
      RoleId: roleId,
      Arn: roleArn,
      CreateDate: created,
      AssumeRolePolicyDocument: o.trust,
      MaxSessionDuration: 3600,
      InstanceProfileList: o.profile
        ? [{ Path: '/', InstanceProfileName: o.name, InstanceProfileId: uid('AIPA'), Arn: arn('instance-profile', o.name), CreateDate: created, Roles: [{ Path: p, RoleName: o.name, RoleId: roleId, Arn: roleArn, CreateDate: created, AssumeRolePolicyDocument: o.trust }] }]
        : [],
      RolePolicyList: o.inline ?? [],
      AttachedManagedPolicies: attached,
      ...boundaryOf(o.boundary),
      Tags: chance(0.5) ? tags({ team: pick(TEAMS) }) : [],
      RoleLastUsed: o.used === undefined ? {} : { LastUsedDate: ago(o.used), Region: pick(REGIONS) },
    });
  };
  let made = 0;
  // admins: roles trusting the account root (reached with an sts:AssumeRole grant), SSO roles, and one admin role per
  // service that runs code
  for (let i = 0; i < nRootAdminRoles; i++, made++, adminRoles++) roleItem({ name: `admin-${i}`, trust: ROOT_TRUST, attached: [ADMIN], used: int(0, 60) });
  for (let i = 0; i < 3; i++, made++, adminRoles++) roleItem({ name: `sso-admin-${i}`, trust: SAML_TRUST, attached: [ADMIN], used: int(0, 10) });
  const serviceAdmins: Array<[string, string, boolean]> = [
    ['lambda-admin', 'lambda.amazonaws.com', false],
    ['ec2-admin', 'ec2.amazonaws.com', true],
    ['codebuild-admin', 'codebuild.amazonaws.com', false],
    ['ecs-admin', 'ecs-tasks.amazonaws.com', false],
    ['glue-admin', 'glue.amazonaws.com', false],
    ['sagemaker-admin', 'sagemaker.amazonaws.com', false],
    ['cfn-admin', 'cloudformation.amazonaws.com', false],
  ];
  for (const [prefix, svc, profile] of serviceAdmins) for (let i = 0; i < nServiceAdmins; i++, made++, adminRoles++) roleItem({ name: `${prefix}-${i}`, trust: trustService(svc), attached: [ADMIN], profile, used: int(0, 30) });
  // trust chains: hop1 trusts the account root (the chain user holds the grant), hop2 trusts hop1's ARN; half end in
  // an admin role after 3 hops, the rest in a harmless role (a chain that leads nowhere)
  for (let c = 0; c < nChains; c++) {
    const hop1 = `chain-${c}-hop1`;
    const hop2 = `chain-${c}-hop2`;
    const end = `chain-${c}-end`;
    roleItem({ name: hop1, trust: ROOT_TRUST, inline: [{ PolicyName: 'next', PolicyDocument: doc(allow('sts:AssumeRole', arn('role', hop2))) }], used: int(0, 30) });
    roleItem({ name: hop2, trust: trust({ Effect: 'Allow', Principal: { AWS: arn('role', hop1) }, Action: 'sts:AssumeRole' }), attached: [S3_READ], used: int(0, 30) });
    const toAdmin = c % 2 === 0;
    roleItem({ name: end, trust: trust({ Effect: 'Allow', Principal: { AWS: arn('role', hop2) }, Action: 'sts:AssumeRole' }), attached: [toAdmin ? ADMIN : READONLY], used: int(0, 30) });
    if (toAdmin) adminRoles++;
    made += 3;
  }
  for (let i = made; i < nRoles; i++) {
    const r = rnd();
    const team = int(0, nTeams - 1);
    const app = () => appPolicies[int(0, nApp - 1)];
    const used = chance(0.85) ? int(0, 120) : undefined;
    const inline: Array<{ PolicyName: string; PolicyDocument: Doc }> = [];
    const withGrant = () => {
      if (!chance(share)) return;
      const g = escalationInline(pickVariant(), team);
      if (g.inline) inline.push(g.inline);
      return g.managedArn;
    };
    if (r < 0.03) {
      roleItem({ name: `AWSServiceRoleForApp${i}`, path: `/aws-service-role/app${i % 50}.amazonaws.com/`, trust: trustService(`app${i % 50}.amazonaws.com`), attached: [SLR_POLICY], used });
    } else if (r < 0.28) {
      const basic = chance(0.2);
      const extra = withGrant();
      if (chance(0.1)) inline.push({ PolicyName: 'events', PolicyDocument: doc(allow(['events:PutEvents'], `arn:aws:events:*:${account}:event-bus/team-${team}`)) });
      roleItem({ name: basic ? `lambda-basic-${i}` : `lambda-${i}`, trust: trustService('lambda.amazonaws.com'), attached: [LAMBDA_BASIC, ...(basic ? [] : [app()]), ...(extra ? [extra] : [])], inline, boundary: chance(0.2) ? NO_IAM_BOUNDARY : undefined, used });
    } else if (r < 0.43) {
      const extra = withGrant();
      roleItem({ name: `ec2-app-${i}`, trust: trustService('ec2.amazonaws.com'), attached: [SSM_CORE, app(), ...(extra ? [extra] : [])], inline, profile: true, boundary: chance(0.2) ? NO_IAM_BOUNDARY : undefined, used });
    } else if (r < 0.53) {
      const extra = withGrant();
      taskRoles.push(arn('role', `ecs-task-${i}`));
      if (taskRoles.length > 500) taskRoles.shift();
      roleItem({ name: `ecs-task-${i}`, trust: trustService('ecs-tasks.amazonaws.com'), attached: [ECS_EXEC, app(), ...(extra ? [extra] : [])], inline, used });
    } else if (r < 0.58) {
      const extra = withGrant();
      roleItem({ name: `codebuild-${i}`, path: chance(0.5) ? '/service-role/' : '/', trust: trustService('codebuild.amazonaws.com'), attached: [app(), ...(extra ? [extra] : [])], inline: [...inline, { PolicyName: 'build', PolicyDocument: doc(allow(['ecr:*', 'logs:CreateLogStream', 'logs:PutLogEvents', 's3:PutObject'])) }], used });
    } else if (r < 0.61) {
      roleItem({ name: `${chance(0.5) ? 'glue' : 'sagemaker'}-${i}`, trust: trustService(chance(0.5) ? 'glue.amazonaws.com' : 'sagemaker.amazonaws.com'), attached: [app(), S3_READ], used });
    } else if (r < 0.68) {
      roleItem({
        name: `gha-${i}`,
        trust: trust({ Effect: 'Allow', Principal: { Federated: OIDC }, Action: 'sts:AssumeRoleWithWebIdentity', Condition: { StringEquals: { 'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com' }, StringLike: { 'token.actions.githubusercontent.com:sub': `repo:example/app-${i}:ref:refs/heads/main` } } }),
        attached: [app()],
        used,
      });
    } else if (r < 0.73) {
      const partner = String(100000000000 + int(0, 899999999999)).slice(0, 12);
      roleItem({ name: `partner-${i}`, trust: trust({ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${partner}:root` }, Action: 'sts:AssumeRole', Condition: { StringEquals: { 'sts:ExternalId': `ext-${i}` } } }), attached: [chance(0.5) ? READONLY : AUDIT], used });
    } else if (r < 0.8) {
      // roles people assume from the account (the grant decides who can)
      roleItem({ name: `ops-${i}`, trust: ROOT_TRUST, attached: [app(), chance(0.3) ? READONLY : app()], used });
    } else {
      // application roles assumed by other application roles (cross-role trust)
      const extra = withGrant();
      const callerTrust = taskRoles.length ? trust({ Effect: 'Allow', Principal: { AWS: pick(taskRoles) }, Action: 'sts:AssumeRole' }) : ROOT_TRUST;
      roleItem({ name: `app-${i}`, trust: callerTrust, attached: [app(), ...(extra ? [extra] : [])], inline, used });
    }
  }
  json.end();

  // ---------------------------------------------------------------------------------------- managed policies
  json.begin('Policies');
  let customerPolicies = 0;
  let awsPolicies = 0;
  for (const m of managed.values()) {
    if (m.attachments === 0 && m.boundaryUses === 0 && m.aws) continue; // the export lists AWS-managed policies in use only
    if (m.aws) awsPolicies++;
    else customerPolicies++;
    const def = m.versions[m.versions.length - 1];
    json.item({
      PolicyName: m.name,
      PolicyId: uid('ANPA'),
      Arn: m.arn,
      Path: m.path,
      DefaultVersionId: def.id,
      AttachmentCount: m.attachments,
      PermissionsBoundaryUsageCount: m.boundaryUses,
      IsAttachable: true,
      CreateDate: ago(m.versions[0].days),
      UpdateDate: ago(def.days),
      PolicyVersionList: m.versions.map((v) => ({ Document: v.doc, VersionId: v.id, IsDefaultVersion: v === def, CreateDate: ago(v.days) })),
    });
  }
  json.end();
  json.close();
  authzOut.close();
  reportOut.close();

  return {
    identities: nUsers + rolesWritten,
    users: nUsers,
    roles: rolesWritten,
    groups: groupDefs.length,
    customerPolicies,
    awsPolicies,
    inlinePolicies: inlineCount,
    boundaries,
    adminUsers,
    adminRoles,
    chains: nChains,
    grants,
    files: { authz: authzFile, credentialReport: reportFile },
    bytes: { authz: authzOut.bytes, credentialReport: reportOut.bytes },
  };
}
