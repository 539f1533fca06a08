/**
 * The normalised identity model every connector emits and every rule reads.
 *
 * Conventions (see docs/model.md for the per-platform id table):
 * - Node ids are stable and global: `<platform>:<type>:<native id>`, e.g.
 *   `aws:iam-user:arn:aws:iam::123456789012:user/ci-bot`. The same real thing seen twice merges into one node.
 * - Dates are ISO-8601 strings in UTC (`2024-05-01T12:00:00.000Z`); `undefined` = unknown, `null` = known to be "never".
 * - Every fact carries provenance. Secret VALUES never enter a record: only names, ids, dates, scopes.
 * - Everything here is plain JSON (stored in SQLite as JSON, rendered by reports).
 */

export type Platform = 'aws' | 'gcp' | 'github' | 'gitlab' | 'workflows' | (string & {});

export interface Provenance {
  /** connector id, e.g. `aws` */
  connector: string;
  /** the API operation or file the fact came from, e.g. `iam:GetAccountAuthorizationDetails` or `file:authz.json` */
  source: string;
  /** when the connector observed it (ISO) */
  observedAt: string;
}

export type NodeKind = 'principal' | 'credential' | 'entitlement' | 'resource' | 'workload';

export type AccountType = 'human' | 'service' | 'system' | 'unknown';

export interface NodeBase {
  id: string;
  kind: NodeKind;
  platform: Platform;
  /** platform type: `iam-user`, `iam-role`, `iam-group`, `root`, `access-key`, `managed-policy`, `account`, ... */
  type: string;
  /** short human-readable name (user name, role name, key id) */
  name: string;
  /** the platform's own identifier (ARN, email, numeric id) */
  externalId?: string;
  /** the account / project / org the node lives in (AWS account id, GCP project, GitHub org) */
  scope?: string;
  tags?: Record<string, string>;
  /** platform-specific metadata, JSON-serialisable; never secret values */
  attributes?: Record<string, unknown>;
  provenance: Provenance[];
}

export interface PrincipalNode extends NodeBase {
  kind: 'principal';
  accountType: AccountType;
  createdAt?: string;
  disabled?: boolean;
}

export type CredentialType =
  | 'access-key'
  | 'password'
  | 'certificate'
  | 'ssh-key'
  | 'token'
  | 'secret'
  | 'service-account-key'
  | (string & {});

export interface CredentialNode extends NodeBase {
  kind: 'credential';
  credentialType: CredentialType;
  createdAt?: string;
  lastRotatedAt?: string;
  /** null = the platform says it was never used; undefined = unknown */
  lastUsedAt?: string | null;
  expiresAt?: string | null;
  active: boolean;
}

export interface EntitlementNode extends NodeBase {
  kind: 'entitlement';
  /** `managed-policy`, `inline-policy`, `role-binding`, `app-permissions`, ... */
  entitlementType: string;
  /** the policy document as the platform defines it, already decoded to a JSON object (not URL-encoded) */
  document?: unknown;
  /** who maintains it: the platform (`aws` managed policy) or the customer */
  managedBy?: 'platform' | 'customer';
}

export interface ResourceNode extends NodeBase {
  kind: 'resource';
}

export interface WorkloadNode extends NodeBase {
  kind: 'workload';
}

export type IdentityNode = PrincipalNode | CredentialNode | EntitlementNode | ResourceNode | WorkloadNode;

export type EdgeType =
  | 'HAS_CREDENTIAL' // principal -> credential
  | 'GRANTED' // principal -> entitlement (attributes.via: attached | inline | boundary)
  | 'MEMBER_OF' // principal -> group principal
  | 'CAN_ASSUME' // trusted principal -> role (attributes: statement index/sid, conditions)
  | 'OWNED_BY' // node -> owner resource (derived from owner tags)
  | 'USES_SECRET' // workload -> credential
  | 'FEDERATES_TO' // workload / identity provider -> cloud principal
  | 'IN_SCOPE' // node -> account / project resource
  | 'CAN_ACCESS' // credential / installation -> repository, project, org it can act on (attributes.access / permissions)
  | (string & {});

export interface IdentityEdge {
  type: EdgeType;
  from: string;
  to: string;
  attributes?: Record<string, unknown>;
  provenance: Provenance[];
}

export interface UsageFact {
  /** the node the usage is about (principal or credential) */
  nodeId: string;
  /** what was used: the whole identity (`any`), one service (`s3`), or one action (`s3:GetObject`) */
  scope: { kind: 'any' | 'service' | 'action'; name?: string };
  /** null = not used within the observation window */
  lastUsedAt: string | null;
  /** the period the platform tracks: usage older than `start` is invisible */
  window?: { start?: string; end: string; days?: number };
  attributes?: Record<string, unknown>;
  provenance: Provenance;
}

