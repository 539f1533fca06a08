/**
 * The pure mapping layer of the AWS connector: what IAM returns (authorization details, credential report rows,
 * access keys with their last use, service last-accessed details) -> GraphRecords following docs/model.md.
 * The live path and the offline path both feed this module, so the same data gives the same graph.
 */
import type {
  AccountType,
  CredentialNode,
  EntitlementNode,
  GraphRecord,
  IdentityEdge,
  PrincipalNode,
  Provenance,
  ResourceNode,
  ScanTarget,
  UsageFact,
} from '../../src/model/types.js';
import { toIso } from '../../src/util/dates.js';
import { globRegExp } from '../../src/util/glob.js';
import { accountOfArn, asArray, decodePolicyDocument, iamArnKind, nameOfArn, parseArn, principalIdOfArn } from './arn.js';
import { compact } from '../../src/util/object.js';
import { SkipLog } from '../validation.js';
import { sourceLabel, validateAwsData } from './validate.js';

export const CONNECTOR_ID = 'aws';
/** IAM keeps last-used data for at least 400 days */
export const TRACKING_DAYS = 400;

// ---------------------------------------------------------------------------------------------------------------
// Input shapes: what `aws iam get-account-authorization-details` prints and what the SDK returns (dates as Date).

export type DateLike = string | Date | undefined | null;

export interface AttachedPolicy {
  PolicyName?: string;
  PolicyArn?: string;
}
export interface InlinePolicy {
  PolicyName?: string;
  PolicyDocument?: unknown;
}
export interface TagPair {
  Key?: string;
  Value?: string;
}
export interface PermissionsBoundary {
  PermissionsBoundaryType?: string;
  PermissionsBoundaryArn?: string;
}
export interface UserDetail {
  Path?: string;
  UserName?: string;
  UserId?: string;
  Arn?: string;
  CreateDate?: DateLike;
  UserPolicyList?: InlinePolicy[];
  GroupList?: string[];
  AttachedManagedPolicies?: AttachedPolicy[];
  PermissionsBoundary?: PermissionsBoundary;
  Tags?: TagPair[];
}
export interface GroupDetail {
  Path?: string;
  GroupName?: string;
  GroupId?: string;
  Arn?: string;
  CreateDate?: DateLike;
  GroupPolicyList?: InlinePolicy[];
  AttachedManagedPolicies?: AttachedPolicy[];
}
export interface RoleDetail {
  Path?: string;
  RoleName?: string;
  RoleId?: string;
  Arn?: string;
  CreateDate?: DateLike;
  AssumeRolePolicyDocument?: unknown;
  InstanceProfileList?: Array<{ InstanceProfileName?: string }>;
  RolePolicyList?: InlinePolicy[];
  AttachedManagedPolicies?: AttachedPolicy[];
  PermissionsBoundary?: PermissionsBoundary;
  Tags?: TagPair[];
  RoleLastUsed?: { LastUsedDate?: DateLike; Region?: string };
  Description?: string;
  MaxSessionDuration?: number;
}
export interface PolicyVersion {
  Document?: unknown;
  VersionId?: string;
  IsDefaultVersion?: boolean;
  CreateDate?: DateLike;
}
export interface ManagedPolicyDetail {
  PolicyName?: string;
  PolicyId?: string;
  Arn?: string;
  Path?: string;
  DefaultVersionId?: string;
  AttachmentCount?: number;
  PermissionsBoundaryUsageCount?: number;
  IsAttachable?: boolean;
  Description?: string;
  CreateDate?: DateLike;
  UpdateDate?: DateLike;
  PolicyVersionList?: PolicyVersion[];
}
export interface AuthzDetails {
  UserDetailList?: UserDetail[];
  GroupDetailList?: GroupDetail[];
  RoleDetailList?: RoleDetail[];
  Policies?: ManagedPolicyDetail[];
}

/** One row of the credential report CSV, keyed by column name. */
export type CredentialReportRow = Record<string, string>;

/** A key from ListAccessKeys, with GetAccessKeyLastUsed's answer when it was read. */
export interface LiveAccessKey {
  AccessKeyId: string;
  Status?: string;
  CreateDate?: DateLike;
  /** undefined = GetAccessKeyLastUsed was not read; LastUsedDate missing = never used */
  lastUsed?: { LastUsedDate?: DateLike; ServiceName?: string; Region?: string };
}

export interface ServiceLastAccessedEntry {
  ServiceName?: string;
  ServiceNamespace?: string;
  LastAuthenticated?: DateLike;
  LastAuthenticatedEntity?: string;
  LastAuthenticatedRegion?: string;
  TotalAuthenticatedEntities?: number;
}
export interface ServiceLastAccessedDetails {
  ServicesLastAccessed?: ServiceLastAccessedEntry[];
  JobCompletionDate?: DateLike;
}
/** The offline last-accessed file format (also what the live path collects). */
export interface LastAccessedData {
  generatedAt?: string;
  entities: Record<string, ServiceLastAccessedDetails>;
}

export interface AwsData {
  authz?: AuthzDetails;
  credentialReport?: CredentialReportRow[];
  /** live only: keys per user ARN; a user missing from the map falls back to the credential report's slots */
  accessKeys?: Map<string, LiveAccessKey[]>;
  lastAccessed?: LastAccessedData;
}

