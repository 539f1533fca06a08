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
import type { CoverageNote, EntitlementNode, GraphRecord, IdentityNode, Provenance } from '../../src/model/types.js';

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

/** Graph ids of the organisation's records (the account id is the one connectors/aws/map.ts uses, so nodes merge). */
export const orgIds = {
  root: (id: string) => `aws:org-root:${id}`,
  ou: (id: string) => `aws:org-unit:${id}`,
  account: (id: string) => `aws:account:${id}`,
  policy: (kind: 'scp' | 'rcp', id: string) => `aws:${kind}:${id}`,
};

const ACCOUNT_RE = /^\d{12}$/;
const ROOT_RE = /^r-[0-9a-z]{4,32}$/;
const OU_RE = /^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$/;
const POLICY_RE = /^p-[0-9a-zA-Z_]{8,128}$/;
const POLICY_TYPES = { SERVICE_CONTROL_POLICY: 'scp', RESOURCE_CONTROL_POLICY: 'rcp' } as const;

function text(v: unknown, max = 512): string | undefined {
  return typeof v === 'string' && v.trim() !== '' ? v.trim().slice(0, max) : undefined;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}

function list(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

function compact<T extends Record<string, unknown>>(o: T): T {
  for (const k of Object.keys(o)) if (o[k] === undefined) delete o[k];
  return o;
}

/**
 * The organisation as graph records: one node per root, OU and account, the SCPs and RCPs as entitlements attached
 * along the tree, and coverage notes for what the export lacked.
 *
 * - root `aws:org-root:<r-id>`, OU `aws:org-unit:<ou-id>` and account `aws:account:<id>` are resource nodes; each OU
 *   and account has a `CHILD_OF` edge to its parent. Account nodes carry `organizationId`, `orgPath`
 *   (`o-.../r-.../ou-.../`, the value of aws:PrincipalOrgPaths) and `managementAccount: true` for the management
 *   account (SCPs and RCPs never limit it).
 * - each SCP / RCP is an entitlement `aws:scp:<p-id>` / `aws:rcp:<p-id>` with its decoded document, and a `GRANTED`
 *   edge with `via: scp` / `via: rcp` from every root, OU or account it is attached to (as a permissions boundary
 *   is a `GRANTED` edge with `via: boundary`).
 *
 * The export may come from a file a user wrote: every record is checked, and a bad one is skipped with a note.
 */
export function mapOrganization(org: OrganizationExport, opts: MapOrganizationOptions): { records: GraphRecord[]; notes: CoverageNote[] } {
  const records: GraphRecord[] = [];
  const notes: CoverageNote[] = [];
  const prov: Provenance = { connector: 'aws', source: opts.source, observedAt: opts.now.toISOString() };
  const note = (message: string, impact: string, incomplete = false, reason: CoverageNote['reason'] = 'invalid-input') =>
    notes.push({ connector: 'aws', source: opts.source, reason, message, impact, incomplete });
  if (!isObject(org)) {
    note('the organization export is not a JSON object', 'no service control or resource control policy is applied', true);
    return { records, notes };
  }

  const orgInfo = isObject(org.Organization) ? org.Organization : undefined;
  const orgId = text(orgInfo?.Id, 64);
  const management = text(orgInfo?.MasterAccountId, 12);
  if (!management || !ACCOUNT_RE.test(management)) {
    note(
      management ? `Organization.MasterAccountId ${JSON.stringify(management)} is not a 12-digit account id` : 'the export does not name the management account (Organization.MasterAccountId)',
      'SCPs and RCPs are applied to every account listed, including the management account, which AWS exempts',
    );
  }
  if (orgInfo?.FeatureSet !== undefined && orgInfo.FeatureSet !== 'ALL') {
    note(`the organization's feature set is ${JSON.stringify(String(orgInfo.FeatureSet).slice(0, 40))}, not ALL`, 'AWS applies SCPs and RCPs only with all features enabled; those in the export are applied as they are');
  }

  // ---- the tree ------------------------------------------------------------------------------------------------
  /** node id of each root / OU / account by its Organizations id */
  const known = new Map<string, string>();
  const enabled: { scp?: boolean; rcp?: boolean } = {};
  const roots: Array<{ id: string; name: string }> = [];
  for (const r of list(org.Roots)) {
    const id = isObject(r) ? text(r.Id, 40) : undefined;
    if (!id || !ROOT_RE.test(id)) {
      note(`a root without a valid Id (${JSON.stringify(isObject(r) ? r.Id : r)?.slice(0, 60)}) is skipped`, 'accounts and OUs under it are not placed in the tree');
      continue;
    }
    const rec = r as Record<string, unknown>;
    for (const t of list(rec.PolicyTypes)) {
      if (!isObject(t)) continue;
      const kind = POLICY_TYPES[t.Type as keyof typeof POLICY_TYPES];
      if (kind) enabled[kind] = enabled[kind] === true || t.Status === 'ENABLED';
    }
    known.set(id, orgIds.root(id));
    roots.push({ id, name: text(rec.Name, 128) ?? 'Root' });
  }
  if (roots.length === 0) note('the export lists no organization root', 'no account is placed in the tree, so no SCP or RCP is applied', true);
  for (const r of roots) {
    records.push(node({ id: orgIds.root(r.id), kind: 'resource', platform: 'aws', type: 'org-root', name: r.name, externalId: r.id, attributes: compact({ organizationId: orgId }), provenance: [prov] }));
  }

  // OUs: register first (any order in the file), then link each to its parent; an OU whose chain never reaches a
  // root is left out with a note
  const ous = new Map<string, { id: string; name: string; parent: string; arn?: string }>();
  for (const o of list(org.OrganizationalUnits)) {
    const id = isObject(o) ? text(o.Id, 80) : undefined;
    const parent = isObject(o) ? text(o.ParentId, 80) : undefined;
    if (!id || !OU_RE.test(id)) {
      note(`an organizational unit without a valid Id (${JSON.stringify(isObject(o) ? o.Id : o)?.slice(0, 60)}) is skipped`, 'accounts under it are not placed in the tree');
      continue;
    }
    if (!parent) {
      note(`organizational unit ${id} has no ParentId and is skipped`, 'accounts under it are not placed in the tree');
      continue;
    }
    if (ous.has(id)) continue;
    ous.set(id, { id, parent, name: text((o as Record<string, unknown>).Name, 128) ?? id, arn: text((o as Record<string, unknown>).Arn) });
  }
  const placed = new Map<string, string>(); // ou id -> path `o-x/r-y/ou-a/`
  const pathOf = (id: string): string | undefined => {
    if (known.has(id) && id.startsWith('r-')) return `${orgId ?? 'o-unknown'}/${id}/`;
    const hit = placed.get(id);
    if (hit !== undefined) return hit;
    // walk up iteratively; a cycle or a missing parent leaves the chain unplaced
    const chain: string[] = [];
    let cur: string | undefined = id;
    while (cur && ous.has(cur) && !placed.has(cur) && !chain.includes(cur) && chain.length <= 20) {
      chain.push(cur);
      cur = ous.get(cur)!.parent;
    }
    let base: string | undefined = cur === undefined ? undefined : placed.get(cur) ?? (roots.some((r) => r.id === cur) ? `${orgId ?? 'o-unknown'}/${cur}/` : undefined);
    if (base === undefined) return undefined;
    for (let i = chain.length - 1; i >= 0; i--) {
      base = `${base}${chain[i]}/`;
      placed.set(chain[i], base);
    }
    return placed.get(id);
  };
  for (const ou of ous.values()) {
    const path = pathOf(ou.id);
    if (path === undefined) {
      note(`organizational unit ${ou.id} does not lead to a root of the export (parent ${ou.parent}) and is skipped`, 'SCPs and RCPs attached above it cannot be placed; accounts under it are not governed by them');
      continue;
    }
    known.set(ou.id, orgIds.ou(ou.id));
    records.push(node({ id: orgIds.ou(ou.id), kind: 'resource', platform: 'aws', type: 'organizational-unit', name: ou.name, externalId: ou.id, attributes: compact({ arn: ou.arn, organizationId: orgId, orgPath: path }), provenance: [prov] }));
    records.push({ type: 'edge', edge: { type: 'CHILD_OF', from: orgIds.ou(ou.id), to: known.get(ou.parent) ?? orgIds.ou(ou.parent), provenance: [prov] } });
  }

  const scanned = new Set(opts.scannedAccounts);
  const accounts = new Set<string>();
  let managementListed = false;
  for (const a of list(org.Accounts)) {
    const id = isObject(a) ? text(a.Id, 20) : undefined;
    if (!id || !ACCOUNT_RE.test(id)) {
      note(`an account without a 12-digit Id (${JSON.stringify(isObject(a) ? a.Id : a)?.slice(0, 60)}) is skipped`, 'that account is not placed in the tree');
      continue;
    }
    if (accounts.has(id)) continue;
    accounts.add(id);
    const rec = a as Record<string, unknown>;
    const parent = text(rec.ParentId, 80);
    const isManagement = id === management;
    if (isManagement) managementListed = true;
    const parentPath = parent ? pathOf(parent) : undefined;
    const attributes = compact({
      organizationId: orgId,
      accountName: text(rec.Name, 128),
      accountStatus: text(rec.State, 40) ?? text(rec.Status, 40),
      orgPath: parentPath,
      managementAccount: isManagement ? true : undefined,
      inScan: scanned.has(id) ? true : undefined,
    });
    records.push(node({ id: orgIds.account(id), kind: 'resource', platform: 'aws', type: 'account', name: id, externalId: id, scope: id, attributes, provenance: [prov] }));
    if (parentPath !== undefined) {
      known.set(id, orgIds.account(id));
      records.push({ type: 'edge', edge: { type: 'CHILD_OF', from: orgIds.account(id), to: known.get(parent!)!, provenance: [prov] } });
    } else if (!isManagement) {
      note(
        parent ? `account ${id} is listed under ${parent}, which is not in the tree of the export` : `account ${id} has no ParentId`,
        `SCPs and RCPs are not applied to account ${id}: its identities are evaluated on their own policies alone`,
        true,
        'not-found',
      );
    }

  }
  if (management && ACCOUNT_RE.test(management) && !managementListed) {
    records.push(node({ id: orgIds.account(management), kind: 'resource', platform: 'aws', type: 'account', name: management, externalId: management, scope: management, attributes: compact({ organizationId: orgId, managementAccount: true, inScan: scanned.has(management) ? true : undefined }), provenance: [prov] }));
  }
  for (const id of scanned) {
    if (!accounts.has(id) && id !== management) note(`scanned account ${id} is not among the organization's accounts`, `SCPs and RCPs are not applied to account ${id}`, false, 'not-found');
  }

  // ---- policies ------------------------------------------------------------------------------------------------
  const attachedAt = new Map<string, Set<string>>(); // `${kind}|${nodeId}` -> policy ids
  const seenPolicies = new Set<string>();
  for (const p of list(org.Policies)) {
    const summary = isObject(p) && isObject(p.PolicySummary) ? p.PolicySummary : undefined;
    const id = text(summary?.Id, 140);
    const typeName = text(summary?.Type, 60);
    const kind = typeName ? POLICY_TYPES[typeName as keyof typeof POLICY_TYPES] : undefined;
    if (!id || !POLICY_RE.test(id)) {
      note(`a policy without a valid Id (${JSON.stringify(summary?.Id ?? null)?.slice(0, 60)}) is skipped`, 'what it allows or denies is not applied');
      continue;
    }
    if (!kind) {
      // tag, backup, AI opt-out, declarative and chatbot policies do not decide authorization
      if (!typeName) note(`policy ${id} has no PolicySummary.Type and is skipped`, 'what it allows or denies is not applied');
      continue;
    }
    if (seenPolicies.has(`${kind}|${id}`)) continue;
    seenPolicies.add(`${kind}|${id}`);
    const rec = p as Record<string, unknown>;
    const name = text(summary!.Name, 128) ?? id;
    let document: unknown;
    if (typeof rec.Content === 'string') {
      try {
        document = JSON.parse(rec.Content);
      } catch {
        document = undefined;
      }
    } else if (isObject(rec.Content)) document = rec.Content;
    const label = kind === 'scp' ? 'service control policy' : 'resource control policy';
    if (!isObject(document)) {
      note(
        `${label} ${name} (${id}): Content is not a JSON policy document; the policy is skipped`,
        kind === 'scp'
          ? 'an SCP that is not read can neither allow nor deny: where it was the only Allow at a level, that level is not applied; its Denies are missed'
          : 'its Denies are missed',
        true,
      );
      continue;
    }
    const policyNode: EntitlementNode = {
      id: orgIds.policy(kind, id),
      kind: 'entitlement',
      platform: 'aws',
      type: kind,
      name,
      externalId: text(summary!.Arn) ?? id,
      entitlementType: kind === 'scp' ? 'service-control-policy' : 'resource-control-policy',
      document,
      managedBy: summary!.AwsManaged === true ? 'platform' : 'customer',
      attributes: compact({ policyId: id, arn: text(summary!.Arn), description: text(summary!.Description, 512), organizationId: orgId }),
      provenance: [prov],
    };
    records.push({ type: 'node', node: policyNode });
    let attached = 0;
    for (const t of list(rec.Targets)) {
      const target = isObject(t) ? text(t.TargetId, 80) : undefined;
      const nodeId = target ? known.get(target) : undefined;
      if (!nodeId) {
        note(`${label} ${name} (${id}) is attached to ${target ? JSON.stringify(target) : 'a target without a TargetId'}, which is not in the tree of the export; that attachment is skipped`, 'the policy is not applied there');
        continue;
      }
      attached++;
      const key = `${kind}|${nodeId}`;
      let set = attachedAt.get(key);
      if (!set) attachedAt.set(key, (set = new Set()));
      set.add(id);
      records.push({ type: 'edge', edge: { type: 'GRANTED', from: nodeId, to: policyNode.id, attributes: { via: kind }, provenance: [prov] } });
    }
    if (attached === 0) note(`${label} ${name} (${id}) is attached nowhere in the export`, 'it is kept in the inventory but limits nothing', false);
  }
  if (enabled.scp === false && [...attachedAt.keys()].some((k) => k.startsWith('scp|'))) {
    note('the root says service control policies are not enabled, yet SCPs are attached', 'the attached SCPs are applied as the export lists them');
  }
  // AWS keeps at least one SCP on every root, OU and account while SCPs are enabled: a level with none means the
  // export lacks its targets (the engine then leaves that level out rather than deny everything)
  const scpsUsed = [...attachedAt.keys()].some((k) => k.startsWith('scp|'));
  if (scpsUsed) {
    for (const nodeId of new Set(known.values())) {
      if (attachedAt.has(`scp|${nodeId}`)) continue;
      if (nodeId === orgIds.account(management ?? '')) continue;
      note(`no SCP is attached to ${nodeId.replace(/^aws:(org-root|org-unit|account):/, '')} in the export (AWS keeps at least one at every level)`, 'that level is not applied: SCPs attached above and below it still are', false, 'not-found');
    }
  }
  return { records, notes };
}

function node(n: IdentityNode): GraphRecord {
  return { type: 'node', node: n };
}
