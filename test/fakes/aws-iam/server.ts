/**
 * A loopback fake of the IAM API speaking the real AWS Query protocol: POST / with a form-encoded body
 * (`Action=...&Version=2010-05-08&...`), XML replies in the shapes @aws-sdk/client-iam's deserializer reads,
 * `<ErrorResponse>` errors with the real status codes. Paginates, polls, throttles and denies on demand.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import {
  attachmentCounts,
  encodeDocument,
  estateToCredentialReportCsv,
  groupArn,
  keysInSlotOrder,
  policyName,
  principalArns,
  roleArn,
  userArn,
  type FakeEstate,
  type FakeGroup,
  type FakeInlinePolicy,
  type FakeKey,
  type FakeManagedPolicy,
  type FakeRole,
  type FakeServiceAccess,
  type FakeUser,
} from './estate.js';
import { closeServer, FaultPlan, listenLoopback, respondWith, type Fault, type FaultSelector } from '../loopback.js';

export * from './estate.js';
export { makeSyntheticEstate, makeSyntheticOrganization, SYNTHETIC_AS_OF, SYNTHETIC_MANAGEMENT_ACCOUNT } from './synthetic.js';

const NS = 'https://iam.amazonaws.com/doc/2010-05-08/';

export type FailMode = 'deny' | { throttle: number } | { status: number; code: string; times?: number; message?: string };

export interface FakeIamOptions {
  /** items per page for paginated calls (the smaller of this and MaxItems); default 100 */
  pageSize?: number;
  /** delay before every reply */
  latencyMs?: number;
  /**
   * The credential report is being generated for this many answers after the first GenerateCredentialReport:
   * GenerateCredentialReport says STARTED (the first) or INPROGRESS, GetCredentialReport fails with 404
   * ReportInProgress, as IAM does; then the report is COMPLETE. Default 1 (Generate STARTED, then Get reads it).
   */
  reportPolls?: number;
  /** GetServiceLastAccessedDetails answers IN_PROGRESS this many times per job; default 0 */
  lastAccessedPolls?: number;
  /** a last-accessed job is IN_PROGRESS until this long after GenerateServiceLastAccessedDetails (as IAM's jobs take time); default 0 */
  lastAccessedMs?: number;
  /**
   * The server's estate is the management account of this organisation: the server also speaks Organizations
   * (JSON 1.1) and STS (AssumeRole, GetCallerIdentity), and IAM requests signed with credentials AssumeRole returned
   * read that member account's estate. Without it, Organizations answers AWSOrganizationsNotInUseException.
   */
  organization?: FakeOrganization;
}

export interface FakeOrganization {
  /** `o-` and 10 characters */
  id: string;
  /** `r-` and 4 characters */
  rootId: string;
  ous: Array<{ id: string; name: string; parentId: string }>;
  /** every account, the management one (the server's estate) included */
  accounts: Array<{ id: string; name: string; email: string; parentId: string; state?: 'ACTIVE' | 'SUSPENDED' | 'CLOSED'; joined: string; joinedMethod?: 'CREATED' | 'INVITED' }>;
  policies: Array<{ id: string; name: string; type: 'SERVICE_CONTROL_POLICY' | 'RESOURCE_CONTROL_POLICY'; description?: string; awsManaged?: boolean; content: string; targets: string[] }>;
  /** policy types enabled on the root (ListPolicies of another type: PolicyTypeNotEnabledException) */
  enabledPolicyTypes: string[];
  /** the member accounts' estates, by account id */
  estates: Record<string, FakeEstate>;
  /** the role AssumeRole can enter in member accounts; default OrganizationAccountAccessRole (absent from the management account, as AWS creates it only in members) */
  memberRole?: string;
  /** AssumeRole requires this external id */
  externalId?: string;
  /** AssumeRole into these accounts is denied */
  denyAssume?: string[];
  /** items per page of the Organizations list calls (the smaller of this and MaxResults); default 20 */
  pageSize?: number;
}