/** Provenance `source` strings per kind of input (`iam:<Operation>` live, `file:<basename>` offline). */
export interface MapSources {
  authz: string;
  credentialReport: string;
  accessKeys: string;
  accessKeyLastUsed: string;
  lastAccessed: string;
}

export interface MapOptions {
  now: Date;
  sources: MapSources;
  /** the scanned account, when known from elsewhere; otherwise taken from the ARNs */
  accountId?: string;
}

// ---------------------------------------------------------------------------------------------------------------

const ASSUME_ACTIONS = ['sts:assumerole', 'sts:assumerolewithwebidentity', 'sts:assumerolewithsaml'];

function actionAllowsAssume(pattern: string): boolean {
  const p = pattern.trim().toLowerCase();
  if (!p.includes('*') && !p.includes('?')) return ASSUME_ACTIONS.includes(p);
  const re = globRegExp(p);
  return ASSUME_ACTIONS.some((a) => re.test(a));
}

function flattenTags(tags: TagPair[] | undefined): Record<string, string> | undefined {
  if (!tags || tags.length === 0) return undefined;
  const out: Record<string, string> = {};
  for (const t of tags) if (t.Key !== undefined) out[t.Key] = t.Value ?? '';
  return out;
}


/** Credential-report value: a date, `null` when the report says "never" (N/A), undefined when it does not know. */
function reportDate(v: string | undefined): string | null | undefined {
  if (v === undefined) return undefined;
  const iso = toIso(v);
  if (iso) return iso;
  return v.trim().toUpperCase() === 'N/A' ? null : undefined;
}

function reportValue(v: string | undefined): string | undefined {
  if (v === undefined) return undefined;
  const s = v.trim();
  return s === '' || /^(n\/a|no_information|not_supported)$/i.test(s) ? undefined : s;
}

function reportBool(v: string | undefined): boolean | undefined {
  if (v === 'true' || v === 'TRUE') return true;
  if (v === 'false' || v === 'FALSE') return false;
  return undefined;
}

export interface SlotData {
  slot: number;
  active: boolean;
  rotatedAt?: string;
  lastUsedAt?: string | null;
  service?: string;
  region?: string;
}

function keySlots(row: CredentialReportRow | undefined): SlotData[] {
  if (!row) return [];
  const out: SlotData[] = [];
  for (const n of [1, 2]) {
    const active = reportBool(row[`access_key_${n}_active`]) === true;
    const rotatedAt = toIso(row[`access_key_${n}_last_rotated`]);
    if (!active && !rotatedAt) continue;
    out.push({
      slot: n,
      active,
      rotatedAt,
      lastUsedAt: reportDate(row[`access_key_${n}_last_used_date`]),
      service: reportValue(row[`access_key_${n}_last_used_service`]),
      region: reportValue(row[`access_key_${n}_last_used_region`]),
    });
  }
  return out;
}

function secondOf(iso: string | undefined): string | undefined {
  return iso ? iso.slice(0, 19) : undefined;
}

/** Whether a credential-report row shows an access key (a slot that is active or has a rotation date). */
export function reportShowsKeys(row: CredentialReportRow): boolean {
  return keySlots(row).length > 0;
}

/**
 * The credential-report slot that answers `key`'s last use beyond doubt, or undefined. The report has no key ids,
 * only slots 1 and 2 with a creation (last_rotated) date, an active flag and the last use: a key is tied to a slot
 * only when exactly one slot has its creation second and no other key of the user was created in that second, the
 * active flag agrees with the key's status (a report older than a status change does not), and the slot states a
 * last use (a date, or N/A for never). matchKeysToSlots pairs such a key with the same slot.
 */
export function reportSlotFor(key: LiveAccessKey, userKeys: LiveAccessKey[], row: CredentialReportRow | undefined): SlotData | undefined {
  if (!row || userKeys.length > 2) return undefined;
  const created = secondOf(toIso(key.CreateDate));
  if (!created) return undefined;
  if (userKeys.some((k) => k !== key && secondOf(toIso(k.CreateDate)) === created)) return undefined;
  const hits = keySlots(row).filter((s) => secondOf(s.rotatedAt) === created);
  if (hits.length !== 1) return undefined;
  const slot = hits[0];
  if (key.Status !== undefined && slot.active !== (key.Status === 'Active')) return undefined;
  return slot.lastUsedAt === undefined ? undefined : slot;
}

/**
 * Pair live keys with credential-report slots: first by creation date (to the second), then the rest in creation
 * order (slot order = creation order of the user's keys).
 */
export function matchKeysToSlots(keys: LiveAccessKey[], slots: SlotData[]): Array<{ key: LiveAccessKey; slot?: SlotData }> {
  const sorted = [...keys].sort((a, b) => (toIso(a.CreateDate) ?? '').localeCompare(toIso(b.CreateDate) ?? '') || a.AccessKeyId.localeCompare(b.AccessKeyId));
  const bySlot = new Map<LiveAccessKey, SlotData>();
  const freeSlots = new Set(slots);
  for (const k of sorted) {
    const created = secondOf(toIso(k.CreateDate));
    const hit = [...freeSlots].find((s) => created && secondOf(s.rotatedAt) === created);
    if (hit) {
      bySlot.set(k, hit);
      freeSlots.delete(hit);
    }
  }
  for (const k of sorted) {
    if (bySlot.has(k)) continue;
    const next = [...freeSlots].sort((a, b) => a.slot - b.slot)[0];
    if (!next) break;
    bySlot.set(k, next);
    freeSlots.delete(next);
  }
  return sorted.map((key) => ({ key, slot: bySlot.get(key) }));
}

