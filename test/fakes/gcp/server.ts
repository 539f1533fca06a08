/**
 * A loopback fake of the Google Cloud APIs the gcp connector reads, speaking their REST/JSON wire format (the same one
 * the gax clients use with `fallback: true`): IAM v1 (service accounts, keys, service-account IAM policies, roles),
 * IAM v1beta workload identity pools and providers, IAM v2 deny policies, Resource Manager v3 (projects, folders,
 * organizations, getIamPolicy), Recommender v1 (recommendations, insights), Policy Analyzer v1 (activities:query) and
 * IAM Credentials (generateAccessToken, for impersonation).
 *
 * List methods paginate with pageToken / nextPageToken at `min(pageSize, maxPageSize)`. Errors use Google's JSON error
 * body (`error.code`, `status`, `details[]` with a `google.rpc.ErrorInfo` reason such as SERVICE_DISABLED or
 * IAM_PERMISSION_DENIED). Every request needs a Bearer token (401 without one); the log records which token was used.
 * Recommender content is returned as plain JSON, as the real REST endpoint does; the gax client turns it into a
 * protobuf Struct, which is what the connector must convert back.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { GcpActivity, GcpKey, GcpPolicy, GcpRecommendation, GcpRole, GcpServiceAccount, GcpWifPool, GcpWifProvider } from '../../../connectors/gcp/map.js';
import { closeServer, FaultPlan, listenLoopback, respondWith, type Fault, type FaultSelector } from '../loopback.js';

export interface FakeGcpProject {
  projectId: string;
  projectNumber: string;
  /** `folders/123` or `organizations/456` */
  parent?: string;
  serviceAccounts: GcpServiceAccount[];
  /** by service-account email */
  keys: Record<string, GcpKey[]>;
  policy: GcpPolicy;
  /** by service-account email */
  saPolicies: Record<string, GcpPolicy>;
  customRoles?: GcpRole[];
  pools?: GcpWifPool[];
  providers?: GcpWifProvider[];
  denyPolicies?: Array<{ name: string; displayName?: string; rules: unknown[] }>;
  saActivity?: GcpActivity[];
  keyActivity?: GcpActivity[];
  recommendations?: GcpRecommendation[];
  insights?: unknown[];
}
export interface FakeGcpEstate {
  projects: FakeGcpProject[];
  folders?: Array<{ name: string; parent: string; displayName?: string; policy?: GcpPolicy }>;
  organizations?: Array<{ name: string; displayName?: string; policy?: GcpPolicy }>;
  /** predefined (and organization) role definitions served by roles.get */
  roles?: GcpRole[];
}

/** A fault for requests whose route (see ROUTES) and resource match. `times` undefined = every time. */
export interface FakeFault {
  route: string;
  /** only requests whose path contains this (e.g. a project id) */
  where?: string;
  status: 403 | 404 | 429 | 500 | 503;
  /** ErrorInfo reason: SERVICE_DISABLED, IAM_PERMISSION_DENIED, RATE_LIMIT_EXCEEDED … */
  reason?: string;
  /** the project the call is billed to (default: the project in the path, by number, as Google reports it) */
  consumer?: string;
  times?: number;
}

export interface FakeGcp {
  url: string;
  requests: Array<{ method: string; path: string; route: string; token: string; userProject?: string }>;
  maxInFlight: number;
  /** tokens the fake issued through generateAccessToken, by service account */
  issued: Map<string, string>;
  fail(f: FakeFault): void;
  /** a transport fault (cut body, wrong body, never answered) on a route, per N-th request or a seeded fraction */
  fault(route: string | RegExp, fault: Fault, select?: FaultSelector): void;
  /** the requests that got a transport fault */
  readonly injected: FaultPlan['injected'];
  /** clears the failures and the transport faults */
  clear(): void;
  countByRoute(): Record<string, number>;
  close(): Promise<void>;
}