export interface FakeIam {
  url: string;
  close(): Promise<void>;
  /** every request: IAM and STS actions, Organizations operations (`account`: the estate an IAM request read) */
  requests: Array<{ action: string; params: Record<string, string>; account?: string }>;
  fail(action: string, how: FailMode): void;
  /** a transport fault (cut body, wrong body, never answered) on an action, per N-th request or a seeded fraction */
  fault(action: string | RegExp, fault: Fault, select?: FaultSelector): void;
  /** the requests that got a transport fault */
  readonly injected: FaultPlan['injected'];
  /** stop failing `action` (every action, and every transport fault, when omitted) */
  clear(action?: string): void;
}

// ---- XML helpers ----------------------------------------------------------------------------------------------

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

/** `<tag>value</tag>`, nothing when the value is undefined. Strings are escaped; `raw` children are not. */
function el(tag: string, value: string | number | boolean | undefined): string {
  if (value === undefined) return '';
  return `<${tag}>${esc(String(value))}</${tag}>`;
}
function raw(tag: string, inner: string): string {
  return `<${tag}>${inner}</${tag}>`;
}
function members<T>(tag: string, items: T[], render: (t: T) => string): string {
  return raw(tag, items.map((i) => raw('member', render(i))).join(''));
}
function iso(d: string): string {
  return new Date(d).toISOString();
}

function ok(action: string, inner: string): string {
  return `<${action}Response xmlns="${NS}">${raw(`${action}Result`, inner)}<ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></${action}Response>`;
}

class QueryError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly type: 'Sender' | 'Receiver' = 'Sender',
  ) {
    super(message);
  }
}

function errorXml(e: QueryError): string {
  return `<ErrorResponse xmlns="${NS}"><Error><Type>${e.type}</Type><Code>${esc(e.code)}</Code><Message>${esc(e.message)}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`;
}

// ---- renderers of estate objects ------------------------------------------------------------------------------

const inlineXml = (tag: string, list: FakeInlinePolicy[]) => members(tag, list, (p) => el('PolicyName', p.name) + el('PolicyDocument', encodeDocument(p.document)));
const attachedXml = (list: string[]) => members('AttachedManagedPolicies', list, (arn) => el('PolicyName', policyName(arn)) + el('PolicyArn', arn));
const tagsXml = (tags: Record<string, string> | undefined) => members('Tags', Object.entries(tags ?? {}), ([k, v]) => el('Key', k) + el('Value', v));
const boundaryXml = (arn: string | undefined) => (arn ? raw('PermissionsBoundary', el('PermissionsBoundaryType', 'Policy') + el('PermissionsBoundaryArn', arn)) : '');

function userXml(e: FakeEstate, u: FakeUser): string {
  return (
    el('Path', u.path ?? '/') +
    el('UserName', u.name) +
    el('UserId', u.id) +
    el('Arn', userArn(e, u)) +
    el('CreateDate', iso(u.createDate)) +
    inlineXml('UserPolicyList', u.inline) +
    members('GroupList', u.groups, (g) => esc(g)) +
    attachedXml(u.attached) +
    boundaryXml(u.boundary) +
    tagsXml(u.tags)
  );
}

function groupXml(e: FakeEstate, g: FakeGroup): string {
  return el('Path', g.path ?? '/') + el('GroupName', g.name) + el('GroupId', g.id) + el('Arn', groupArn(e, g)) + el('CreateDate', iso(g.createDate)) + inlineXml('GroupPolicyList', g.inline) + attachedXml(g.attached);
}

function roleXml(e: FakeEstate, r: FakeRole): string {
  const profiles = members('InstanceProfileList', r.instanceProfiles ?? [], (name) =>
    el('Path', '/') + el('InstanceProfileName', name) + el('InstanceProfileId', `AIPA${name.toUpperCase().replace(/[^A-Z0-9]/g, '').slice(0, 16)}`) + el('Arn', `arn:aws:iam::${e.accountId}:instance-profile/${name}`) + el('CreateDate', iso(r.createDate)) + raw('Roles', ''),
  );
  const lastUsed = r.lastUsed ? raw('RoleLastUsed', el('LastUsedDate', iso(r.lastUsed.date)) + el('Region', r.lastUsed.region)) : '<RoleLastUsed/>';
  return (
    el('Path', r.path ?? '/') +
    el('RoleName', r.name) +
    el('RoleId', r.id) +
    el('Arn', roleArn(e, r)) +
    el('CreateDate', iso(r.createDate)) +
    el('AssumeRolePolicyDocument', encodeDocument(r.trust)) +
    profiles +
    inlineXml('RolePolicyList', r.inline) +
    attachedXml(r.attached) +
    boundaryXml(r.boundary) +
    tagsXml(r.tags) +
    lastUsed
  );
}