/**
 * Map everything read from one AWS account into graph records. Pure: same input, same output (apart from the
 * observedAt time, which is `opts.now`). Every record is validated first (validate.ts): one that does not fit is
 * skipped with a coverage note naming it, whatever its shape, and the rest is mapped. The live and the offline path
 * both come through here, so both get the same protection. The account scanned is the `aws:account` node with
 * `inScan: true` (scannedAccount); each path yields it as its scan target.
 */
export function mapAws(data: AwsData, opts: MapOptions): GraphRecord[] {
  const log = new SkipLog(CONNECTOR_ID);
  const valid = validateAwsData(data, opts.sources, log);
  const mapper = new Mapper(valid, opts);
  const out = mapper.run();
  for (const note of log.notes()) out.push({ type: 'coverage', coverage: mapper.accountId && !note.scope ? { ...note, scope: mapper.accountId } : note });
  return out;
}

/** The account a mapping scanned (its in-scan account node): the scan target `aws:account:<id>`. */
export function scannedAccount(records: readonly GraphRecord[]): string | undefined {
  for (const r of records) if (r.type === 'node' && r.node.type === 'account' && r.node.attributes?.inScan === true) return r.node.name;
  return undefined;
}

export function accountScanTarget(account: string): ScanTarget {
  return { id: `aws:account:${account}`, platform: 'aws', kind: 'account', name: account };
}

class Mapper {
  private readonly out: GraphRecord[] = [];
  private readonly emitted = new Set<string>();
  private readonly observedAt: string;
  private readonly nowIso: string;
  accountId: string | undefined;
  private readonly userArns = new Set<string>();
  private readonly roleArns = new Set<string>();
  private readonly groupArnByName = new Map<string, string>();
  private readonly policyArns = new Set<string>();
  private readonly reportByArn = new Map<string, CredentialReportRow>();
  private rootRow: CredentialReportRow | undefined;

  constructor(
    private readonly data: AwsData,
    private readonly opts: MapOptions,
  ) {
    this.observedAt = opts.now.toISOString();
    this.nowIso = this.observedAt;
  }

  private prov(source: string): Provenance {
    return { connector: CONNECTOR_ID, source, observedAt: this.observedAt };
  }

  private node(n: PrincipalNode | CredentialNode | EntitlementNode | ResourceNode): void {
    this.emitted.add(n.id);
    this.out.push({ type: 'node', node: n });
  }

  private edge(type: string, from: string, to: string, source: string, attributes?: Record<string, unknown>): void {
    const e: IdentityEdge = { type, from, to, provenance: [this.prov(source)] };
    if (attributes) e.attributes = attributes;
    this.out.push({ type: 'edge', edge: e });
  }

  private usage(u: Omit<UsageFact, 'provenance'>, source: string): void {
    this.out.push({ type: 'usage', usage: { ...u, provenance: this.prov(source) } });
  }

  run(): GraphRecord[] {
    const { authz, credentialReport } = this.data;
    for (const row of credentialReport ?? []) {
      if (row.user === '<root_account>') this.rootRow = row;
      else if (row.arn) this.reportByArn.set(row.arn, row);
    }
    for (const u of authz?.UserDetailList ?? []) if (u.Arn) this.userArns.add(u.Arn);
    for (const r of authz?.RoleDetailList ?? []) if (r.Arn) this.roleArns.add(r.Arn);
    for (const g of authz?.GroupDetailList ?? []) if (g.Arn && g.GroupName) this.groupArnByName.set(g.GroupName, g.Arn);
    this.accountId = this.opts.accountId ?? this.findAccountId();

    if (this.accountId) this.account(this.accountId, true, this.data.authz ? this.opts.sources.authz : this.opts.sources.credentialReport);

    for (const p of authz?.Policies ?? []) this.managedPolicy(p);
    for (const g of authz?.GroupDetailList ?? []) this.group(g);
    for (const u of authz?.UserDetailList ?? []) this.user(u);
    // users the credential report knows but the authorization details do not (created in between, or no authz file)
    for (const [arn, row] of this.reportByArn) if (!this.userArns.has(arn)) this.reportOnlyUser(arn, row);
    if (this.rootRow) this.root(this.rootRow);
    for (const r of authz?.RoleDetailList ?? []) this.role(r);
    if (this.data.lastAccessed) this.lastAccessed(this.data.lastAccessed);
    return this.out;
  }

