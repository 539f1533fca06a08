/**
 * The AWS IAM connector. Live: reads one account through @aws-sdk/client-iam. Offline: reads the exports the AWS CLI
 * prints. Both paths feed the same mapping layer (map.ts).
 */
import type { Connector, ConnectorDescription, ScanContext } from '../../src/engine/types.js';
import type { CoverageNote, GraphRecord } from '../../src/model/types.js';
import { checkCredentials, scanLive } from './live.js';
import { accountScanTarget, CONNECTOR_ID, mapAws, scannedAccount } from './map.js';
import { offlineNotes, offlineSources, readOffline } from './offline.js';
import { readOrganizationFolder, scanOrganizationOffline } from './org-offline.js';
import { awsOptionsSchema, isOffline, resolveOptions } from './options.js';

export const REQUIRED_PERMISSIONS = [
  'iam:GetAccountAuthorizationDetails',
  'iam:GenerateCredentialReport',
  'iam:GetCredentialReport',
  'iam:ListAccessKeys',
  'iam:GetAccessKeyLastUsed',
];

export const OPTIONAL_PERMISSIONS = [
  {
    permission: 'iam:GenerateServiceLastAccessedDetails',
    unlocks: 'per-service last access of users, roles and groups (unused-service checks); skip with --no-last-accessed',
  },
  { permission: 'iam:GetServiceLastAccessedDetails', unlocks: 'reads the results of the service last-accessed jobs' },
  { permission: 'sts:AssumeRole', unlocks: 'only with --role-arn: assume the audit role first; with --aws-organization: the member role of each account' },
  {
    permission: 'organizations:DescribeOrganization, organizations:List*, organizations:DescribePolicy',
    unlocks: 'only with --aws-organization (management or delegated administrator account): the accounts, OUs, SCPs and RCPs',
  },
];

/** A least-privilege identity policy for a live scan. */
export const PERMISSIONS_DOCUMENT = {
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'NhiDriftReadIam',
      Effect: 'Allow',
      Action: [...REQUIRED_PERMISSIONS, 'iam:GenerateServiceLastAccessedDetails', 'iam:GetServiceLastAccessedDetails'],
      Resource: '*',
    },
  ],
};

function describe(): ConnectorDescription {
  return {
    title: 'AWS IAM',
    requiredPermissions: REQUIRED_PERMISSIONS,
    optionalPermissions: OPTIONAL_PERMISSIONS,
    permissionsDocument: PERMISSIONS_DOCUMENT,
    options: awsOptionsSchema,
  };
}

async function validate(ctx: ScanContext): Promise<void> {
  const o = resolveOptions(ctx.options);
  if (o.fromDir) {
    // organization.json is checked before anything runs (a bad one is a usage error); account folders are read in the scan
    readOrganizationFolder(o.fromDir);
    return;
  }
  if (isOffline(o)) {
    readOffline(o);
    return;
  }
  await checkCredentials(o);
}

async function* scan(ctx: ScanContext): AsyncGenerator<GraphRecord> {
  const o = resolveOptions(ctx.options);
  if (o.fromDir) {
    yield* scanOrganizationOffline(ctx, o.fromDir);
    return;
  }
  if (!isOffline(o)) {
    // the Organizations and STS clients load only for an organisation scan
    yield* o.organization ? (await import('./org-live.js')).scanOrganizationLive(ctx, o) : scanLive(ctx, o);
    return;
  }
  ctx.progress('reading export files');
  const inputs = readOffline(o);
  ctx.progress('mapping');
  const records = mapAws(inputs, { now: ctx.now, sources: offlineSources(o) });
  // the account of the export (the one most of its ARNs name) is what this run scanned
  const account = scannedAccount(records);
  if (account) yield { type: 'target', target: accountScanTarget(account) };
  for (const r of records) yield r;
  for (const n of inputs.notes) yield { type: 'coverage', coverage: account && !n.scope ? { ...n, scope: account } : n };
  for (const n of offlineNotes(o)) yield { type: 'coverage', coverage: n };
}

export const awsConnector: Connector = {
  id: CONNECTOR_ID,
  describe,
  validate,
  scan,
};

export { accountScanTarget, mapAws, scannedAccount } from './map.js';
export type { AwsData, MapSources, AuthzDetails, CredentialReportRow, LastAccessedData, LiveAccessKey } from './map.js';
export { awsOptionsSchema, type AwsOptions } from './options.js';