function policyXml(p: FakeManagedPolicy, attachments: number): string {
  const v = p.defaultVersionId ?? 'v1';
  return (
    el('PolicyName', p.name) +
    el('PolicyId', p.id) +
    el('Arn', p.arn) +
    el('Path', p.path ?? '/') +
    el('DefaultVersionId', v) +
    el('AttachmentCount', attachments) +
    el('PermissionsBoundaryUsageCount', 0) +
    el('IsAttachable', true) +
    el('Description', p.description) +
    el('CreateDate', iso(p.createDate)) +
    el('UpdateDate', iso(p.updateDate)) +
    members('PolicyVersionList', [p], () => el('Document', encodeDocument(p.document)) + el('VersionId', v) + el('IsDefaultVersion', true) + el('CreateDate', iso(p.updateDate)))
  );
}

function serviceXml(arn: string, s: FakeServiceAccess): string {
  return (
    el('ServiceName', s.name) +
    el('ServiceNamespace', s.namespace) +
    (s.lastAuthenticated ? el('LastAuthenticated', iso(s.lastAuthenticated)) + el('LastAuthenticatedEntity', s.entity ?? arn) + el('LastAuthenticatedRegion', s.region ?? 'us-east-1') : '') +
    el('TotalAuthenticatedEntities', s.total)
  );
}

// ---- the server -----------------------------------------------------------------------------------------------

function encodeMarker(n: number): string {
  return Buffer.from(`offset:${n}`).toString('base64');
}
function decodeMarker(m: string | undefined): number {
  if (!m) return 0;
  const s = Buffer.from(m, 'base64').toString('utf8');
  const n = Number(s.replace(/^offset:/, ''));
  if (!s.startsWith('offset:') || !Number.isInteger(n) || n < 0) throw new QueryError(400, 'InvalidInput', 'Invalid Marker');
  return n;
}

function listParam(params: Record<string, string>, name: string): string[] {
  const out: string[] = [];
  for (let i = 1; params[`${name}.member.${i}`] !== undefined; i++) out.push(params[`${name}.member.${i}`]);
  return out;
}

type AuthzItem = { kind: 'user'; u: FakeUser } | { kind: 'group'; g: FakeGroup } | { kind: 'role'; r: FakeRole } | { kind: 'policy'; p: FakeManagedPolicy };