const SEG = '([^/]+)';
export const ROUTES: Array<[string, string, RegExp]> = [
  ['iam.serviceAccounts.list', 'GET', new RegExp(`^/v1/projects/${SEG}/serviceAccounts$`)],
  ['iam.serviceAccounts.keys.list', 'GET', new RegExp(`^/v1/projects/${SEG}/serviceAccounts/${SEG}/keys$`)],
  ['iam.serviceAccounts.getIamPolicy', 'POST', new RegExp(`^/v1/projects/${SEG}/serviceAccounts/${SEG}:getIamPolicy$`)],
  ['iam.projects.roles.list', 'GET', new RegExp(`^/v1/projects/${SEG}/roles$`)],
  ['iam.roles.get', 'GET', /^\/v1\/((?:roles|organizations\/[^/]+\/roles|projects\/[^/]+\/roles)\/[^/]+)$/],
  // v1beta through @google-cloud/iam; v1 (GA, @googleapis/iam) answers the same
  ['iam.workloadIdentityPools.list', 'GET', new RegExp(`^/(?:v1beta|v1)/projects/${SEG}/locations/global/workloadIdentityPools$`)],
  ['iam.workloadIdentityPoolProviders.list', 'GET', new RegExp(`^/(?:v1beta|v1)/projects/${SEG}/locations/global/workloadIdentityPools/${SEG}/providers$`)],
  ['iam.denypolicies.list', 'GET', new RegExp(`^/v2/policies/${SEG}/denypolicies$`)],
  ['iam.denypolicies.get', 'GET', new RegExp(`^/v2/policies/${SEG}/denypolicies/${SEG}$`)],
  ['resourcemanager.projects.get', 'GET', new RegExp(`^/v3/projects/${SEG}$`)],
  ['resourcemanager.projects.getIamPolicy', 'POST', new RegExp(`^/v3/projects/${SEG}:getIamPolicy$`)],
  ['resourcemanager.projects.list', 'GET', /^\/v3\/projects$/],
  ['resourcemanager.folders.get', 'GET', new RegExp(`^/v3/folders/${SEG}$`)],
  ['resourcemanager.folders.list', 'GET', /^\/v3\/folders$/],
  ['resourcemanager.folders.getIamPolicy', 'POST', new RegExp(`^/v3/folders/${SEG}:getIamPolicy$`)],
  ['resourcemanager.organizations.getIamPolicy', 'POST', new RegExp(`^/v3/organizations/${SEG}:getIamPolicy$`)],
  ['recommender.recommendations.list', 'GET', new RegExp(`^/v1/projects/${SEG}/locations/global/recommenders/${SEG}/recommendations$`)],
  ['recommender.insights.list', 'GET', new RegExp(`^/v1/projects/${SEG}/locations/global/insightTypes/${SEG}/insights$`)],
  ['policyanalyzer.activities.query', 'GET', new RegExp(`^/v1/projects/${SEG}/locations/global/activityTypes/${SEG}/activities:query$`)],
  ['iamcredentials.generateAccessToken', 'POST', new RegExp(`^/v1/projects/-/serviceAccounts/${SEG}:generateAccessToken$`)],
];

const SERVICE_OF: Record<string, string> = {
  iam: 'iam.googleapis.com',
  resourcemanager: 'cloudresourcemanager.googleapis.com',
  recommender: 'recommender.googleapis.com',
  policyanalyzer: 'policyanalyzer.googleapis.com',
  iamcredentials: 'iamcredentials.googleapis.com',
};

const STATUS_TEXT: Record<number, string> = { 400: 'INVALID_ARGUMENT', 401: 'UNAUTHENTICATED', 403: 'PERMISSION_DENIED', 404: 'NOT_FOUND', 429: 'RESOURCE_EXHAUSTED', 500: 'INTERNAL', 503: 'UNAVAILABLE' };

function errorBody(code: number, message: string, reason?: string, metadata?: Record<string, string>) {
  const details = reason ? [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason, domain: 'googleapis.com', metadata: metadata ?? {} }] : [];
  return { error: { code, message, status: STATUS_TEXT[code] ?? 'UNKNOWN', details } };
}

export interface FakeGcpOptions {
  /** the most items one page holds, whatever pageSize the client asks for */
  maxPageSize?: number;
  latencyMs?: number;
}