export type CoverageReason =
  | 'permission-denied'
  | 'api-disabled'
  | 'throttled'
  | 'not-found'
  | 'unsupported'
  | 'unavailable'
  | 'invalid-input'
  | 'timeout'
  | 'error';

export interface CoverageNote {
  connector: string;
  /** the API operation / file that could not be read */
  source: string;
  /** which account / project / org it concerns, if any */
  scope?: string;
  reason: CoverageReason;
  /** one line, no stack trace */
  message: string;
  /** what the report is missing because of it */
  impact: string;
  /** true when data is missing from the scan (makes the scan exit 3); false for informational notes */
  incomplete: boolean;
}

/**
 * What a connector run actually scanned, identified by the platform (not by a flag or a file name), so drift only
 * ever compares a snapshot with an earlier snapshot of the same accounts / projects / organisations.
 *
 * `id` is the canonical key: `<platform>:<kind>:<native id>`, lower-case host where one is part of it:
 * - `aws:account:123456789012` (STS GetCallerIdentity, or the account id in the export's ARNs)
 * - `gcp:project:acme-prod` (project id; an organization scan emits one target per project it scanned)
 * - `github:org:github.com/acme`, `github:repo:github.com/acme/app` (host of the API / the origin remote)
 * - `gitlab:group:gitlab.com/acme`
 * - `workflows:path:<absolute path>` only when a checkout has no origin remote and no --repo
 */
export interface ScanTarget {
  id: string;
  platform: Platform;
  /** `account`, `project`, `organization`, `org`, `group`, `repository`, `path` */
  kind: string;
  /** for people: `123456789012`, `acme-prod`, `acme`, `acme/app` (untrusted text: sanitise before printing) */
  name: string;
}

export type GraphRecord =
  | { type: 'node'; node: IdentityNode }
  | { type: 'edge'; edge: IdentityEdge }
  | { type: 'usage'; usage: UsageFact }
  | { type: 'coverage'; coverage: CoverageNote }
  /** what this run scans; the engine collects these into ConnectorRun.targets (they are not graph facts) */
  | { type: 'target'; target: ScanTarget };

// ---------------------------------------------------------------------------------------------------------------
// Findings

export type Severity = 'critical' | 'high' | 'medium' | 'low' | 'info';
export const SEVERITIES: readonly Severity[] = ['critical', 'high', 'medium', 'low', 'info'] as const;
export const SEVERITY_RANK: Record<Severity, number> = { critical: 4, high: 3, medium: 2, low: 1, info: 0 };

export type Confidence = 'high' | 'medium' | 'low';

export interface Evidence {
  /** one sentence a human can check, e.g. "Statement 0 of policy AdministratorAccess allows * on *" */
  description: string;
  /** the provenance of the fact the evidence rests on */
  source?: Provenance;
  /** machine-readable details (statement, dates, ids) */
  data?: Record<string, unknown>;
}

export interface SourceLocation {
  /** a repository-relative path (workflow files, IaC) */
  uri: string;
  startLine?: number;
  startColumn?: number;
  endLine?: number;
  endColumn?: number;
}

export interface Finding {
  ruleId: string;
  severity: Severity;
  confidence: Confidence;
  /** the node the finding is about */
  nodeId: string;
  /** one line: what is wrong, with the identity's name */
  message: string;
  evidence: Evidence[];
  /**
   * distinguishes several findings of one rule on one node (e.g. the access key id, the statement index);
   * part of the fingerprint, so it must be stable across scans of the same estate
   */
  discriminator?: string;
  /** stable hash of ruleId + nodeId + discriminator (set by the rule runner) */
  fingerprint: string;
  /** node ids of a delegation path, first = entry point, last = power reached */
  path?: string[];
  /** a real file location, when one declares the subject (workflow files) */
  location?: SourceLocation;
}

/**
 * A reference to the Entra application whose client id (appId) is `clientId`, for a connector that knows only that id
 * (a workflow's azure/login, an AKS workload identity annotation): the target of its FEDERATES_TO edge. The paths
 * engine resolves it to the application the entra connector mapped (`entra:application:<tenant>/<object id>`, whose
 * externalId is the appId); without an Entra scan it stays a reference.
 */
export const ENTRA_APP_REF_PREFIX = 'entra:app-id:';
export function entraAppRef(clientId: string): string {
  return `${ENTRA_APP_REF_PREFIX}${clientId.toLowerCase()}`;
}