  /**
   * The account of the export, from the ARNs of its users, roles, groups, customer-managed policies, report rows and
   * last-accessed entities. One export comes from one account; should the ARNs disagree, the account most of them
   * name is the one scanned, and a note says which others appeared.
   */
  private findAccountId(): string | undefined {
    const a = this.data.authz;
    const candidates: Array<string | undefined> = [
      ...(a?.UserDetailList ?? []).map((u) => u.Arn),
      ...(a?.RoleDetailList ?? []).map((r) => r.Arn),
      ...(a?.GroupDetailList ?? []).map((g) => g.Arn),
      ...(a?.Policies ?? []).map((p) => p.Arn).filter((arn) => arn && !/^arn:[^:]+:iam::aws:/.test(arn)),
      this.rootRow?.arn,
      ...this.reportByArn.keys(),
      ...Object.keys(this.data.lastAccessed?.entities ?? {}),
    ];
    const counts = new Map<string, number>();
    for (const arn of candidates) {
      const acct = accountOfArn(arn);
      if (acct) counts.set(acct, (counts.get(acct) ?? 0) + 1);
    }
    // most ARNs first; ties go to the account seen first
    const ranked = [...counts.entries()].sort((x, y) => y[1] - x[1]);
    if (ranked.length > 1) {
      const [top, topCount] = ranked[0];
      const others = ranked.slice(1, 4).map(([acct, n]) => `${acct} (${n} ARN${n === 1 ? '' : 's'})`);
      const more = ranked.length > 4 ? ` and ${ranked.length - 4} more` : '';
      const source = this.data.authz ? this.opts.sources.authz : this.opts.sources.credentialReport;
      this.out.push({
        type: 'coverage',
        coverage: {
          connector: CONNECTOR_ID,
          source,
          scope: top,
          reason: 'invalid-input',
          message: `${sourceLabel(source)}: the ARNs name ${ranked.length} accounts; an export comes from one account, so this scan is recorded as ${top} (${topCount} ARNs); also seen: ${others.join(', ')}${more}`,
          impact: 'identities of the other accounts are mapped as they are, but drift and the report header treat the scan as the majority account',
          incomplete: false,
        },
      });
    }
    return ranked[0]?.[0];
  }

  // ---- accounts ------------------------------------------------------------------------------------------------

  private account(id: string, inScan: boolean, source: string): string {
    const nodeId = `aws:account:${id}`;
    if (!this.emitted.has(nodeId)) {
      this.node({
        id: nodeId,
        kind: 'resource',
        platform: 'aws',
        type: 'account',
        name: id,
        externalId: id,
        scope: id,
        attributes: { inScan },
        provenance: [this.prov(source)],
      });
    }
    return nodeId;
  }

  private inScope(principalId: string, account: string | undefined, source: string): void {
    if (!account) return;
    const acctId = this.account(account, account === this.accountId, source);
    this.edge('IN_SCOPE', principalId, acctId, source);
  }

  // ---- policies ------------------------------------------------------------------------------------------------

  private managedPolicy(p: ManagedPolicyDetail): void {
    if (!p.Arn) return;
    const versions = p.PolicyVersionList ?? [];
    const def = versions.find((v) => v.IsDefaultVersion) ?? versions.find((v) => v.VersionId === p.DefaultVersionId);
    const platformManaged = p.Arn.startsWith('arn:aws:iam::aws:') || /^arn:[^:]+:iam::aws:/.test(p.Arn);
    const src = this.opts.sources.authz;
    this.policyArns.add(p.Arn);
    this.node({
      id: `aws:managed-policy:${p.Arn}`,
      kind: 'entitlement',
      platform: 'aws',
      type: 'managed-policy',
      entitlementType: 'managed-policy',
      name: p.PolicyName ?? nameOfArn(p.Arn),
      externalId: p.Arn,
      scope: platformManaged ? undefined : accountOfArn(p.Arn),
      document: decodePolicyDocument(def?.Document),
      managedBy: platformManaged ? 'platform' : 'customer',
      attributes: compact({
        arn: p.Arn,
        path: p.Path,
        policyId: p.PolicyId,
        defaultVersionId: p.DefaultVersionId ?? def?.VersionId,
        // how many versions the policy has (SetDefaultPolicyVersion needs another one to switch to)
        versionCount: p.PolicyVersionList ? versions.length : undefined,
        attachmentCount: p.AttachmentCount,
        permissionsBoundaryUsageCount: p.PermissionsBoundaryUsageCount,
        isAttachable: p.IsAttachable,
        description: p.Description,
        createdAt: toIso(p.CreateDate),
        updatedAt: toIso(p.UpdateDate),
      }),
      provenance: [this.prov(src)],
    });
  }

  /** A managed policy referenced by an attachment but absent from the Policies list. */
  private ensurePolicy(arn: string, name: string | undefined): string {
    const id = `aws:managed-policy:${arn}`;
    if (!this.policyArns.has(arn)) {
      this.policyArns.add(arn);
      const platformManaged = /^arn:[^:]+:iam::aws:/.test(arn);
      this.node({
        id,
        kind: 'entitlement',
        platform: 'aws',
        type: 'managed-policy',
        entitlementType: 'managed-policy',
        name: name ?? nameOfArn(arn),
        externalId: arn,
        scope: platformManaged ? undefined : accountOfArn(arn),
        managedBy: platformManaged ? 'platform' : 'customer',
        attributes: { arn },
        provenance: [this.prov(this.opts.sources.authz)],
      });
    }
    return id;
  }

