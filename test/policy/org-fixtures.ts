/**
 * Small AWS Organizations exports for the SCP / RCP tests: a root, an OU `prod` holding the test account
 * (builders.ts ACCOUNT), a second member account in the same OU and the management account at the root.
 */
import { mapOrganization, type OrganizationExport } from '../../connectors/aws/organization.js';
import type { IdentityGraph } from '../../src/graph/graph.js';
import type { CoverageNote } from '../../src/model/types.js';
import { ACCOUNT, NOW } from '../rules/builders.js';

export const ORG_ID = 'o-abcde12345';
export const ROOT_ID = 'r-ab12';
export const OU_PROD = 'ou-ab12-11111111';
export const MANAGEMENT = '111111111111';
export const MEMBER_B = '222222222222';

export type Doc = { Version: string; Statement: unknown[] };
export const doc = (...Statement: unknown[]): Doc => ({ Version: '2012-10-17', Statement });
export const FULL_ACCESS = doc({ Effect: 'Allow', Action: '*', Resource: '*' });

export interface PolicySpec {
  id: string;
  name: string;
  type?: 'SERVICE_CONTROL_POLICY' | 'RESOURCE_CONTROL_POLICY';
  /** a document, or raw Content text */
  content: Doc | string;
  targets: string[];
}

/** FullAWSAccess at every level (as AWS attaches it) plus the given policies. */
export function orgExport(policies: PolicySpec[], opts: { fullAccessAt?: string[]; accounts?: Array<{ Id: string; ParentId?: string }> } = {}): OrganizationExport {
  const accounts = opts.accounts ?? [
    { Id: MANAGEMENT, ParentId: ROOT_ID },
    { Id: ACCOUNT, ParentId: OU_PROD },
    { Id: MEMBER_B, ParentId: OU_PROD },
  ];
  const fullAt = opts.fullAccessAt ?? [ROOT_ID, OU_PROD, ...accounts.map((a) => a.Id)];
  const all: PolicySpec[] = [{ id: 'p-FullAWSAccess', name: 'FullAWSAccess', content: FULL_ACCESS, targets: fullAt }, ...policies];
  return {
    Organization: { Id: ORG_ID, MasterAccountId: MANAGEMENT, FeatureSet: 'ALL' },
    Roots: [{ Id: ROOT_ID, Name: 'Root', PolicyTypes: [{ Type: 'SERVICE_CONTROL_POLICY', Status: 'ENABLED' }, { Type: 'RESOURCE_CONTROL_POLICY', Status: 'ENABLED' }] }],
    OrganizationalUnits: [{ Id: OU_PROD, Name: 'prod', ParentId: ROOT_ID }],
    Accounts: accounts.map((a) => ({ ...a, Name: `acct-${a.Id}`, State: 'ACTIVE' })),
    Policies: all.map((p) => ({
      PolicySummary: { Id: p.id, Name: p.name, Type: p.type ?? 'SERVICE_CONTROL_POLICY', AwsManaged: p.id === 'p-FullAWSAccess' },
      Content: typeof p.content === 'string' ? p.content : JSON.stringify(p.content),
      Targets: p.targets.map((t) => ({ TargetId: t, Type: t.startsWith('r-') ? 'ROOT' : t.startsWith('ou-') ? 'ORGANIZATIONAL_UNIT' : 'ACCOUNT' })),
    })),
  };
}

/** Map an export into the graph; returns its notes. */
export function addOrganization(graph: IdentityGraph, org: OrganizationExport, scannedAccounts: string[] = [ACCOUNT]): CoverageNote[] {
  const { records, notes } = mapOrganization(org, { now: NOW, source: 'file:organization.json', scannedAccounts });
  for (const r of records) graph.add(r);
  return notes;
}
