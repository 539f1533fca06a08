import type { FakeEstate } from '../fakes/aws-iam/estate.js';

export const ACCOUNT = '123456789012';
export const OIDC = `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`;
export const SAML = `arn:aws:iam::${ACCOUNT}:saml-provider/Okta`;
export const ADMIN = 'arn:aws:iam::aws:policy/AdministratorAccess';
export const APP_POLICY = `arn:aws:iam::${ACCOUNT}:policy/app-data`;
export const BOUNDARY = `arn:aws:iam::${ACCOUNT}:policy/boundary`;
export const FOREIGN_ROLE = 'arn:aws:iam::444455556666:role/ci-runner';
/** a string shaped like a secret access key, planted in the fake estate only */
export const PLANTED_SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';

/** A small hand-made estate covering every trust-policy form and credential shape the mapper handles. */
export function smallEstate(): FakeEstate {
  const doc = (Statement: unknown[]) => ({ Version: '2012-10-17', Statement });
  return {
    accountId: ACCOUNT,
    generatedAt: '2026-05-31T12:00:00.000Z',
    policies: [
      { arn: ADMIN, name: 'AdministratorAccess', id: 'ANPAADMIN', document: doc([{ Effect: 'Allow', Action: '*', Resource: '*' }]), createDate: '2015-02-06T18:39:46Z', updateDate: '2015-02-06T18:39:46Z' },
      {
        arn: APP_POLICY,
        name: 'app-data',
        id: 'ANPAAPP',
        document: doc([{ Sid: 'Data', Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject'], Resource: 'arn:aws:s3:::app-data/* with spaces & symbols +%' }]),
        createDate: '2022-01-01T00:00:00Z',
        updateDate: '2024-01-01T00:00:00Z',
        defaultVersionId: 'v3',
        description: 'app data',
      },
      { arn: BOUNDARY, name: 'boundary', id: 'ANPABOUND', document: doc([{ Effect: 'Allow', NotAction: 'iam:*', Resource: '*' }]), createDate: '2022-01-01T00:00:00Z', updateDate: '2022-01-01T00:00:00Z' },
    ],
    groups: [{ name: 'admins', path: '/', id: 'AGPAADMINS', createDate: '2020-01-01T00:00:00Z', attached: [ADMIN], inline: [] }],
    users: [
      {
        name: 'deployer',
        path: '/ci/',
        id: 'AIDADEPLOYER',
        createDate: '2021-03-04T05:06:07Z',
        groups: [],
        attached: [APP_POLICY],
        inline: [{ name: 'queue', document: doc([{ Effect: 'Allow', Action: 'sqs:*', Resource: '*' }]) }],
        boundary: BOUNDARY,
        tags: { owner: 'platform' },
        keys: [
          { id: 'AKIAOLDKEY0000000001', secret: PLANTED_SECRET, status: 'Inactive', createDate: '2023-01-10T10:00:00Z', lastUsed: { date: '2024-02-01T00:00:00Z', service: 's3', region: 'eu-west-1' } },
          { id: 'AKIANEWKEY0000000002', secret: 'b'.repeat(40), status: 'Active', createDate: '2026-04-01T09:30:00Z' },
        ],
      },
      {
        name: 'alice',
        id: 'AIDAALICE',
        createDate: '2020-06-01T00:00:00Z',
        groups: ['admins'],
        attached: [],
        inline: [],
        keys: [],
        password: { lastChanged: '2026-01-01T00:00:00Z', lastUsed: '2026-05-30T08:00:00Z' },
        mfa: true,
        certificates: [{ active: true, rotated: '2025-01-01T00:00:00Z' }],
      },
    ],
    roles: [
      {
        name: 'gha-deploy',
        id: 'AROAGHA',
        createDate: '2024-01-01T00:00:00Z',
        trust: doc([
          {
            Sid: 'GitHub',
            Effect: 'Allow',
            Principal: { Federated: OIDC },
            Action: 'sts:AssumeRoleWithWebIdentity',
            Condition: { StringEquals: { 'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com' }, StringLike: { 'token.actions.githubusercontent.com:sub': 'repo:acme/app:ref:refs/heads/main' } },
          },
        ]),
        attached: [APP_POLICY],
        inline: [],
        lastUsed: { date: '2026-05-20T00:00:00Z', region: 'us-east-1' },
      },
      {
        name: 'partner',
        id: 'AROAPARTNER',
        createDate: '2024-01-01T00:00:00Z',
        trust: doc([
          { Effect: 'Allow', Principal: { AWS: ['999988887777', 'arn:aws:iam::555566667777:root'] }, Action: ['sts:AssumeRole'], Condition: { StringEquals: { 'sts:ExternalId': 'x1' } } },
          { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'sts:*' },
        ]),
        attached: [],
        inline: [],
      },
      {
        name: 'lambda-exec',
        path: '/service/',
        id: 'AROALAMBDA',
        createDate: '2024-01-01T00:00:00Z',
        trust: doc([{ Effect: 'Allow', Principal: { Service: ['lambda.amazonaws.com', 'edgelambda.amazonaws.com'] }, Action: 'sts:AssumeRole' }]),
        attached: [],
        inline: [],
        tags: { team: 'edge' },
        lastUsed: { date: '2026-05-01T00:00:00Z', region: 'eu-west-1' },
      },
      { name: 'public', id: 'AROAPUBLIC', createDate: '2024-01-01T00:00:00Z', trust: doc([{ Effect: 'Allow', Principal: '*', Action: 'sts:AssumeRole' }]), attached: [ADMIN], inline: [] },
      { name: 'any-aws', id: 'AROAANYAWS', createDate: '2024-01-01T00:00:00Z', trust: doc([{ Effect: 'Allow', Principal: { AWS: '*' }, Action: '*' }]), attached: [], inline: [] },
      {
        name: 'internal',
        id: 'AROAINTERNAL',
        createDate: '2024-01-01T00:00:00Z',
        trust: doc([{ Effect: 'Allow', Principal: { AWS: [`arn:aws:iam::${ACCOUNT}:user/ci/deployer`, FOREIGN_ROLE] }, Action: 'sts:AssumeRole' }]),
        attached: [ADMIN],
        inline: [],
      },
      {
        name: 'saml-admin',
        id: 'AROASAML',
        createDate: '2024-01-01T00:00:00Z',
        trust: doc([{ Effect: 'Allow', Principal: { Federated: SAML }, Action: 'sts:AssumeRoleWithSAML', Condition: { StringEquals: { 'SAML:aud': 'https://signin.aws.amazon.com/saml' } } }]),
        attached: [],
        inline: [],
      },
      {
        name: 'no-assume',
        id: 'AROANOASSUME',
        createDate: '2024-01-01T00:00:00Z',
        trust: doc([
          { Effect: 'Deny', Principal: '*', Action: 'sts:AssumeRole' },
          { Effect: 'Allow', Principal: { AWS: '777788889999' }, Action: 'sts:TagSession' },
        ]),
        attached: [],
        inline: [],
      },
      {
        name: 'AWSServiceRoleForSupport',
        path: '/aws-service-role/support.amazonaws.com/',
        id: 'AROASUPPORT',
        createDate: '2019-01-01T00:00:00Z',
        trust: doc([{ Effect: 'Allow', Principal: { Service: 'support.amazonaws.com' }, Action: 'sts:AssumeRole' }]),
        attached: [],
        inline: [],
      },
    ],
    root: { createDate: '2018-01-01T00:00:00Z', mfa: true, passwordLastUsed: '2026-03-03T00:00:00Z', keys: [{ active: true, rotated: '2019-01-01T00:00:00Z' }] },
    lastAccessed: {
      [`arn:aws:iam::${ACCOUNT}:user/ci/deployer`]: [
        { namespace: 's3', name: 'Amazon S3', lastAuthenticated: '2026-05-30T00:00:00Z', region: 'eu-west-1', total: 1 },
        { namespace: 'sqs', name: 'Amazon SQS', total: 0 },
      ],
      [`arn:aws:iam::${ACCOUNT}:role/gha-deploy`]: [{ namespace: 's3', name: 'Amazon S3', lastAuthenticated: '2026-05-20T00:00:00Z', total: 1 }],
    },
  };
}

/** Users that hold at least one access key (the ones a live scan lists keys for, given a credential report). */
export function usersWithKeys(e: FakeEstate): number {
  return e.users.filter((u) => u.keys.length > 0).length;
}

/**
 * smallEstate with the deployer's two keys created in the same second: the credential report cannot tell which key
 * is in which slot, so their last use must be read with GetAccessKeyLastUsed.
 */
export function ambiguousKeysEstate(): FakeEstate {
  const e = smallEstate();
  const deployer = e.users.find((u) => u.name === 'deployer')!;
  for (const k of deployer.keys) k.createDate = '2023-01-10T10:00:00Z';
  return e;
}