  private grants(ownerId: string, ownerArn: string, attached: AttachedPolicy[] | undefined, inline: InlinePolicy[] | undefined, boundary: PermissionsBoundary | undefined): void {
    const src = this.opts.sources.authz;
    for (const a of attached ?? []) {
      if (!a.PolicyArn) continue;
      this.edge('GRANTED', ownerId, this.ensurePolicy(a.PolicyArn, a.PolicyName), src, { via: 'attached' });
    }
    for (const p of inline ?? []) {
      if (!p.PolicyName) continue;
      const id = `aws:inline-policy:${ownerArn}/${p.PolicyName}`;
      this.node({
        id,
        kind: 'entitlement',
        platform: 'aws',
        type: 'inline-policy',
        entitlementType: 'inline-policy',
        name: p.PolicyName,
        scope: accountOfArn(ownerArn),
        document: decodePolicyDocument(p.PolicyDocument),
        managedBy: 'customer',
        attributes: { ownerArn, policyName: p.PolicyName },
        provenance: [this.prov(src)],
      });
      this.edge('GRANTED', ownerId, id, src, { via: 'inline' });
    }
    if (boundary?.PermissionsBoundaryArn) {
      this.edge('GRANTED', ownerId, this.ensurePolicy(boundary.PermissionsBoundaryArn, undefined), src, { via: 'boundary' });
    }
  }

  // ---- principals ----------------------------------------------------------------------------------------------

  private group(g: GroupDetail): void {
    if (!g.Arn) return;
    const id = `aws:iam-group:${g.Arn}`;
    const src = this.opts.sources.authz;
    this.node({
      id,
      kind: 'principal',
      platform: 'aws',
      type: 'iam-group',
      name: g.GroupName ?? nameOfArn(g.Arn),
      externalId: g.Arn,
      scope: accountOfArn(g.Arn),
      accountType: 'system',
      createdAt: toIso(g.CreateDate),
      attributes: compact({ arn: g.Arn, path: g.Path, groupId: g.GroupId }),
      provenance: [this.prov(src)],
    });
    this.inScope(id, accountOfArn(g.Arn), src);
    this.grants(id, g.Arn, g.AttachedManagedPolicies, g.GroupPolicyList, undefined);
  }

  private accountTypeFromReport(row: CredentialReportRow | undefined): AccountType {
    const pw = reportBool(row?.password_enabled);
    return pw === true ? 'human' : pw === false ? 'service' : 'unknown';
  }

  private user(u: UserDetail): void {
    if (!u.Arn) return;
    const arn = u.Arn;
    const id = `aws:iam-user:${arn}`;
    const src = this.opts.sources.authz;
    const row = this.reportByArn.get(arn);
    const provenance = [this.prov(src)];
    if (row) provenance.push(this.prov(this.opts.sources.credentialReport));
    this.node({
      id,
      kind: 'principal',
      platform: 'aws',
      type: 'iam-user',
      name: u.UserName ?? nameOfArn(arn),
      externalId: arn,
      scope: accountOfArn(arn),
      accountType: this.accountTypeFromReport(row),
      createdAt: toIso(u.CreateDate) ?? toIso(row?.user_creation_time),
      tags: flattenTags(u.Tags),
      attributes: compact({
        arn,
        path: u.Path,
        userId: u.UserId,
        permissionsBoundaryArn: u.PermissionsBoundary?.PermissionsBoundaryArn,
        mfaActive: reportBool(row?.mfa_active),
        passwordEnabled: reportBool(row?.password_enabled),
      }),
      provenance,
    });
    this.inScope(id, accountOfArn(arn), src);
    for (const groupName of u.GroupList ?? []) {
      const groupArn = this.groupArnByName.get(groupName) ?? this.groupArnFor(arn, groupName);
      if (!this.emitted.has(`aws:iam-group:${groupArn}`)) {
        // a group the export does not list: keep the membership with a minimal group node
        this.node({
          id: `aws:iam-group:${groupArn}`,
          kind: 'principal',
          platform: 'aws',
          type: 'iam-group',
          name: groupName,
          externalId: groupArn,
          scope: accountOfArn(groupArn),
          accountType: 'system',
          attributes: { arn: groupArn },
          provenance: [this.prov(src)],
        });
        this.inScope(`aws:iam-group:${groupArn}`, accountOfArn(groupArn), src);
      }
      this.edge('MEMBER_OF', id, `aws:iam-group:${groupArn}`, src);
    }
    this.grants(id, arn, u.AttachedManagedPolicies, u.UserPolicyList, u.PermissionsBoundary);
    if (row) this.userCredentials(id, arn, row);
    else if (this.data.accessKeys?.has(arn)) this.userCredentials(id, arn, undefined);
  }

  private groupArnFor(userArn: string, groupName: string): string {
    const p = parseArn(userArn);
    return `arn:${p?.partition ?? 'aws'}:iam::${p?.account ?? this.accountId ?? ''}:group/${groupName}`;
  }

