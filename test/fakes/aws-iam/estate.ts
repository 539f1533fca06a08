/**
 * The fake IAM estate: a plain object describing one AWS account, plus converters to the exports the AWS CLI
 * prints (authorization details JSON, credential report CSV, last-accessed JSON). The fake server serves the same
 * estate over the AWS Query protocol, so offline and live scans of one estate can be compared.
 */

export type PolicyDoc = Record<string, unknown>;

export interface FakeInlinePolicy {
  name: string;
  document: PolicyDoc;
}

export interface FakeKey {
  id: string;
  /** the fake secret access key: the real API never returns it from these calls; tests assert it never leaks */
  secret: string;
  status: 'Active' | 'Inactive';
  createDate: string;
  /** undefined = never used */
  lastUsed?: { date: string; service: string; region: string };
}

export interface FakeUser {
  name: string;
  path?: string;
  id: string;
  createDate: string;
  groups: string[];
  /** managed policy ARNs */
  attached: string[];
  inline: FakeInlinePolicy[];
  boundary?: string;
  tags?: Record<string, string>;
  keys: FakeKey[];
  /** console password: present = enabled */
  password?: { lastChanged: string; lastUsed?: string };
  mfa?: boolean;
  certificates?: Array<{ active: boolean; rotated: string }>;
}

export interface FakeRole {
  name: string;
  path?: string;
  id: string;
  createDate: string;
  trust: PolicyDoc;
  attached: string[];
  inline: FakeInlinePolicy[];
  boundary?: string;
  tags?: Record<string, string>;
  /** undefined = not used in the tracking window */
  lastUsed?: { date: string; region: string };
  instanceProfiles?: string[];
}

export interface FakeGroup {
  name: string;
  path?: string;
  id: string;
  createDate: string;
  attached: string[];
  inline: FakeInlinePolicy[];
}

export interface FakeManagedPolicy {
  arn: string;
  name: string;
  id: string;
  path?: string;
  document: PolicyDoc;
  createDate: string;
  updateDate: string;
  defaultVersionId?: string;
  description?: string;
}

export interface FakeServiceAccess {
  /** namespace, e.g. `s3` */
  namespace: string;
  /** display name, e.g. `Amazon S3` */
  name: string;
  /** undefined = not accessed in the tracking window */
  lastAuthenticated?: string;
  entity?: string;
  region?: string;
  total: number;
}

export interface FakeRoot {
  createDate: string;
  mfa: boolean;
  passwordLastUsed?: string;
  keys?: Array<{ active: boolean; rotated: string; lastUsed?: string }>;
}

export interface FakeEstate {
  accountId: string;
  users: FakeUser[];
  roles: FakeRole[];
  groups: FakeGroup[];
  policies: FakeManagedPolicy[];
  root?: FakeRoot;
  /** per principal ARN */
  lastAccessed: Record<string, FakeServiceAccess[]>;
  /** when the credential report / last-accessed data are said to be generated */
  generatedAt: string;
}

export function userArn(e: FakeEstate, u: FakeUser): string {
  return `arn:aws:iam::${e.accountId}:user${u.path ?? '/'}${u.name}`;
}
export function roleArn(e: FakeEstate, r: FakeRole): string {
  return `arn:aws:iam::${e.accountId}:role${r.path ?? '/'}${r.name}`;
}
export function groupArn(e: FakeEstate, g: FakeGroup): string {
  return `arn:aws:iam::${e.accountId}:group${g.path ?? '/'}${g.name}`;
}

export function policyName(arn: string): string {
  return arn.slice(arn.lastIndexOf('/') + 1);
}

/** Keys in slot order (= creation order), as the credential report lists them. */
export function keysInSlotOrder(keys: FakeKey[]): FakeKey[] {
  return [...keys].sort((a, b) => a.createDate.localeCompare(b.createDate) || a.id.localeCompare(b.id));
}

export function attachmentCounts(e: FakeEstate): Map<string, number> {
  const counts = new Map<string, number>();
  const add = (arns: string[]) => {
    for (const a of arns) counts.set(a, (counts.get(a) ?? 0) + 1);
  };
  for (const u of e.users) add(u.attached);
  for (const r of e.roles) add(r.attached);
  for (const g of e.groups) add(g.attached);
  return counts;
}