/** The IAM actions of one account's estate, with their own report and job state. */
function estateHandlers(estate: FakeEstate, opts: FakeIamOptions): Record<string, (p: Record<string, string>) => string> {
  const pageSize = opts.pageSize ?? 100;
  const reportPolls = opts.reportPolls ?? 1;
  const lastAccessedPolls = opts.lastAccessedPolls ?? 0;
  const lastAccessedMs = opts.lastAccessedMs ?? 0;

  const usersByName = new Map(estate.users.map((u) => [u.name, u]));
  const keysById = new Map<string, { key: FakeKey; user: FakeUser }>();
  for (const u of estate.users) for (const k of u.keys) keysById.set(k.id, { key: k, user: u });
  const knownArns = new Set(principalArns(estate));
  const counts = attachmentCounts(estate);

  let reportStarted = false;
  let reportNotReadyLeft = reportPolls;
  let reportCsv: string | undefined;
  /** one answer about the report once generation started: still generating (this many times), then ready */
  const reportReady = (): boolean => {
    if (reportCsv) return true;
    if (reportNotReadyLeft > 0) {
      reportNotReadyLeft--;
      return false;
    }
    reportCsv = estateToCredentialReportCsv(estate);
    return true;
  };
  const jobs = new Map<string, { arn: string; pollsLeft: number; created: string; readyAt: number }>();

  function pageOf<T>(items: T[], params: Record<string, string>): { page: T[]; next?: string } {
    const max = Math.min(Number(params.MaxItems ?? pageSize) || pageSize, pageSize);
    const start = decodeMarker(params.Marker);
    const page = items.slice(start, start + max);
    const end = start + page.length;
    return { page, next: end < items.length ? encodeMarker(end) : undefined };
  }
  const truncation = (next: string | undefined) => el('IsTruncated', next !== undefined) + el('Marker', next);

  const handlers: Record<string, (p: Record<string, string>) => string> = {
    GetAccountAuthorizationDetails(p) {
      const filter = new Set(listParam(p, 'Filter'));
      const want = (f: string) => filter.size === 0 || filter.has(f);
      const items: AuthzItem[] = [];
      if (want('User')) for (const u of estate.users) items.push({ kind: 'user', u });
      if (want('Group')) for (const g of estate.groups) items.push({ kind: 'group', g });
      if (want('Role')) for (const r of estate.roles) items.push({ kind: 'role', r });
      for (const pol of estate.policies) {
        const awsManaged = pol.arn.startsWith('arn:aws:iam::aws:');
        if (want(awsManaged ? 'AWSManagedPolicy' : 'LocalManagedPolicy')) items.push({ kind: 'policy', p: pol });
      }
      const { page, next } = pageOf(items, p);
      const pick = <K extends AuthzItem['kind']>(k: K) => page.filter((i): i is Extract<AuthzItem, { kind: K }> => i.kind === k);
      return ok(
        'GetAccountAuthorizationDetails',
        members('UserDetailList', pick('user'), (i) => userXml(estate, i.u)) +
          members('GroupDetailList', pick('group'), (i) => groupXml(estate, i.g)) +
          members('RoleDetailList', pick('role'), (i) => roleXml(estate, i.r)) +
          members('Policies', pick('policy'), (i) => policyXml(i.p, counts.get(i.p.arn) ?? 0)) +
          truncation(next),
      );
    },
    GenerateCredentialReport() {
      const first = !reportStarted;
      reportStarted = true;
      const state = reportReady() ? 'COMPLETE' : first ? 'STARTED' : 'INPROGRESS';
      const description = state === 'STARTED' ? 'No report exists. Starting a new report generation task' : state === 'INPROGRESS' ? 'Report generation in progress' : undefined;
      return ok('GenerateCredentialReport', el('State', state) + el('Description', description));
    },
    GetCredentialReport() {
      if (!reportStarted) throw new QueryError(410, 'ReportNotPresent', 'Credential report not present. Call GenerateCredentialReport first.');
      if (!reportReady() || !reportCsv) throw new QueryError(404, 'ReportInProgress', 'Credential report is being generated.');
      return ok('GetCredentialReport', el('Content', Buffer.from(reportCsv).toString('base64')) + el('ReportFormat', 'text/csv') + el('GeneratedTime', iso(estate.generatedAt)));
    },
    ListAccessKeys(p) {
      const u = p.UserName ? usersByName.get(p.UserName) : undefined;
      if (!u) throw new QueryError(404, 'NoSuchEntity', `The user with name ${p.UserName ?? '(caller)'} cannot be found.`);
      const { page, next } = pageOf(keysInSlotOrder(u.keys), p);
      return ok(
        'ListAccessKeys',
        members('AccessKeyMetadata', page, (k) => el('UserName', u.name) + el('AccessKeyId', k.id) + el('Status', k.status) + el('CreateDate', iso(k.createDate))) + truncation(next),
      );
    },
    GetAccessKeyLastUsed(p) {
      const hit = keysById.get(p.AccessKeyId ?? '');
      if (!hit) throw new QueryError(403, 'AccessDenied', 'The access key does not exist in this account.');
      const lu = hit.key.lastUsed;
      const inner = lu ? el('LastUsedDate', iso(lu.date)) + el('ServiceName', lu.service) + el('Region', lu.region) : el('ServiceName', 'N/A') + el('Region', 'N/A');
      return ok('GetAccessKeyLastUsed', el('UserName', hit.user.name) + raw('AccessKeyLastUsed', inner));
    },
    GenerateServiceLastAccessedDetails(p) {
      const arn = p.Arn ?? '';
      if (!knownArns.has(arn)) throw new QueryError(404, 'NoSuchEntity', `The entity ${arn} cannot be found.`);
      const id = randomUUID();
      jobs.set(id, { arn, pollsLeft: lastAccessedPolls, created: new Date().toISOString(), readyAt: Date.now() + lastAccessedMs });
      return ok('GenerateServiceLastAccessedDetails', el('JobId', id));
    },
    GetServiceLastAccessedDetails(p) {
      const job = jobs.get(p.JobId ?? '');
      if (!job) throw new QueryError(400, 'InvalidInput', `Job ${p.JobId} not found.`);
      if (job.pollsLeft > 0 || Date.now() < job.readyAt) {
        if (job.pollsLeft > 0) job.pollsLeft--;
        return ok('GetServiceLastAccessedDetails', el('JobStatus', 'IN_PROGRESS') + el('JobType', 'SERVICE_LEVEL') + el('JobCreationDate', job.created) + '<ServicesLastAccessed/>' + el('IsTruncated', false));
      }
      const services = estate.lastAccessed[job.arn] ?? [];
      const { page, next } = pageOf(services, p);
      return ok(
        'GetServiceLastAccessedDetails',
        el('JobStatus', 'COMPLETED') +
          el('JobType', 'SERVICE_LEVEL') +
          el('JobCreationDate', job.created) +
          members('ServicesLastAccessed', page, (s) => serviceXml(job.arn, s)) +
          el('JobCompletionDate', job.created) +
          truncation(next),
      );
    },
  };
  return handlers;
}

