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
export { makeSyntheticEstate, SYNTHETIC_AS_OF } from './synthetic.js';

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
}

export interface FakeIam {
  url: string;
  close(): Promise<void>;
  requests: Array<{ action: string; params: Record<string, string> }>;
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

export async function startFakeIam(estate: FakeEstate, opts: FakeIamOptions = {}): Promise<FakeIam> {
  const pageSize = opts.pageSize ?? 100;
  const reportPolls = opts.reportPolls ?? 1;
  const lastAccessedPolls = opts.lastAccessedPolls ?? 0;
  const lastAccessedMs = opts.lastAccessedMs ?? 0;
  const requests: FakeIam['requests'] = [];
  const faults = new FaultPlan();
  const failures = new Map<string, { kind: 'deny' } | { kind: 'error'; status: number; code: string; remaining: number; message?: string }>();

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

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const params = Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8')));
    const action = params.Action ?? '';
    requests.push({ action, params });
    const fault = faults.next(action);
    if (opts.latencyMs) await new Promise((r) => setTimeout(r, opts.latencyMs));
    let status = 200;
    let body: string;
    try {
      if (req.method !== 'POST') throw new QueryError(405, 'MethodNotAllowed', 'POST only');
      if (params.Version !== '2010-05-08') throw new QueryError(400, 'InvalidParameterValue', `Unsupported Version ${params.Version}`);
      const f = failures.get(action);
      if (f?.kind === 'deny') {
        throw new QueryError(403, 'AccessDenied', `User: arn:aws:iam::${estate.accountId}:user/auditor is not authorized to perform: iam:${action} on resource: * because no identity-based policy allows the iam:${action} action`);
      }
      if (f?.kind === 'error' && f.remaining > 0) {
        f.remaining--;
        throw new QueryError(f.status, f.code, f.message ?? (f.code === 'Throttling' ? 'Rate exceeded' : `${f.code} (injected)`), f.status >= 500 ? 'Receiver' : 'Sender');
      }
      const h = handlers[action];
      if (!h) throw new QueryError(400, 'InvalidAction', `Could not find operation ${action} for version 2010-05-08`);
      body = h(params);
    } catch (err) {
      const e = err instanceof QueryError ? err : new QueryError(500, 'ServiceFailure', err instanceof Error ? err.message : String(err), 'Receiver');
      status = e.status;
      body = errorXml(e);
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