  private reportOnlyUser(arn: string, row: CredentialReportRow): void {
    const id = `aws:iam-user:${arn}`;
    const src = this.opts.sources.credentialReport;
    this.node({
      id,
      kind: 'principal',
      platform: 'aws',
      type: 'iam-user',
      name: row.user || nameOfArn(arn),
      externalId: arn,
      scope: accountOfArn(arn),
      accountType: this.accountTypeFromReport(row),
      createdAt: toIso(row.user_creation_time),
      attributes: compact({ arn, mfaActive: reportBool(row.mfa_active), passwordEnabled: reportBool(row.password_enabled) }),
      provenance: [this.prov(src)],
    });
    this.inScope(id, accountOfArn(arn), src);
    this.userCredentials(id, arn, row);
  }

  private root(row: CredentialReportRow): void {
    const acct = accountOfArn(row.arn) ?? this.accountId;
    if (!acct) return;
    const id = `aws:root:${acct}`;
    const arn = row.arn || `arn:aws:iam::${acct}:root`;
    const src = this.opts.sources.credentialReport;
    this.node({
      id,
      kind: 'principal',
      platform: 'aws',
      type: 'root',
      name: 'root',
      externalId: arn,
      scope: acct,
      accountType: 'system',
      createdAt: toIso(row.user_creation_time),
      attributes: compact({ arn, mfaActive: reportBool(row.mfa_active) }),
      provenance: [this.prov(src)],
    });
    this.inScope(id, acct, src);
    this.userCredentials(id, arn, row);
  }

  /** Access keys, console password, signing certificates and console-login usage of a user or the root user. */
  private userCredentials(holderId: string, arn: string, row: CredentialReportRow | undefined): void {
    const reportSrc = this.opts.sources.credentialReport;
    const scope = accountOfArn(arn);
    const userName = row?.user === '<root_account>' ? 'root' : nameOfArn(arn);
    const slots = keySlots(row);
    const live = this.data.accessKeys?.get(arn);
    if (live) {
      for (const { key, slot } of matchKeysToSlots(live, slots)) {
        const provenance = [this.prov(this.opts.sources.accessKeys)];
        let lastUsedAt: string | null | undefined;
        let service: string | undefined;
        let region: string | undefined;
        if (key.lastUsed) {
          provenance.push(this.prov(this.opts.sources.accessKeyLastUsed));
          lastUsedAt = toIso(key.lastUsed.LastUsedDate) ?? null;
          service = reportValue(key.lastUsed.ServiceName);
          region = reportValue(key.lastUsed.Region);
        } else if (slot) {
          lastUsedAt = slot.lastUsedAt;
          service = slot.service;
          region = slot.region;
        }
        if (slot) provenance.push(this.prov(reportSrc));
        const created = toIso(key.CreateDate) ?? slot?.rotatedAt;
        const id = `aws:access-key:${key.AccessKeyId}`;
        this.node({
          id,
          kind: 'credential',
          platform: 'aws',
          type: 'access-key',
          credentialType: 'access-key',
          name: key.AccessKeyId,
          externalId: key.AccessKeyId,
          scope,
          active: key.Status ? key.Status === 'Active' : (slot?.active ?? true),
          createdAt: created,
          lastRotatedAt: created,
          lastUsedAt,
          attributes: compact({ slot: slot?.slot, accessKeyId: key.AccessKeyId, userArn: arn, lastUsedService: service, lastUsedRegion: region }),
          provenance,
        });
        this.edge('HAS_CREDENTIAL', holderId, id, this.opts.sources.accessKeys);
      }
    } else {
      for (const s of slots) {
        const id = `aws:access-key:${arn}#${s.slot}`;
        this.node({
          id,
          kind: 'credential',
          platform: 'aws',
          type: 'access-key',
          credentialType: 'access-key',
          name: `${userName} access key ${s.slot}`,
          scope,
          active: s.active,
          createdAt: s.rotatedAt,
          lastRotatedAt: s.rotatedAt,
          lastUsedAt: s.lastUsedAt,
          attributes: compact({ slot: s.slot, userArn: arn, lastUsedService: s.service, lastUsedRegion: s.region }),
          provenance: [this.prov(reportSrc)],
        });
        this.edge('HAS_CREDENTIAL', holderId, id, reportSrc);
      }
    }
    if (!row) return;

    if (reportBool(row.password_enabled) === true) {
      const id = `aws:password:${arn}`;
      this.node({
        id,
        kind: 'credential',
        platform: 'aws',
        type: 'password',
        credentialType: 'password',
        name: `${userName} console password`,
        scope,
        active: true,
        lastRotatedAt: toIso(row.password_last_changed),
        lastUsedAt: reportDate(row.password_last_used),
        expiresAt: toIso(row.password_next_rotation),
        attributes: { userArn: arn },
        provenance: [this.prov(reportSrc)],
      });
      this.edge('HAS_CREDENTIAL', holderId, id, reportSrc);
    }
    const consoleLogin = toIso(row.password_last_used);
    if (consoleLogin) {
      this.usage({ nodeId: holderId, scope: { kind: 'any' }, lastUsedAt: consoleLogin, attributes: { via: 'console-password' } }, reportSrc);
    }
    for (const n of [1, 2]) {
      const active = reportBool(row[`cert_${n}_active`]) === true;
      const rotated = toIso(row[`cert_${n}_last_rotated`]);
      if (!active && !rotated) continue;
      const id = `aws:certificate:${arn}#${n}`;
      this.node({
        id,
        kind: 'credential',
        platform: 'aws',
        type: 'certificate',
        credentialType: 'certificate',
        name: `${userName} signing certificate ${n}`,
        scope,
        active,
        createdAt: rotated,
        lastRotatedAt: rotated,
        attributes: { slot: n, userArn: arn },
        provenance: [this.prov(reportSrc)],
      });
      this.edge('HAS_CREDENTIAL', holderId, id, reportSrc);
    }
  }