// ---- Organizations (JSON 1.1) and STS (Query) faces ----------------------------------------------------------------

const ORG_TARGET = 'AWSOrganizationsV20161128.';
const STS_VERSION = '2011-06-15';
const STS_NS = 'https://sts.amazonaws.com/doc/2011-06-15/';

function stsOk(action: string, inner: string): string {
  return `<${action}Response xmlns="${STS_NS}">${raw(`${action}Result`, inner)}<ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></${action}Response>`;
}

function stsAnswer(action: string, p: Record<string, string>, caller: string, org: OrganizationFace | undefined): string {
  if (action === 'GetCallerIdentity') {
    return stsOk('GetCallerIdentity', el('UserId', 'AIDAFAKEAUDITOR') + el('Account', caller) + el('Arn', `arn:aws:iam::${caller}:user/auditor`));
  }
  if (action === 'AssumeRole') {
    if (!org) throw new QueryError(403, 'AccessDenied', `User: arn:aws:iam::${caller}:user/auditor is not authorized to perform: sts:AssumeRole on resource: ${p.RoleArn ?? ''}`);
    const { accessKeyId, account, role } = org.assumeRole(p, caller);
    const expires = new Date(Date.now() + 3_600_000).toISOString();
    return stsOk(
      'AssumeRole',
      raw('Credentials', el('AccessKeyId', accessKeyId) + el('SecretAccessKey', `fake-secret-${randomUUID()}`) + el('SessionToken', `fake-session-${randomUUID()}`) + el('Expiration', expires)) +
        raw('AssumedRoleUser', el('AssumedRoleId', `AROAFAKE${account}:${p.RoleSessionName ?? ''}`) + el('Arn', `arn:aws:sts::${account}:assumed-role/${role}/${p.RoleSessionName ?? ''}`)),
    );
  }
  throw new QueryError(400, 'InvalidAction', `Could not find operation ${action} for version ${STS_VERSION}`);
}

interface OrganizationFace {
  organizations(op: string, input: Record<string, unknown>): unknown;
  assumeRole(p: Record<string, string>, caller: string): { accessKeyId: string; account: string; role: string };
  accountOfKey(accessKeyId: string): string | undefined;
  handlersOf(account: string): Record<string, (p: Record<string, string>) => string> | undefined;
}