export interface AuthzJsonOptions {
  /** `iso` (default): `2024-05-01T12:00:00Z`; `boto`: `2024-05-01 12:00:00+00:00` as older exports carry */
  dateStyle?: 'iso' | 'boto';
  /** put policy documents in as URL-encoded JSON strings (the API's wire form) instead of objects */
  encodeDocuments?: boolean;
}

function fmtDate(iso: string, style: 'iso' | 'boto'): string {
  const d = new Date(iso).toISOString();
  return style === 'boto' ? `${d.slice(0, 10)} ${d.slice(11, 19)}+00:00` : `${d.slice(0, 19)}Z`;
}

export function encodeDocument(doc: PolicyDoc): string {
  return encodeURIComponent(JSON.stringify(doc));
}

/** The estate as `aws iam get-account-authorization-details --output json` prints it. */
export function estateToAuthzJson(e: FakeEstate, opts: AuthzJsonOptions = {}): Record<string, unknown[]> {
  const style = opts.dateStyle ?? 'iso';
  const d = (iso: string) => fmtDate(iso, style);
  const doc = (x: PolicyDoc) => (opts.encodeDocuments ? encodeDocument(x) : x);
  const inline = (list: FakeInlinePolicy[]) => list.map((p) => ({ PolicyName: p.name, PolicyDocument: doc(p.document) }));
  const attached = (list: string[]) => list.map((arn) => ({ PolicyName: policyName(arn), PolicyArn: arn }));
  const tags = (t: Record<string, string> | undefined) => Object.entries(t ?? {}).map(([Key, Value]) => ({ Key, Value }));
  const boundary = (arn: string | undefined) => (arn ? { PermissionsBoundary: { PermissionsBoundaryType: 'Policy', PermissionsBoundaryArn: arn } } : {});
  const counts = attachmentCounts(e);
  return {
    UserDetailList: e.users.map((u) => ({
      Path: u.path ?? '/',
      UserName: u.name,
      UserId: u.id,
      Arn: userArn(e, u),
      CreateDate: d(u.createDate),
      UserPolicyList: inline(u.inline),
      GroupList: [...u.groups],
      AttachedManagedPolicies: attached(u.attached),
      ...boundary(u.boundary),
      Tags: tags(u.tags),
    })),
    GroupDetailList: e.groups.map((g) => ({
      Path: g.path ?? '/',
      GroupName: g.name,
      GroupId: g.id,
      Arn: groupArn(e, g),
      CreateDate: d(g.createDate),
      GroupPolicyList: inline(g.inline),
      AttachedManagedPolicies: attached(g.attached),
    })),
    RoleDetailList: e.roles.map((r) => ({
      Path: r.path ?? '/',
      RoleName: r.name,
      RoleId: r.id,
      Arn: roleArn(e, r),
      CreateDate: d(r.createDate),
      AssumeRolePolicyDocument: doc(r.trust),
      InstanceProfileList: (r.instanceProfiles ?? []).map((name) => ({ InstanceProfileName: name, Path: '/', Arn: `arn:aws:iam::${e.accountId}:instance-profile/${name}` })),
      RolePolicyList: inline(r.inline),
      AttachedManagedPolicies: attached(r.attached),
      ...boundary(r.boundary),
      Tags: tags(r.tags),
      RoleLastUsed: r.lastUsed ? { LastUsedDate: d(r.lastUsed.date), Region: r.lastUsed.region } : {},
    })),
    Policies: e.policies.map((p) => ({
      PolicyName: p.name,
      PolicyId: p.id,
      Arn: p.arn,
      Path: p.path ?? '/',
      DefaultVersionId: p.defaultVersionId ?? 'v1',
      AttachmentCount: counts.get(p.arn) ?? 0,
      PermissionsBoundaryUsageCount: 0,
      IsAttachable: true,
      ...(p.description ? { Description: p.description } : {}),
      CreateDate: d(p.createDate),
      UpdateDate: d(p.updateDate),
      PolicyVersionList: [{ Document: doc(p.document), VersionId: p.defaultVersionId ?? 'v1', IsDefaultVersion: true, CreateDate: d(p.updateDate) }],
    })),
  };
}

