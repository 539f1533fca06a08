#!/usr/bin/env node
// Writes the bundled demo estate (a fictional AWS account, "acme-prod") used by `nhi scan --demo`.
// Deterministic: every date is an offset from CAPTURED_AT, so re-running gives byte-identical files.
// The files have the shapes real exports have:
//   authz.json            = `aws iam get-account-authorization-details` (AWS CLI output, ISO dates)
//   credential-report.csv = `aws iam get-credential-report --query Content --output text | base64 -d`
//   last-accessed.json    = { generatedAt, entities: { <arn>: `aws iam get-service-last-accessed-details` output } }
// AWS-managed policy documents are abbreviated to the statements that matter for the story (AdministratorAccess and
// PowerUserAccess are exact; ReadOnlyAccess and SecurityAudit list a representative subset of services).
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const CAPTURED_AT = '2026-11-01T06:00:00Z';
const ACCOUNT = '123456789012';
const captured = Date.parse(CAPTURED_AT);

/** ISO date `n` days (may be fractional) before the capture, second precision, like the AWS CLI prints */
const ago = (days) => new Date(captured - Math.round(days * 86400) * 1000).toISOString().replace('.000Z', '+00:00');
const arn = (kind, name, p = '/') => `arn:aws:iam::${ACCOUNT}:${kind}${p}${name}`;
const awsPolicy = (name, p = '/') => `arn:aws:iam::aws:policy${p}${name}`;
const id = (prefix, n) => `${prefix}${String(n).padStart(4, '0')}EXAMPLE${'ABCDEFGHJK'[n % 10]}${'LMNPQRSTUV'[(n * 7) % 10]}`.slice(0, 21);
const tags = (obj) => Object.entries(obj).map(([Key, Value]) => ({ Key, Value }));
const doc = (...Statement) => ({ Version: '2012-10-17', Statement });