function organizationFace(management: FakeEstate, o: FakeOrganization, opts: FakeIamOptions): OrganizationFace {
  const mgmt = management.accountId;
  const pageSize = o.pageSize ?? 20;
  const memberRole = o.memberRole ?? 'OrganizationAccountAccessRole';
  const orgArn = `arn:aws:organizations::${mgmt}:organization/${o.id}`;
  const rootArn = `arn:aws:organizations::${mgmt}:root/${o.id}/${o.rootId}`;
  const ouArn = (id: string) => `arn:aws:organizations::${mgmt}:ou/${o.id}/${id}`;
  const accountArn = (id: string) => `arn:aws:organizations::${mgmt}:account/${o.id}/${id}`;
  const policyArn = (p: FakeOrganization['policies'][number]) =>
    p.awsManaged ? `arn:aws:organizations::aws:policy/${p.type.toLowerCase()}/${p.id}` : `arn:aws:organizations::${mgmt}:policy/${o.id}/${p.type.toLowerCase()}/${p.id}`;
  const keys = new Map<string, string>();
  const handlers = new Map<string, Record<string, (p: Record<string, string>) => string>>();
  let issued = 0;

  const page = <T>(items: T[], input: Record<string, unknown>, key: string): Record<string, unknown> => {
    const max = Math.min(Number(input.MaxResults ?? pageSize) || pageSize, pageSize);
    const start = typeof input.NextToken === 'string' ? decodeMarker(input.NextToken) : 0;
    const slice = items.slice(start, start + max);
    const end = start + slice.length;
    return { [key]: slice, ...(end < items.length ? { NextToken: encodeMarker(end) } : {}) };
  };
  const isParent = (id: unknown) => id === o.rootId || o.ous.some((u) => u.id === id);
  const parentOf = (id: unknown) => {
    if (!isParent(id)) throw new QueryError(400, 'ParentNotFoundException', `We can\u2019t find a root or OU with the ParentId that you specified: ${String(id)}`);
  };
  const account = (a: FakeOrganization['accounts'][number]) => {
    const state = a.state ?? 'ACTIVE';
    return { Id: a.id, Arn: accountArn(a.id), Email: a.email, Name: a.name, Status: state === 'CLOSED' ? 'SUSPENDED' : state, State: state, JoinedMethod: a.joinedMethod ?? 'CREATED', JoinedTimestamp: Date.parse(a.joined) / 1000 };
  };
  const summary = (p: FakeOrganization['policies'][number]) => ({ Id: p.id, Arn: policyArn(p), Name: p.name, Description: p.description ?? '', Type: p.type, AwsManaged: p.awsManaged ?? false });
  const policy = (id: unknown) => {
    const p = o.policies.find((x) => x.id === id);
    if (!p) throw new QueryError(400, 'PolicyNotFoundException', `We can\u2019t find a policy with the PolicyId that you specified: ${String(id)}`);
    return p;
  };
  const target = (id: string) => {
    if (id === o.rootId) return { TargetId: id, Arn: rootArn, Name: 'Root', Type: 'ROOT' };
    const ou = o.ous.find((u) => u.id === id);
    if (ou) return { TargetId: id, Arn: ouArn(id), Name: ou.name, Type: 'ORGANIZATIONAL_UNIT' };
    const a = o.accounts.find((x) => x.id === id);
    return { TargetId: id, Arn: accountArn(id), Name: a?.name ?? id, Type: 'ACCOUNT' };
  };

  const ops: Record<string, (input: Record<string, unknown>) => unknown> = {
    DescribeOrganization: () => ({
      Organization: {
        Id: o.id,
        Arn: orgArn,
        FeatureSet: 'ALL',
        MasterAccountArn: `arn:aws:organizations::${mgmt}:account/${o.id}/${mgmt}`,
        MasterAccountId: mgmt,
        MasterAccountEmail: o.accounts.find((a) => a.id === mgmt)?.email ?? 'management@example.com',
        AvailablePolicyTypes: o.enabledPolicyTypes.map((Type) => ({ Type, Status: 'ENABLED' })),
      },
    }),
    ListRoots: (input) => page([{ Id: o.rootId, Arn: rootArn, Name: 'Root', PolicyTypes: o.enabledPolicyTypes.map((Type) => ({ Type, Status: 'ENABLED' })) }], input, 'Roots'),
    ListOrganizationalUnitsForParent: (input) => {
      parentOf(input.ParentId);
      return page(o.ous.filter((u) => u.parentId === input.ParentId).map((u) => ({ Id: u.id, Arn: ouArn(u.id), Name: u.name })), input, 'OrganizationalUnits');
    },
    ListAccountsForParent: (input) => {
      parentOf(input.ParentId);
      return page(o.accounts.filter((a) => a.parentId === input.ParentId).map(account), input, 'Accounts');
    },
    ListAccounts: (input) => page(o.accounts.map(account), input, 'Accounts'),
    ListPolicies: (input) => {
      const type = String(input.Filter ?? '');
      if (!o.enabledPolicyTypes.includes(type)) throw new QueryError(400, 'PolicyTypeNotEnabledException', 'This operation can be performed only for enabled policy types.');
      return page(o.policies.filter((p) => p.type === type).map(summary), input, 'Policies');
    },
    DescribePolicy: (input) => {
      const p = policy(input.PolicyId);
      return { Policy: { PolicySummary: summary(p), Content: p.content } };
    },
    ListTargetsForPolicy: (input) => page(policy(input.PolicyId).targets.map(target), input, 'Targets'),
  };

  return {
    organizations(op, input) {
      const h = ops[op];
      if (!h) throw new QueryError(400, 'UnknownOperationException', `Unknown operation ${op}`);
      return h(input);
    },
    assumeRole(p, caller) {
      const m = /^arn:aws:iam::(\d{12}):role\/(?:.*\/)?([\w+=,.@-]+)$/.exec(p.RoleArn ?? '');
      const denied = () =>
        new QueryError(403, 'AccessDenied', `User: arn:aws:iam::${caller}:user/auditor is not authorized to perform: sts:AssumeRole on resource: ${p.RoleArn ?? ''}`);
      if (!m) throw new QueryError(400, 'ValidationError', `${p.RoleArn ?? ''} is not a valid role ARN`);
      const [, acct, role] = m;
      if (role !== memberRole || !o.estates[acct] || o.denyAssume?.includes(acct)) throw denied();
      if (o.externalId !== undefined && p.ExternalId !== o.externalId) throw denied();
      issued++;
      const accessKeyId = `ASIA${acct}${String(issued).padStart(4, '0')}`;
      keys.set(accessKeyId, acct);
      return { accessKeyId, account: acct, role };
    },
    accountOfKey: (k) => keys.get(k),
    handlersOf(acct) {
      const e = o.estates[acct];
      if (!e) return undefined;
      let h = handlers.get(acct);
      if (!h) handlers.set(acct, (h = estateHandlers(e, opts)));
      return h;
    },
  };
}