export async function startFakeGcp(estate: FakeGcpEstate, opts: FakeGcpOptions = {}): Promise<FakeGcp> {
  const maxPage = opts.maxPageSize ?? 100;
  const faults: Array<FakeFault & { used: number }> = [];
  const transport = new FaultPlan();
  const requests: FakeGcp['requests'] = [];
  const issued = new Map<string, string>();
  let inFlight = 0;
  let maxInFlight = 0;
  const project = (idOrNumber: string) => estate.projects.find((p) => p.projectId === idOrNumber || p.projectNumber === idOrNumber);
  const saOf = (p: FakeGcpProject, ref: string) => {
    const r = decodeURIComponent(ref).toLowerCase();
    return p.serviceAccounts.find((s) => s.email.toLowerCase() === r || s.uniqueId === r);
  };

  function page<T>(items: T[], q: URLSearchParams): { items: T[]; next?: string } {
    const size = Math.min(Number(q.get('pageSize')) > 0 ? Number(q.get('pageSize')) : maxPage, maxPage);
    const start = q.get('pageToken') ? Number(Buffer.from(q.get('pageToken')!, 'base64url').toString()) : 0;
    const slice = items.slice(start, start + size);
    const next = start + size < items.length ? Buffer.from(String(start + size)).toString('base64url') : undefined;
    return { items: slice, next };
  }
  const listBody = (field: string, items: unknown[], q: URLSearchParams) => {
    const p = page(items, q);
    return { ...(p.items.length ? { [field]: p.items } : {}), ...(p.next ? { nextPageToken: p.next } : {}) };
  };
  const policyBody = (p: GcpPolicy | undefined) => ({ version: p?.bindings?.some((b) => b.condition) ? 3 : 1, etag: 'BwXfakeEtag=', ...(p?.bindings?.length ? { bindings: p.bindings } : {}) });

  async function handle(req: IncomingMessage, res: ServerResponse, body: string): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://x');
    const rawPath = url.pathname;
    const pathname = decodeURIComponent(rawPath);
    const auth = req.headers.authorization ?? '';
    const token = /^Bearer (.+)$/.exec(auth)?.[1] ?? '';
    const hit = ROUTES.find(([, method, re]) => method === req.method && re.test(rawPath));
    const route = hit?.[0] ?? `${req.method} ${pathname}`;
    const fault: Fault | undefined = transport.next(route, pathname);
    const send = (status: number, obj: unknown) => respondWith(res, fault, status, { 'content-type': 'application/json; charset=UTF-8' }, JSON.stringify(obj));
    const userProject = typeof req.headers['x-goog-user-project'] === 'string' ? req.headers['x-goog-user-project'] : undefined;
    requests.push({ method: req.method ?? 'GET', path: pathname, route, token, ...(userProject ? { userProject } : {}) });
    if (!token) return send(401, errorBody(401, 'Request is missing required authentication credential.', 'CREDENTIALS_MISSING'));
    if (!hit) return send(404, errorBody(404, `no such method: ${req.method} ${pathname}`));
    const m = hit[2].exec(rawPath)!.map((s) => (s === undefined ? s : decodeURIComponent(s)));
    const f = faults.find((x) => x.route === route && (!x.where || pathname.includes(x.where)) && (x.times === undefined || x.used < x.times));
    if (f) {
      f.used++;
      const service = SERVICE_OF[route.split('.')[0]];
      const inPath = /projects\/([^/:]+)/.exec(pathname)?.[1];
      const consumer = f.consumer?.replace(/^projects\//, '') ?? (inPath ? (project(inPath)?.projectNumber ?? inPath) : undefined);
      const message =
        f.reason === 'SERVICE_DISABLED'
          ? `${service.split('.')[0]} API has not been used in project ${consumer} before or it is disabled. Enable it by visiting https://console.developers.google.com/apis/api/${service}/overview?project=${consumer} then retry.`
          : f.status === 403
            ? `Permission '${route}' denied on resource (or it may not exist).`
            : f.status === 429
              ? `Quota exceeded for quota metric 'Read requests' of service '${service}'.`
              : 'Internal error encountered.';
      const reason = f.reason ?? (f.status === 403 ? 'IAM_PERMISSION_DENIED' : f.status === 429 ? 'RATE_LIMIT_EXCEEDED' : undefined);
      return send(f.status, errorBody(f.status, message, reason, { service, ...(consumer ? { consumer: `projects/${consumer}` } : {}) }));
    }
    const q = url.searchParams;
    const notFound = (what: string) => send(404, errorBody(404, `${what} not found.`));
    switch (route) {
      case 'iam.serviceAccounts.list': {
        const p = project(m[1]);
        if (!p) return notFound(`Project ${m[1]}`);
        return send(200, listBody('accounts', p.serviceAccounts.map((s) => ({ name: `projects/${p.projectId}/serviceAccounts/${s.email}`, projectId: p.projectId, oauth2ClientId: s.uniqueId, etag: 'MDEwMjE5MjA=', ...s })), q));
      }
      case 'iam.serviceAccounts.keys.list': {
        const p = project(m[1]);
        const sa = p && saOf(p, m[2]);
        if (!p || !sa) return notFound(`Service account ${m[2]}`);
        const keys = (p.keys[sa.email] ?? []).filter((k) => !q.getAll('keyTypes').length || q.getAll('keyTypes').includes(k.keyType ?? ''));
        return send(200, keys.length ? { keys } : {});
      }
      case 'iam.serviceAccounts.getIamPolicy': {
        const p = project(m[1]);
        const sa = p && saOf(p, m[2]);
        if (!p || !sa) return notFound(`Service account ${m[2]}`);
        return send(200, policyBody(p.saPolicies[sa.email]));
      }
      case 'iam.projects.roles.list': {
        const p = project(m[1]);
        if (!p) return notFound(`Project ${m[1]}`);
        const full = q.get('view') === 'FULL';
        return send(200, listBody('roles', (p.customRoles ?? []).map((r) => (full ? r : { ...r, includedPermissions: undefined })), q));
      }
      case 'iam.roles.get': {
        const name = m[1];
        const custom = estate.projects.flatMap((p) => p.customRoles ?? []).find((r) => r.name === name);
        const r = custom ?? estate.roles?.find((x) => x.name === name);
        return r ? send(200, r) : notFound(`Role ${name}`);
      }
      case 'iam.workloadIdentityPools.list': {
        const p = project(m[1]);
        if (!p) return notFound(`Project ${m[1]}`);
        return send(200, listBody('workloadIdentityPools', p.pools ?? [], q));
      }
      case 'iam.workloadIdentityPoolProviders.list': {
        const p = project(m[1]);
        if (!p) return notFound(`Project ${m[1]}`);
        return send(200, listBody('workloadIdentityPoolProviders', (p.providers ?? []).filter((x) => x.name.includes(`/workloadIdentityPools/${m[2]}/`)), q));
      }
      case 'iam.denypolicies.list':
      case 'iam.denypolicies.get': {
        // the attachment point is URL-encoded inside the resource name, so it arrives encoded twice
        const att = /projects\/([^/]+)$/.exec(decodeURIComponent(m[1]))?.[1];
        const p = att ? project(att) : undefined;
        if (!p) return notFound(`Attachment point ${m[1]}`);
        const all = (p.denyPolicies ?? []).map((d) => ({ name: `policies/${m[1]}/denypolicies/${d.name}`, uid: `uid-${d.name}`, kind: 'DenyPolicy', displayName: d.displayName ?? '', etag: 'MTIz', createTime: '2025-01-01T00:00:00Z', updateTime: '2025-01-01T00:00:00Z', rules: d.rules }));
        if (route === 'iam.denypolicies.get') {
          const d = all.find((x) => x.name.endsWith(`/denypolicies/${m[2]}`));
          return d ? send(200, d) : notFound(`Policy ${m[2]}`);
        }
        // list returns metadata only: the rules come from get
        return send(200, listBody('policies', all.map((d) => ({ ...d, rules: undefined })), q));
      }
      case 'resourcemanager.projects.get': {
        const p = project(m[1]);
        if (!p) return send(403, errorBody(403, `Permission 'resourcemanager.projects.get' denied on resource '//cloudresourcemanager.googleapis.com/projects/${m[1]}' (or it may not exist).`, 'IAM_PERMISSION_DENIED'));
        return send(200, { name: `projects/${p.projectNumber}`, projectId: p.projectId, parent: p.parent ?? '', state: 'ACTIVE', displayName: p.projectId, etag: 'W/"abc"' });
      }
      case 'resourcemanager.projects.getIamPolicy': {
        const p = project(m[1]);
        if (!p) return send(403, errorBody(403, `The caller does not have permission`, 'IAM_PERMISSION_DENIED'));
        return send(200, policyBody(p.policy));
      }
      case 'resourcemanager.projects.list': {
        const parent = q.get('parent') ?? '';
        return send(200, listBody('projects', estate.projects.filter((p) => p.parent === parent).map((p) => ({ name: `projects/${p.projectNumber}`, projectId: p.projectId, parent: p.parent, state: 'ACTIVE' })), q));
      }
      case 'resourcemanager.folders.get': {
        const f = estate.folders?.find((x) => x.name === `folders/${m[1]}`);
        return f ? send(200, { name: f.name, parent: f.parent, displayName: f.displayName ?? f.name, state: 'ACTIVE' }) : send(403, errorBody(403, 'The caller does not have permission', 'IAM_PERMISSION_DENIED'));
      }
      case 'resourcemanager.folders.list': {
        const parent = q.get('parent') ?? '';
        return send(200, listBody('folders', (estate.folders ?? []).filter((f) => f.parent === parent).map((f) => ({ name: f.name, parent: f.parent, displayName: f.displayName ?? f.name, state: 'ACTIVE' })), q));
      }
      case 'resourcemanager.folders.getIamPolicy': {
        const f = estate.folders?.find((x) => x.name === `folders/${m[1]}`);
        return f ? send(200, policyBody(f.policy)) : send(403, errorBody(403, 'The caller does not have permission', 'IAM_PERMISSION_DENIED'));
      }
      case 'resourcemanager.organizations.getIamPolicy': {
        const o = estate.organizations?.find((x) => x.name === `organizations/${m[1]}`);
        return o ? send(200, policyBody(o.policy)) : send(403, errorBody(403, 'The caller does not have permission', 'IAM_PERMISSION_DENIED'));
      }
      case 'recommender.recommendations.list': {
        const p = project(m[1]);
        if (!p) return notFound(`Project ${m[1]}`);
        return send(200, listBody('recommendations', m[2] === 'google.iam.policy.Recommender' ? (p.recommendations ?? []) : [], q));
      }
      case 'recommender.insights.list': {
        const p = project(m[1]);
        if (!p) return notFound(`Project ${m[1]}`);
        return send(200, listBody('insights', m[2] === 'google.iam.serviceAccount.Insight' ? (p.insights ?? []) : [], q));
      }
      case 'policyanalyzer.activities.query': {
        const p = project(m[1]);
        if (!p) return notFound(`Project ${m[1]}`);
        const items = m[2] === 'serviceAccountLastAuthentication' ? p.saActivity : m[2] === 'serviceAccountKeyLastAuthentication' ? p.keyActivity : undefined;
        if (!items) return send(400, errorBody(400, `unsupported activity type ${m[2]}`));
        return send(200, listBody('activities', items, q));
      }
      case 'iamcredentials.generateAccessToken': {
        const sa = m[1];
        let scopes: unknown;
        try {
          scopes = (JSON.parse(body) as { scope?: unknown }).scope;
        } catch {
          return send(400, errorBody(400, 'invalid JSON body'));
        }
        if (!Array.isArray(scopes) || !scopes.length) return send(400, errorBody(400, 'scope is required'));
        const t = `ya29.impersonated-${issued.size + 1}`;
        issued.set(sa, t);
        return send(200, { accessToken: t, expireTime: new Date(Date.now() + 3600_000).toISOString() });
      }
    }
    return notFound(route);
  }

  const server = createServer((req, res) => {
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const go = () =>
        handle(req, res, Buffer.concat(chunks).toString('utf8'))
          .catch((err: Error) => {
            res.writeHead(500, { 'content-type': 'application/json' });
            res.end(JSON.stringify(errorBody(500, err.message)));
          })
          .finally(() => inFlight--);
      if (opts.latencyMs) setTimeout(go, opts.latencyMs);
      else void go();
    });
  });
  const url = await listenLoopback(server);
  return {
    url,
    requests,
    get maxInFlight() {
      return maxInFlight;
    },
    issued,
    fail: (f) => faults.push({ ...f, used: 0 }),
    fault: (route, fault, select) => transport.add(route, fault, select),
    injected: transport.injected,
    clear: () => {
      faults.length = 0;
      transport.clear();
    },
    countByRoute: () => {
      const out: Record<string, number> = {};
      for (const r of requests) out[r.route] = (out[r.route] ?? 0) + 1;
      return out;
    },
    close: () => closeServer(server),
  };
}