export const CREDENTIAL_REPORT_COLUMNS = [
  'user',
  'arn',
  'user_creation_time',
  'password_enabled',
  'password_last_used',
  'password_last_changed',
  'password_next_rotation',
  'mfa_active',
  'access_key_1_active',
  'access_key_1_last_rotated',
  'access_key_1_last_used_date',
  'access_key_1_last_used_region',
  'access_key_1_last_used_service',
  'access_key_2_active',
  'access_key_2_last_rotated',
  'access_key_2_last_used_date',
  'access_key_2_last_used_region',
  'access_key_2_last_used_service',
  'cert_1_active',
  'cert_1_last_rotated',
  'cert_2_active',
  'cert_2_last_rotated',
] as const;

/** The report's own date form: `2024-05-01T12:00:00+00:00` */
function reportDate(iso: string | undefined): string {
  return iso ? `${new Date(iso).toISOString().slice(0, 19)}+00:00` : 'N/A';
}

/** The decoded credential report CSV of the estate (root first, then users). */
export function estateToCredentialReportCsv(e: FakeEstate): string {
  const lines: string[] = [CREDENTIAL_REPORT_COLUMNS.join(',')];
  if (e.root) {
    const r = e.root;
    const keys = r.keys ?? [];
    const k = (n: number) => {
      const key = keys[n];
      return key ? [String(key.active), reportDate(key.rotated), reportDate(key.lastUsed), key.lastUsed ? 'us-east-1' : 'N/A', key.lastUsed ? 'iam' : 'N/A'] : ['false', 'N/A', 'N/A', 'N/A', 'N/A'];
    };
    lines.push(
      ['<root_account>', `arn:aws:iam::${e.accountId}:root`, reportDate(r.createDate), 'not_supported', reportDate(r.passwordLastUsed), 'not_supported', 'not_supported', String(r.mfa), ...k(0), ...k(1), 'false', 'N/A', 'false', 'N/A'].join(','),
    );
  }
  for (const u of e.users) {
    const keys = keysInSlotOrder(u.keys);
    const k = (n: number) => {
      const key = keys[n];
      if (!key) return ['false', 'N/A', 'N/A', 'N/A', 'N/A'];
      return [String(key.status === 'Active'), reportDate(key.createDate), reportDate(key.lastUsed?.date), key.lastUsed?.region ?? 'N/A', key.lastUsed?.service ?? 'N/A'];
    };
    const certs = u.certificates ?? [];
    const c = (n: number) => (certs[n] ? [String(certs[n].active), reportDate(certs[n].rotated)] : ['false', 'N/A']);
    const pw = u.password;
    lines.push(
      [
        u.name,
        userArn(e, u),
        reportDate(u.createDate),
        String(Boolean(pw)),
        pw ? (pw.lastUsed ? reportDate(pw.lastUsed) : 'no_information') : 'N/A',
        pw ? reportDate(pw.lastChanged) : 'N/A',
        'N/A',
        String(Boolean(u.mfa)),
        ...k(0),
        ...k(1),
        ...c(0),
        ...c(1),
      ].join(','),
    );
  }
  return lines.join('\n') + '\n';
}

/** The offline last-accessed file of the estate (see docs/connectors/aws.md). */
export function estateToLastAccessedJson(e: FakeEstate): { generatedAt: string; entities: Record<string, unknown> } {
  const entities: Record<string, unknown> = {};
  for (const [arn, services] of Object.entries(e.lastAccessed)) {
    entities[arn] = {
      JobStatus: 'COMPLETED',
      JobType: 'SERVICE_LEVEL',
      JobCompletionDate: e.generatedAt,
      ServicesLastAccessed: services.map((s) => ({
        ServiceName: s.name,
        ServiceNamespace: s.namespace,
        TotalAuthenticatedEntities: s.total,
        ...(s.lastAuthenticated ? { LastAuthenticated: s.lastAuthenticated, LastAuthenticatedEntity: s.entity ?? arn, LastAuthenticatedRegion: s.region ?? 'us-east-1' } : {}),
      })),
    };
  }
  return { generatedAt: e.generatedAt, entities };
}

/** Every principal ARN the estate holds (users, roles, groups). */
export function principalArns(e: FakeEstate): string[] {
  return [...e.users.map((u) => userArn(e, u)), ...e.roles.map((r) => roleArn(e, r)), ...e.groups.map((g) => groupArn(e, g))];
}