export async function startFakeIam(estate: FakeEstate, opts: FakeIamOptions = {}): Promise<FakeIam> {
  const requests: FakeIam['requests'] = [];
  const faults = new FaultPlan();
  const failures = new Map<string, { kind: 'deny' } | { kind: 'error'; status: number; code: string; remaining: number; message?: string }>();
  const handlers = estateHandlers(estate, opts);
  const org = opts.organization ? organizationFace(estate, opts.organization, opts) : undefined;

  /** an injected failure of `action`, as the protocol of the service says it */
  const injected = (action: string, account: string): QueryError | undefined => {
    const f = failures.get(action);
    if (f?.kind === 'deny') {
      return new QueryError(403, 'AccessDenied', `User: arn:aws:iam::${account}:user/auditor is not authorized to perform: ${action} on resource: * because no identity-based policy allows the ${action} action`);
    }
    if (f?.kind === 'error' && f.remaining > 0) {
      f.remaining--;
      return new QueryError(f.status, f.code, f.message ?? (f.code === 'Throttling' ? 'Rate exceeded' : `${f.code} (injected)`), f.status >= 500 ? 'Receiver' : 'Sender');
    }
    return undefined;
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const target = String(req.headers['x-amz-target'] ?? '');
    if (target.startsWith(ORG_TARGET)) {
      const op = target.slice(ORG_TARGET.length);
      let input: Record<string, unknown> = {};
      try {
        input = text ? (JSON.parse(text) as Record<string, unknown>) : {};
      } catch {
        /* answered below as a bad request */
      }
      requests.push({ action: op, params: Object.fromEntries(Object.entries(input).map(([k, v]) => [k, String(v)])) });
      const fault = faults.next(op);
      if (opts.latencyMs) await new Promise((r) => setTimeout(r, opts.latencyMs));
      let status = 200;
      let body: string;
      try {
        const e = injected(op, estate.accountId);
        if (e) throw e.code === 'AccessDenied' ? new QueryError(400, 'AccessDeniedException', 'You don\u2019t have permissions to access this resource.') : e.code === 'Throttling' ? new QueryError(400, 'TooManyRequestsException', 'AWS Organizations can\u2019t complete your request because another request is already in progress. Try again later.') : e;
        if (!org) throw new QueryError(400, 'AWSOrganizationsNotInUseException', 'Your account is not a member of an organization.');
        body = JSON.stringify(org.organizations(op, input));
      } catch (err) {
        const e = err instanceof QueryError ? err : new QueryError(500, 'ServiceException', err instanceof Error ? err.message : String(err), 'Receiver');
        status = e.status;
        body = JSON.stringify({ __type: e.code, Message: e.message });
      }
      respondWith(res, fault, status, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': randomUUID() }, body);
      return;
    }
    const params = Object.fromEntries(new URLSearchParams(text));
    const action = params.Action ?? '';
    // the access key the request was signed with tells the account (credentials AssumeRole handed out), else the management account
    const key = /Credential=([^/]+)\//.exec(String(req.headers.authorization ?? ''))?.[1] ?? '';
    const account = org?.accountOfKey(key) ?? estate.accountId;
    const sts = params.Version === STS_VERSION;
    requests.push({ action, params, ...(sts ? {} : { account }) });
    const fault = faults.next(action);
    if (opts.latencyMs) await new Promise((r) => setTimeout(r, opts.latencyMs));
    let status = 200;
    let body: string;
    try {
      if (req.method !== 'POST') throw new QueryError(405, 'MethodNotAllowed', 'POST only');
      if (sts) {
        const e = injected(action, account);
        if (e) throw e;
        body = stsAnswer(action, params, account, org);
      } else {
        if (params.Version !== '2010-05-08') throw new QueryError(400, 'InvalidParameterValue', `Unsupported Version ${params.Version}`);
        const e = injected(action, account);
        if (e) throw e;
        const h = (account === estate.accountId ? handlers : org?.handlersOf(account))?.[action];
        if (!h) throw new QueryError(400, 'InvalidAction', `Could not find operation ${action} for version 2010-05-08`);
        body = h(params);
      }
    } catch (err) {
      const e = err instanceof QueryError ? err : new QueryError(500, 'ServiceFailure', err instanceof Error ? err.message : String(err), 'Receiver');
      status = e.status;
      body = sts ? errorXml(e).replace(NS, STS_NS) : errorXml(e);
    }
    respondWith(res, fault, status, { 'content-type': 'text/xml', 'x-amzn-requestid': randomUUID() }, body);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err) => {
      res.writeHead(500);
      res.end(String(err));
    });
  });
  const url = await listenLoopback(server);

  return {
    url,
    requests,
    fail(action, how) {
      if (how === 'deny') failures.set(action, { kind: 'deny' });
      else if ('throttle' in how) failures.set(action, { kind: 'error', status: 400, code: 'Throttling', remaining: how.throttle });
      else failures.set(action, { kind: 'error', status: how.status, code: how.code, remaining: how.times ?? Number.POSITIVE_INFINITY, message: how.message });
    },
    fault(action, fault, select) {
      faults.add(action, fault, select);
    },
    injected: faults.injected,
    clear(action) {
      if (action) failures.delete(action);
      else {
        failures.clear();
        faults.clear();
      }
    },
    close: () => closeServer(server),
  };
}