  private role(r: RoleDetail): void {
    if (!r.Arn) return;
    const arn = r.Arn;
    const id = `aws:iam-role:${arn}`;
    const src = this.opts.sources.authz;
    const serviceLinked = (r.Path ?? '').startsWith('/aws-service-role/');
    const trust = decodePolicyDocument(r.AssumeRolePolicyDocument);
    const profiles = (r.InstanceProfileList ?? []).map((p) => p.InstanceProfileName).filter((n): n is string => Boolean(n));
    // trust edges first: they tell which trusted principals could not be resolved to a node
    const unresolved: string[] = [];
    if (trust) this.trust(id, trust, unresolved);
    this.node({
      id,
      kind: 'principal',
      platform: 'aws',
      type: 'iam-role',
      name: r.RoleName ?? nameOfArn(arn),
      externalId: arn,
      scope: accountOfArn(arn),
      accountType: serviceLinked ? 'system' : 'service',
      createdAt: toIso(r.CreateDate),
      tags: flattenTags(r.Tags),
      attributes: compact({
        arn,
        path: r.Path,
        roleId: r.RoleId,
        permissionsBoundaryArn: r.PermissionsBoundary?.PermissionsBoundaryArn,
        serviceLinked,
        maxSessionDuration: r.MaxSessionDuration,
        description: r.Description,
        trustPolicy: trust,
        instanceProfiles: profiles.length ? profiles : undefined,
        unresolvedTrustPrincipals: unresolved.length ? unresolved : undefined,
      }),
      provenance: [this.prov(src)],
    });
    this.inScope(id, accountOfArn(arn), src);
    this.grants(id, arn, r.AttachedManagedPolicies, r.RolePolicyList, r.PermissionsBoundary);
    if (r.RoleLastUsed !== undefined && r.RoleLastUsed !== null) {
      const region = r.RoleLastUsed.Region;
      this.usage(
        {
          nodeId: id,
          scope: { kind: 'any' },
          lastUsedAt: toIso(r.RoleLastUsed.LastUsedDate) ?? null,
          window: { end: this.nowIso, days: TRACKING_DAYS },
          attributes: region ? { region } : undefined,
        },
        src,
      );
    }
  }

  // ---- trust policies ------------------------------------------------------------------------------------------

  private trust(roleId: string, doc: unknown, unresolved: string[]): void {
    const statements = asArray((doc as { Statement?: unknown }).Statement) as Array<Record<string, unknown>>;
    // several Allow statements may trust the same principal; the graph holds one edge per pair, so collect them
    const byFrom = new Map<string, Array<Record<string, unknown>>>();
    const add = (from: string, attributes: Record<string, unknown>) => {
      const list = byFrom.get(from);
      if (list) list.push(attributes);
      else byFrom.set(from, [attributes]);
    };
    statements.forEach((st, statementIndex) => {
      if (!st || typeof st !== 'object' || st.Effect !== 'Allow') return;
      const actions = asArray(st.Action as string | string[] | undefined).filter((a): a is string => typeof a === 'string');
      if (!actions.some(actionAllowsAssume)) return;
      const base = compact({
        statementIndex,
        sid: typeof st.Sid === 'string' ? st.Sid : undefined,
        conditions: st.Condition && typeof st.Condition === 'object' ? st.Condition : undefined,
        actions,
      });
      const principal = st.Principal;
      if (principal === '*') {
        add(this.anyone(), { ...base, principalType: '*' });
        return;
      }
      if (!principal || typeof principal !== 'object') return;
      for (const [ptype, values] of Object.entries(principal as Record<string, unknown>)) {
        for (const v of asArray(values as string | string[])) {
          if (typeof v !== 'string') continue;
          const from = this.trustedPrincipal(ptype, v.trim());
          if (!from) {
            unresolved.push(`${ptype}:${v}`);
            continue;
          }
          add(from, { ...base, principalType: ptype });
        }
      }
    });
    for (const [from, list] of byFrom) {
      if (list.length === 1) {
        this.edge('CAN_ASSUME', from, roleId, this.opts.sources.authz, list[0]);
        continue;
      }
      // Allow statements are OR-ed: the least restricted one decides what this principal can do. The edge carries
      // its fields (what rules read) and every statement under `statements`.
      const weakest = [...list].sort((a, b) => conditionKeyCount(a.conditions, RESTRICTING) - conditionKeyCount(b.conditions, RESTRICTING) || conditionKeyCount(a.conditions) - conditionKeyCount(b.conditions))[0];
      this.edge('CAN_ASSUME', from, roleId, this.opts.sources.authz, { ...weakest, statements: list });
    }
  }