// ------------------------------------------------------------------------------------------------ managed policies
const GH_OIDC = `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`;
const managed = [
  { name: 'AdministratorAccess', arn: awsPolicy('AdministratorAccess'), document: doc({ Effect: 'Allow', Action: '*', Resource: '*' }) },
  {
    name: 'PowerUserAccess',
    arn: awsPolicy('PowerUserAccess'),
    document: doc(
      { Effect: 'Allow', NotAction: ['iam:*', 'organizations:*', 'account:*'], Resource: '*' },
      {
        Effect: 'Allow',
        Action: ['account:GetAccountInformation', 'account:GetPrimaryEmail', 'account:ListRegions', 'iam:CreateServiceLinkedRole', 'iam:DeleteServiceLinkedRole', 'iam:ListRoles', 'organizations:DescribeOrganization'],
        Resource: '*',
      },
    ),
  },
  {
    name: 'ReadOnlyAccess',
    arn: awsPolicy('ReadOnlyAccess'),
    document: doc({
      Effect: 'Allow',
      Action: ['cloudwatch:Describe*', 'cloudwatch:Get*', 'cloudwatch:List*', 'dynamodb:Describe*', 'dynamodb:List*', 'ec2:Describe*', 'ecr:Describe*', 'ecr:List*', 'ecs:Describe*', 'ecs:List*', 'iam:Get*', 'iam:List*', 'lambda:Get*', 'lambda:List*', 'logs:Describe*', 'logs:Get*', 's3:Get*', 's3:List*', 'sns:Get*', 'sns:List*', 'sqs:Get*', 'sqs:List*'],
      Resource: '*',
    }),
  },
  {
    name: 'SecurityAudit',
    arn: awsPolicy('SecurityAudit'),
    document: doc({ Effect: 'Allow', Action: ['cloudtrail:DescribeTrails', 'cloudtrail:GetTrailStatus', 'config:Describe*', 'ec2:Describe*', 'iam:GenerateCredentialReport', 'iam:Get*', 'iam:List*', 's3:GetBucketPolicy', 's3:ListAllMyBuckets', 'kms:ListKeys'], Resource: '*' }),
  },
  { name: 'AmazonS3FullAccess', arn: awsPolicy('AmazonS3FullAccess'), document: doc({ Effect: 'Allow', Action: ['s3:*', 's3-object-lambda:*'], Resource: '*' }) },
  { name: 'AmazonS3ReadOnlyAccess', arn: awsPolicy('AmazonS3ReadOnlyAccess'), document: doc({ Effect: 'Allow', Action: ['s3:Get*', 's3:List*', 's3:Describe*'], Resource: '*' }) },
  { name: 'CloudWatchReadOnlyAccess', arn: awsPolicy('CloudWatchReadOnlyAccess'), document: doc({ Effect: 'Allow', Action: ['cloudwatch:Describe*', 'cloudwatch:Get*', 'cloudwatch:List*', 'logs:Get*', 'logs:Describe*', 'logs:FilterLogEvents'], Resource: '*' }) },
  { name: 'AWSLambdaBasicExecutionRole', arn: awsPolicy('AWSLambdaBasicExecutionRole', '/service-role/'), document: doc({ Effect: 'Allow', Action: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'], Resource: '*' }) },
  { name: 'AmazonECSTaskExecutionRolePolicy', arn: awsPolicy('AmazonECSTaskExecutionRolePolicy', '/service-role/'), document: doc({ Effect: 'Allow', Action: ['ecr:GetAuthorizationToken', 'ecr:BatchCheckLayerAvailability', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchGetImage', 'logs:CreateLogStream', 'logs:PutLogEvents'], Resource: '*' }) },
  { name: 'AWSSupportServiceRolePolicy', arn: awsPolicy('AWSSupportServiceRolePolicy', '/aws-service-role/'), document: doc({ Effect: 'Allow', Action: ['support:*', 'ec2:Describe*', 'iam:Get*', 'iam:List*'], Resource: '*' }) },
  // customer managed
  {
    name: 'acme-deploy',
    arn: arn('policy', 'acme-deploy'),
    document: doc(
      { Sid: 'Deploy', Effect: 'Allow', Action: ['ecs:UpdateService', 'ecs:DescribeServices', 'ecs:RegisterTaskDefinition', 'ecr:*'], Resource: '*' },
      { Sid: 'PassTaskRoles', Effect: 'Allow', Action: 'iam:PassRole', Resource: arn('role', 'ecs-*') },
    ),
  },
  {
    name: 'acme-backup-writer',
    arn: arn('policy', 'acme-backup-writer'),
    document: doc({ Effect: 'Allow', Action: ['s3:PutObject', 's3:ListBucket', 's3:GetBucketLocation'], Resource: ['arn:aws:s3:::acme-backups', 'arn:aws:s3:::acme-backups/*'] }),
  },
  {
    name: 'acme-iam-automation',
    arn: arn('policy', 'acme-iam-automation'),
    // looks narrow, but permissions management on * lets it grant itself anything
    document: doc({ Sid: 'ManageRolesForPipelines', Effect: 'Allow', Action: ['iam:AttachRolePolicy', 'iam:PutRolePolicy', 'iam:CreateRole', 'iam:GetRole', 'iam:ListRoles'], Resource: '*' }),
  },
  {
    name: 'acme-developer-boundary',
    arn: arn('policy', 'acme-developer-boundary'),
    document: doc({ Effect: 'Allow', Action: ['s3:*', 'dynamodb:*', 'lambda:*', 'logs:*', 'cloudwatch:*', 'sqs:*'], Resource: '*' }),
  },
];
const P = Object.fromEntries(managed.map((p) => [p.name, p]));

// ------------------------------------------------------------------------------------------------ groups
const groups = [
  { name: 'Admins', attached: ['AdministratorAccess'], created: 1900 },
  { name: 'Developers', attached: ['PowerUserAccess'], inline: [{ name: 'deny-prod-data-delete', document: doc({ Effect: 'Deny', Action: ['s3:DeleteBucket', 'dynamodb:DeleteTable', 'rds:DeleteDBInstance'], Resource: '*' }) }], created: 1900 },
  { name: 'Auditors', attached: ['SecurityAudit', 'ReadOnlyAccess'], created: 1500 },
];

// ------------------------------------------------------------------------------------------------ users
// key: { age: days since created, used: days since last use | null (never) , active, service, region }
const users = [
  { name: 'ci-deploy-legacy', path: '/ci/', created: 1610, password: false, attached: ['AdministratorAccess'], tags: {}, keys: [{ age: 1580, used: 402, service: 's3', active: true }, { age: 31, used: 0.3, service: 'ecs', active: true }], services: { s3: 402, ecs: 0.3, ecr: 0.3, cloudformation: 600 } },
  { name: 'jenkins-builder', path: '/ci/', created: 900, password: false, attached: ['PowerUserAccess'], tags: { owner: 'build-team', 'cost-center': 'eng-210' }, keys: [{ age: 433, used: 1.2, service: 'ecr', active: true }], services: { ecr: 1.2, s3: 1.2, ecs: 3, codebuild: 40 } },
  { name: 'backup-s3', path: '/svc/', created: 212, password: false, attached: ['acme-backup-writer'], tags: { team: 'sre' }, keys: [{ age: 210, used: null, active: true }], services: { s3: null } },
  { name: 'terraform-ci', path: '/ci/', created: 700, password: false, attached: ['acme-iam-automation', 'ReadOnlyAccess'], tags: { owner: 'platform-team' }, keys: [{ age: 41, used: 0.8, service: 'iam', active: true }], services: { iam: 0.8, s3: 0.8, ec2: 2, dynamodb: 30, lambda: null, sqs: null, sns: null, ecs: 5, ecr: null, logs: 1, cloudwatch: null } },
  { name: 'datadog-integration', path: '/svc/', created: 800, password: false, attached: ['ReadOnlyAccess'], tags: { owner: 'observability', vendor: 'datadog' }, keys: [{ age: 96, used: 0.01, service: 'cloudwatch', active: true }], services: { cloudwatch: 0.01, ec2: 0.01, logs: 0.5, s3: 200, dynamodb: null, lambda: 0.01, ecs: 0.2, ecr: null, iam: null, sns: null, sqs: 0.2 } },
  { name: 'monitoring-exporter', path: '/svc/', created: 300, password: false, attached: ['CloudWatchReadOnlyAccess'], tags: { owner: 'observability' }, keys: [{ age: 22, used: 0.02, service: 'cloudwatch', active: true }], services: { cloudwatch: 0.02, logs: 0.02 } },
  { name: 'sftp-upload', path: '/svc/', created: 330, password: false, inline: [{ name: 'sftp-bucket', document: doc({ Effect: 'Allow', Action: ['s3:PutObject', 's3:GetObject'], Resource: 'arn:aws:s3:::acme-sftp-drop/*' }) }], tags: { team: 'partner-ops' }, keys: [{ age: 301, used: 118, service: 's3', active: true }], services: { s3: 118 } },
  { name: 'old-migration-bot', path: '/svc/', created: 1300, password: false, attached: ['AmazonS3FullAccess'], tags: {}, keys: [{ age: 1290, used: 520, service: 's3', active: false }, { age: 610, used: null, active: true }], services: { s3: 520 } },
  { name: 'ops-automation', path: '/svc/', created: 500, password: false, inline: [{ name: 'everything-but-user-deletion', document: doc({ Sid: 'BroadOps', Effect: 'Allow', NotAction: ['iam:DeleteUser', 'iam:DeleteAccountPasswordPolicy'], Resource: '*' }) }], tags: { owner: 'sre' }, keys: [{ age: 60, used: 2, service: 'ec2', active: true }], services: { ec2: 2, iam: 30, s3: 2, ssm: 9 } },
  { name: 'reporting-etl', path: '/svc/', created: 150, password: false, attached: ['AmazonS3ReadOnlyAccess'], tags: { owner: 'data-team' }, keys: [{ age: 75, used: 0.5, service: 's3', active: true }], services: { s3: 0.5 } },
  { name: 'slack-notifier', path: '/svc/', created: 400, password: false, inline: [{ name: 'publish-alerts', document: doc({ Effect: 'Allow', Action: 'sns:Publish', Resource: `arn:aws:sns:us-east-1:${ACCOUNT}:alerts` }) }], tags: { owner: 'sre' }, keys: [{ age: 88, used: 0.1, service: 'sns', active: true }], services: { sns: 0.1 } },
  { name: 'github-actions-legacy', path: '/ci/', created: 1000, password: false, attached: ['acme-deploy'], tags: { owner: 'platform-team', note: 'replace with the gha-deploy OIDC role' }, keys: [{ age: 980, used: 12, service: 'ecs', active: true }], services: { ecs: 12, ecr: 12, iam: null } },
  // people
  { name: 'alice.admin', path: '/', created: 1700, password: true, pwUsed: 0.2, pwChanged: 60, mfa: true, groups: ['Admins'], tags: { owner: 'alice@acme.example' }, keys: [{ age: 250, used: 3, service: 'sts', active: true }], services: { sts: 3, s3: 3, iam: 5, ec2: 10 } },
  { name: 'bob.dev', path: '/', created: 800, password: true, pwUsed: 1, pwChanged: 30, mfa: true, groups: ['Developers'], boundary: 'acme-developer-boundary', tags: { owner: 'bob@acme.example' }, keys: [], services: { s3: 1, lambda: 1, dynamodb: 4, logs: 1, cloudwatch: 8, sqs: null } },
  { name: 'carol.sec', path: '/', created: 600, password: true, pwUsed: 2, pwChanged: 100, mfa: false, groups: ['Auditors'], tags: { team: 'security' }, keys: [{ age: 45, used: 2, service: 'iam', active: true }], services: { iam: 2, cloudtrail: 2, config: 20, ec2: 2, s3: 2 } },
  { name: 'dave.contractor', path: '/contractors/', created: 420, password: true, pwUsed: 190, pwChanged: 400, mfa: false, groups: ['Developers'], tags: {}, keys: [{ age: 410, used: 185, service: 's3', active: true }], services: { s3: 185, ec2: 190 } },
  { name: 'erin.data', path: '/', created: 300, password: true, pwUsed: 5, pwChanged: 80, mfa: true, groups: ['Auditors'], tags: { owner: 'erin@acme.example' }, keys: [], services: { s3: 5, dynamodb: 40 } },
];

// ------------------------------------------------------------------------------------------------ roles
const ghTrust = (sub, extra = {}) =>
  doc({
    Effect: 'Allow',
    Principal: { Federated: GH_OIDC },
    Action: 'sts:AssumeRoleWithWebIdentity',
    Condition: { StringEquals: { 'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com', ...(sub && !sub.includes('*') ? { 'token.actions.githubusercontent.com:sub': sub } : {}) }, ...(sub && sub.includes('*') ? { StringLike: { 'token.actions.githubusercontent.com:sub': sub } } : {}), ...extra },
  });
// the demo EKS cluster's service-account issuer (IRSA): examples/demo/kubernetes
const EKS_OIDC = `arn:aws:iam::${ACCOUNT}:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/A1B2C3D4E5F60718293A4B5C6D7E8F90`;
const eksTrust = (sub) =>
  doc({
    Effect: 'Allow',
    Principal: { Federated: EKS_OIDC },
    Action: 'sts:AssumeRoleWithWebIdentity',
    Condition: { StringEquals: { 'oidc.eks.eu-west-1.amazonaws.com/id/A1B2C3D4E5F60718293A4B5C6D7E8F90:aud': 'sts.amazonaws.com', 'oidc.eks.eu-west-1.amazonaws.com/id/A1B2C3D4E5F60718293A4B5C6D7E8F90:sub': sub } },
  });
const serviceTrust = (...services) => doc({ Effect: 'Allow', Principal: { Service: services.length === 1 ? services[0] : services }, Action: 'sts:AssumeRole' });
const accountTrust = (account, condition) => doc({ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${account}:root` }, Action: 'sts:AssumeRole', ...(condition ? { Condition: condition } : {}) });

const roles = [
  { name: 'gha-deploy', created: 400, trust: ghTrust(undefined), attached: ['AdministratorAccess'], tags: {}, lastUsed: 0.4, services: { ecs: 0.4, ecr: 0.4, s3: 0.4, cloudformation: 3, iam: 3, lambda: 30 } },
  { name: 'gha-terraform-plan', created: 380, trust: ghTrust('repo:acme/infrastructure:pull_request'), attached: ['ReadOnlyAccess'], tags: { owner: 'platform-team' }, lastUsed: 0.2, services: { s3: 0.2, ec2: 0.2, iam: 0.2, dynamodb: 0.2, lambda: 0.2, ecs: 0.2, ecr: 1, logs: 1, cloudwatch: 1, sns: 14, sqs: 14 } },
  { name: 'gha-release-publisher', created: 200, trust: ghTrust('repo:acme/*'), inline: [{ name: 'publish-artifacts', document: doc({ Effect: 'Allow', Action: ['s3:PutObject', 's3:GetObject'], Resource: 'arn:aws:s3:::acme-releases/*' }) }], tags: { owner: 'release-eng' }, lastUsed: 2, services: { s3: 2 } },
  { name: 'gha-docs-preview', created: 90, trust: ghTrust('repo:acme/docs:ref:refs/heads/main'), inline: [{ name: 'docs-bucket', document: doc({ Effect: 'Allow', Action: 's3:PutObject', Resource: 'arn:aws:s3:::acme-docs-preview/*' }) }], tags: { owner: 'docs-team' }, lastUsed: 4, services: { s3: 4 } },
  { name: 'vendor-audit-readonly', created: 700, trust: accountTrust('999988887777', { StringEquals: { 'sts:ExternalId': 'acme-audit-7f3c' } }), attached: ['SecurityAudit'], tags: { owner: 'security', vendor: 'cloud-auditor-inc' }, lastUsed: 6, services: { iam: 6, ec2: 6, s3: 6, cloudtrail: 6, config: 6, kms: 40 } },
  { name: 'partner-data-sync', created: 520, trust: accountTrust('444455556666'), attached: ['AmazonS3FullAccess'], tags: { team: 'partner-ops' }, lastUsed: 15, services: { s3: 15 } },
  { name: 'shared-services-deployer', created: 610, trust: accountTrust('210987654321'), attached: ['acme-deploy'], tags: { owner: 'platform-team' }, lastUsed: 1, services: { ecs: 1, ecr: 1 } },
  {
    name: 'public-assets-reader',
    created: 260,
    trust: doc({ Sid: 'AnyoneForPublicAssets', Effect: 'Allow', Principal: { AWS: '*' }, Action: 'sts:AssumeRole' }),
    attached: ['AmazonS3ReadOnlyAccess'],
    tags: { owner: 'web-team' },
    lastUsed: 9,
    services: { s3: 9 },
  },
  {
    name: 'org-wide-inventory',
    created: 330,
    trust: doc({ Effect: 'Allow', Principal: '*', Action: 'sts:AssumeRole', Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-a1b2c3d4e5' } } }),
    attached: ['ReadOnlyAccess'],
    tags: { owner: 'cloud-governance' },
    lastUsed: 1,
    services: { ec2: 1, s3: 1, iam: 1, lambda: 1, dynamodb: 1, ecs: 1, ecr: 1, cloudwatch: 1, logs: 1, sns: 1, sqs: 1 },
  },
  { name: 'break-glass-admin', created: 1400, trust: accountTrust(ACCOUNT, { Bool: { 'aws:MultiFactorAuthPresent': 'true' } }), attached: ['AdministratorAccess'], tags: { owner: 'security', purpose: 'break-glass' }, lastUsed: 210, services: { iam: 210, ec2: 210 } },
  { name: 'lambda-image-resize', created: 500, trust: serviceTrust('lambda.amazonaws.com'), attached: ['AWSLambdaBasicExecutionRole'], inline: [{ name: 'images', document: doc({ Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject', 'dynamodb:PutItem', 'dynamodb:GetItem', 'sqs:SendMessage'], Resource: '*' }) }], tags: { owner: 'media-team' }, lastUsed: 0.05, services: { logs: 0.05, s3: 0.05, dynamodb: null, sqs: null } },
  { name: 'lambda-report-generator', created: 450, trust: serviceTrust('lambda.amazonaws.com'), attached: ['AWSLambdaBasicExecutionRole', 'AmazonS3ReadOnlyAccess'], tags: { owner: 'data-team' }, lastUsed: 1, services: { logs: 1, s3: 1 } },
  { name: 'ecs-task-api', created: 600, trust: serviceTrust('ecs-tasks.amazonaws.com'), inline: [{ name: 'api-data', document: doc({ Effect: 'Allow', Action: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'sqs:SendMessage'], Resource: '*' }) }], tags: { owner: 'api-team' }, lastUsed: 0.01, services: { dynamodb: 0.01, sqs: 0.01 } },
  { name: 'ecs-task-execution', created: 600, trust: serviceTrust('ecs-tasks.amazonaws.com'), attached: ['AmazonECSTaskExecutionRolePolicy'], tags: { owner: 'platform-team' }, lastUsed: 0.01, services: { ecr: 0.01, logs: 0.01 } },
  { name: 'ec2-app-server', created: 900, path: '/app/', trust: serviceTrust('ec2.amazonaws.com'), attached: ['AmazonS3ReadOnlyAccess', 'CloudWatchReadOnlyAccess'], tags: { owner: 'api-team' }, lastUsed: 0.01, services: { s3: 0.01, cloudwatch: 0.01, logs: 0.01 } },
  { name: 'legacy-etl-role', created: 1200, trust: serviceTrust('ec2.amazonaws.com'), attached: ['AmazonS3FullAccess'], inline: [{ name: 'redshift-load', document: doc({ Effect: 'Allow', Action: ['redshift:*', 'glue:*'], Resource: '*' }) }], tags: {}, lastUsed: 305, services: { s3: 305, redshift: 305, glue: 500 } },
  { name: 'ml-experiment-2025', created: 75, trust: serviceTrust('sagemaker.amazonaws.com'), attached: ['AmazonS3FullAccess'], tags: { team: 'ml' }, lastUsed: null, services: { s3: null } },
  { name: 'step-functions-orchestrator', created: 350, trust: serviceTrust('states.amazonaws.com'), inline: [{ name: 'invoke', document: doc({ Effect: 'Allow', Action: ['lambda:InvokeFunction', 'sqs:SendMessage'], Resource: '*' }) }], tags: { owner: 'data-team' }, lastUsed: 0.5, services: { lambda: 0.5, sqs: 0.5 } },
  { name: 'cross-env-admin', created: 1000, trust: doc({ Effect: 'Allow', Principal: { AWS: [arn('user', 'ci-deploy-legacy', '/ci/'), arn('user', 'jenkins-builder', '/ci/')] }, Action: 'sts:AssumeRole' }), attached: ['AdministratorAccess'], tags: {}, lastUsed: 160, services: { ec2: 160, s3: 160, iam: 170 } },
  { name: 'AWSServiceRoleForSupport', path: '/aws-service-role/support.amazonaws.com/', created: 1800, trust: serviceTrust('support.amazonaws.com'), attached: ['AWSSupportServiceRolePolicy'], tags: {}, lastUsed: null, services: {} },
  { name: 'AWSServiceRoleForECS', path: '/aws-service-role/ecs.amazonaws.com/', created: 900, trust: serviceTrust('ecs.amazonaws.com'), inline: [], tags: {}, lastUsed: 0.01, services: {} },
  // IRSA: the payments API's pods in the demo EKS cluster (examples/demo/kubernetes) run as this role
  {
    name: 'eks-payments-api',
    created: 150,
    trust: eksTrust('system:serviceaccount:payments:api'),
    inline: [
      {
        name: 'payments-data',
        document: doc(
          { Effect: 'Allow', Action: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query'], Resource: `arn:aws:dynamodb:eu-west-1:${ACCOUNT}:table/payments*` },
          { Effect: 'Allow', Action: 'iam:PassRole', Resource: '*' },
          { Effect: 'Allow', Action: ['lambda:CreateFunction', 'lambda:InvokeFunction'], Resource: '*' },
        ),
      },
    ],
    tags: { owner: 'payments-team' },
    lastUsed: 0.1,
    services: { dynamodb: 0.1, lambda: 20, iam: null },
  },
];

// ------------------------------------------------------------------------------------------------ build authz.json
let counter = 1;
const policyUsage = new Map();
const attach = (names) =>
  (names ?? []).map((n) => {
    policyUsage.set(n, (policyUsage.get(n) ?? 0) + 1);
    return { PolicyName: P[n].name, PolicyArn: P[n].arn };
  });
const inlineList = (list) => (list ?? []).map((p) => ({ PolicyName: p.name, PolicyDocument: p.document }));

const UserDetailList = users.map((u) => ({
  Path: u.path,
  UserName: u.name,
  UserId: id('AIDA', counter++),
  Arn: arn('user', u.name, u.path),
  CreateDate: ago(u.created),
  UserPolicyList: inlineList(u.inline),
  GroupList: u.groups ?? [],
  AttachedManagedPolicies: attach(u.attached),
  ...(u.boundary ? { PermissionsBoundary: { PermissionsBoundaryType: 'Policy', PermissionsBoundaryArn: P[u.boundary].arn } } : {}),
  Tags: tags(u.tags),
}));
for (const u of users) if (u.boundary) policyUsage.set(`${u.boundary}#boundary`, 1);

const GroupDetailList = groups.map((g) => ({
  Path: '/',
  GroupName: g.name,
  GroupId: id('AGPA', counter++),
  Arn: arn('group', g.name),
  CreateDate: ago(g.created),
  GroupPolicyList: inlineList(g.inline),
  AttachedManagedPolicies: attach(g.attached),
}));

const RoleDetailList = roles.map((r) => ({
  Path: r.path ?? '/',
  RoleName: r.name,
  RoleId: id('AROA', counter++),
  Arn: arn('role', r.name, r.path ?? '/'),
  CreateDate: ago(r.created),
  AssumeRolePolicyDocument: r.trust,
  InstanceProfileList: [],
  RolePolicyList: inlineList(r.inline),
  AttachedManagedPolicies: attach(r.attached),
  Tags: tags(r.tags),
  RoleLastUsed: r.lastUsed === null ? {} : { LastUsedDate: ago(r.lastUsed), Region: 'us-east-1' },
}));

const Policies = managed.map((p, i) => ({
  PolicyName: p.name,
  PolicyId: id('ANPA', 100 + i),
  Arn: p.arn,
  Path: p.arn.includes(':aws:policy') ? p.arn.slice(p.arn.indexOf('policy') + 6, p.arn.lastIndexOf('/') + 1) : '/',
  DefaultVersionId: 'v1',
  AttachmentCount: policyUsage.get(p.name) ?? 0,
  PermissionsBoundaryUsageCount: policyUsage.get(`${p.name}#boundary`) ?? 0,
  IsAttachable: true,
  CreateDate: ago(2000),
  UpdateDate: ago(400),
  PolicyVersionList: [{ Document: p.document, VersionId: 'v1', IsDefaultVersion: true, CreateDate: ago(400) }],
}));

const authz = { UserDetailList, GroupDetailList, RoleDetailList, Policies };

// ------------------------------------------------------------------------------------------------ credential report
const COLUMNS = 'user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated';
const keyCols = (k) =>
  k
    ? [String(k.active), ago(k.age), k.used === null ? 'N/A' : ago(k.used), k.used === null ? 'N/A' : 'us-east-1', k.used === null ? 'N/A' : k.service]
    : ['false', 'N/A', 'N/A', 'N/A', 'N/A'];
const rows = [
  // root: MFA on, but an access key created years ago and still active
  ['<root_account>', `arn:aws:iam::${ACCOUNT}:root`, ago(2100), 'not_supported', ago(45), 'not_supported', 'not_supported', 'true', ...keyCols({ active: true, age: 2050, used: 38, service: 's3' }), ...keyCols(undefined), 'false', 'N/A', 'false', 'N/A'],
  ...users.map((u) => [
    u.name,
    arn('user', u.name, u.path),
    ago(u.created),
    String(u.password),
    u.password ? ago(u.pwUsed) : 'N/A',
    u.password ? ago(u.pwChanged) : 'N/A',
    'N/A',
    String(Boolean(u.mfa)),
    ...keyCols(u.keys[0]),
    ...keyCols(u.keys[1]),
    'false',
    'N/A',
    'false',
    'N/A',
  ]),
];
const csv = `${COLUMNS}\n${rows.map((r) => r.join(',')).join('\n')}\n`;

// ------------------------------------------------------------------------------------------------ last accessed
const SERVICE_NAMES = {
  s3: 'Amazon S3', ecs: 'Amazon Elastic Container Service', ecr: 'Amazon Elastic Container Registry', cloudformation: 'AWS CloudFormation',
  codebuild: 'AWS CodeBuild', iam: 'AWS Identity and Access Management', ec2: 'Amazon EC2', dynamodb: 'Amazon DynamoDB', lambda: 'AWS Lambda',
  sqs: 'Amazon SQS', sns: 'Amazon SNS', logs: 'Amazon CloudWatch Logs', cloudwatch: 'Amazon CloudWatch', ssm: 'AWS Systems Manager',
  sts: 'AWS Security Token Service', cloudtrail: 'AWS CloudTrail', config: 'AWS Config', kms: 'AWS Key Management Service',
  redshift: 'Amazon Redshift', glue: 'AWS Glue',
};
const entity = (entityArn, services) => ({
  JobStatus: 'COMPLETED',
  JobType: 'SERVICE_LEVEL',
  JobCreationDate: ago(0.02),
  JobCompletionDate: ago(0.01),
  IsTruncated: false,
  ServicesLastAccessed: Object.entries(services)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([ns, used]) => ({
      ServiceName: SERVICE_NAMES[ns] ?? ns,
      ServiceNamespace: ns,
      ...(used === null ? {} : { LastAuthenticated: ago(used), LastAuthenticatedEntity: entityArn, LastAuthenticatedRegion: 'us-east-1' }),
      TotalAuthenticatedEntities: used === null ? 0 : 1,
    })),
});
const entities = {};
for (const u of users) entities[arn('user', u.name, u.path)] = entity(arn('user', u.name, u.path), u.services);
for (const r of roles) if (Object.keys(r.services).length) entities[arn('role', r.name, r.path ?? '/')] = entity(arn('role', r.name, r.path ?? '/'), r.services);
const lastAccessed = { generatedAt: ago(0.01), entities };

const manifest = {
  name: 'acme-prod',
  accountId: ACCOUNT,
  capturedAt: CAPTURED_AT,
  description: 'A fictional production AWS account with a realistic mix of healthy and risky non-human identities.',
  files: { authz: 'authz.json', credentialReport: 'credential-report.csv', lastAccessed: 'last-accessed.json' },
  counts: { users: users.length, roles: roles.length, groups: groups.length, managedPolicies: managed.length },
};

const write = (name, body) => writeFileSync(path.join(here, name), body);
write('authz.json', `${JSON.stringify(authz, null, 2)}\n`);
write('credential-report.csv', csv);
write('last-accessed.json', `${JSON.stringify(lastAccessed, null, 2)}\n`);
write('manifest.json', `${JSON.stringify(manifest, null, 2)}\n`);
console.log(`wrote demo estate: ${users.length} users, ${roles.length} roles, ${groups.length} groups, ${managed.length} managed policies`);