  private anyone(): string {
    const id = 'aws:anyone:*';
    if (!this.emitted.has(id)) {
      this.node({ id, kind: 'principal', platform: 'aws', type: 'anyone', name: 'anyone (*)', accountType: 'system', provenance: [this.prov(this.opts.sources.authz)] });
    }
    return id;
  }

  private trustedPrincipal(ptype: string, v: string): string | undefined {
    const src = this.opts.sources.authz;
    if (ptype === 'AWS') {
      if (v === '*') return this.anyone();
      if (/^\d{12}$/.test(v)) return this.account(v, v === this.accountId, src);
      const kind = iamArnKind(v);
      const acct = accountOfArn(v);
      if (kind === 'root') return acct ? this.account(acct, acct === this.accountId, src) : undefined;
      if (kind === 'user' || kind === 'role') return this.externalPrincipal(kind, v);
      if (kind === 'assumed-role') {
        const p = parseArn(v)!;
        const roleName = p.resource.split('/')[1];
        return roleName ? this.externalPrincipal('role', `arn:${p.partition}:iam::${p.account}:role/${roleName}`) : undefined;
      }
      return undefined;
    }
    if (ptype === 'Federated') {
      const kind = iamArnKind(v);
      if (kind === 'saml-provider') return this.provider('saml-provider', v, v, nameOfArn(v));
      if (kind === 'oidc-provider') {
        const url = parseArn(v)!.resource.slice('oidc-provider/'.length);
        return this.provider('oidc-provider', v, v, url);
      }
      // web identity providers named by host (accounts.google.com, cognito-identity.amazonaws.com, ...)
      return this.provider('oidc-provider', v, undefined, v);
    }
    if (ptype === 'Service') {
      const id = `aws:service-principal:${v}`;
      if (!this.emitted.has(id)) {
        this.node({ id, kind: 'principal', platform: 'aws', type: 'service-principal', name: v, externalId: v, accountType: 'system', provenance: [this.prov(src)] });
      }
      return id;
    }
    return undefined;
  }

  private provider(type: 'oidc-provider' | 'saml-provider', key: string, arn: string | undefined, url: string): string {
    const id = `aws:${type}:${key}`;
    if (!this.emitted.has(id)) {
      const src = this.opts.sources.authz;
      const scope = accountOfArn(arn);
      this.node({
        id,
        kind: 'principal',
        platform: 'aws',
        type,
        name: url,
        externalId: arn ?? key,
        scope,
        accountType: 'system',
        attributes: compact({ arn, url: type === 'oidc-provider' ? url : undefined }),
        provenance: [this.prov(src)],
      });
      this.inScope(id, scope, src);
    }
    return id;
  }

  private externalPrincipal(kind: 'user' | 'role', arn: string): string {
    const id = kind === 'user' ? `aws:iam-user:${arn}` : `aws:iam-role:${arn}`;
    const known = kind === 'user' ? this.userArns.has(arn) : this.roleArns.has(arn);
    if (!known && !this.emitted.has(id)) {
      const src = this.opts.sources.authz;
      const acct = accountOfArn(arn);
      this.node({
        id,
        kind: 'principal',
        platform: 'aws',
        type: kind === 'user' ? 'iam-user' : 'iam-role',
        name: nameOfArn(arn),
        externalId: arn,
        scope: acct,
        accountType: kind === 'role' ? 'service' : 'unknown',
        attributes: { arn, external: true },
        provenance: [this.prov(src)],
      });
      this.inScope(id, acct, src);
    }
    return id;
  }

  // ---- usage ---------------------------------------------------------------------------------------------------

  private lastAccessed(data: LastAccessedData): void {
    const src = this.opts.sources.lastAccessed;
    for (const [arn, details] of Object.entries(data.entities ?? {})) {
      const nodeId = principalIdOfArn(arn);
      if (!nodeId) continue;
      for (const s of details?.ServicesLastAccessed ?? []) {
        const name = s.ServiceNamespace ?? s.ServiceName;
        if (!name) continue;
        this.usage(
          {
            nodeId,
            scope: { kind: 'service', name },
            lastUsedAt: toIso(s.LastAuthenticated) ?? null,
            window: { end: this.nowIso, days: TRACKING_DAYS },
            attributes: compact({
              serviceName: s.ServiceName,
              totalAuthenticatedEntities: s.TotalAuthenticatedEntities,
              lastAuthenticatedEntity: s.LastAuthenticatedEntity,
              lastAuthenticatedRegion: s.LastAuthenticatedRegion,
            }),
          },
          src,
        );
      }
    }
  }
}

/** Condition keys that pin down who the caller is (an OIDC subject, an organisation, an account, an external id). */
const RESTRICTING = /(:sub$|PrincipalOrgID|PrincipalAccount|PrincipalArn|SourceAccount|SourceArn|ExternalId)/i;

/** How many condition keys (matching `only`, if given) a statement's Condition block sets: fewer = less restricted. */
function conditionKeyCount(conditions: unknown, only?: RegExp): number {
  if (!conditions || typeof conditions !== 'object') return 0;
  let n = 0;
  for (const block of Object.values(conditions as Record<string, unknown>)) {
    if (block && typeof block === 'object') n += Object.keys(block).filter((k) => !only || only.test(k)).length;
  }
  return n;
}
