/**
 * A loopback fake of what a live Entra ID scan talks to, on one port:
 * - the App Service managed-identity token endpoint (`GET /msi/token?api-version=2019-08-01&resource=…` with the
 *   `X-IDENTITY-HEADER` secret), so the real @azure/identity DefaultAzureCredential gets tokens from it when
 *   IDENTITY_ENDPOINT / IDENTITY_HEADER point here; tokens are unsigned JWTs carrying the tenant in `tid`;
 * - Microsoft Graph v1.0 / beta JSON: `{"@odata.context", "value", "@odata.nextLink"}` paging at
 *   min($top, maxPageSize) (100 without $top), `$select`, `POST /v1.0/$batch` (20 requests at most, each answered
 *   with its own status, headers and body), Graph error bodies (`Authorization_RequestDenied`, 429 with Retry-After);
 * - Azure Resource Manager JSON: subscriptions, role assignments per subscription, role definitions by id, with
 *   `nextLink` paging and ARM error bodies (`AuthorizationFailed`).
 * Every request needs a bearer token of the fake's making for that service (`aud` https://graph.microsoft.com or
 * https://management.azure.com; 401 InvalidAuthenticationToken otherwise). MSAL keeps managed-identity tokens in a
 * process-wide cache, so a token another instance of the fake issued is accepted too. It records every HTTP request
 * (route, path, auth) and every request inside a batch.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { closeServer, FaultPlan, listenLoopback, respondWith, type Fault, type FaultSelector } from '../loopback.js';
import type { SyntheticEntra } from './synthetic.js';

export const IDENTITY_HEADER = 'fake-identity-header-secret';

/** An HTTP-level failure on a route (and, for Graph routes, on the same request inside a $batch). */
export interface FakeEntraFault {
  route: string;
  status: 401 | 403 | 404 | 429 | 500 | 503;
  /** only requests whose path contains this (an object or subscription id) */
  where?: string;
  /** how many times (undefined: every time) */
  times?: number;
  /** seconds, for 429 / 503 */
  retryAfter?: number;
  code?: string;
}

export interface FakeEntra {
  url: string;
  /** IDENTITY_ENDPOINT for @azure/identity's App Service managed identity */
  identityEndpoint: string;
  requests: Array<{ method: string; path: string; route: string; auth: string }>;
  /** requests inside $batch bodies */
  batchItems: Array<{ route: string; url: string; status: number }>;
  maxInFlight: number;
  fail(f: FakeEntraFault): void;
  fault(route: string | RegExp, fault: Fault, select?: FaultSelector): void;
  clear(): void;
  countByRoute(): Record<string, number>;
  close(): Promise<void>;
}

export interface FakeEntraOptions {
  maxPageSize?: number;
  latencyMs?: number;
  /** the tenant the tokens claim (default: the synthetic tenant's) */
  tokenTenant?: string;
}

const GUIDISH = '([^/]+)';
/** Graph routes by path below the version; the names are the connector's call-count operations. */
const GRAPH_ROUTES: Array<[string, RegExp]> = [
  ['graph.applications.list', /^\/v1\.0\/applications$/],
  ['graph.applications.owners.list', new RegExp(`^/v1\\.0/applications/${GUIDISH}/owners$`)],
  ['graph.applications.federatedIdentityCredentials.list', new RegExp(`^/v1\\.0/applications/${GUIDISH}/federatedIdentityCredentials$`)],
  ['graph.servicePrincipals.list', /^\/v1\.0\/servicePrincipals$/],
  ['graph.servicePrincipals.appRoleAssignments.list', new RegExp(`^/v1\\.0/servicePrincipals/${GUIDISH}/appRoleAssignments$`)],
  ['graph.directoryRoleAssignments.list', /^\/v1\.0\/roleManagement\/directory\/roleAssignments$/],
  ['graph.servicePrincipalSignInActivities.list', /^\/beta\/reports\/servicePrincipalSignInActivities$/],
];
const ARM_ROUTES: Array<[string, RegExp]> = [
  ['arm.subscriptions.list', /^\/subscriptions$/],
  ['arm.roleAssignments.listForSubscription', new RegExp(`^/subscriptions/${GUIDISH}/providers/Microsoft\\.Authorization/roleAssignments$`, 'i')],
  ['arm.roleDefinitions.getById', new RegExp(`/providers/Microsoft\\.Authorization/roleDefinitions/${GUIDISH}$`, 'i')],
];

const b64url = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
const ISSUER = 'https://sts.fake-entra.invalid/';

/** Is this Authorization header a token of the fake's making for `audience`? */
function tokenFor(auth: string, audience: string): boolean {
  if (!auth.startsWith('Bearer ')) return false;
  try {
    const claims = JSON.parse(Buffer.from(auth.slice(7).split('.')[1] ?? '', 'base64url').toString('utf8')) as { iss?: string; aud?: string };
    return claims.iss === ISSUER && claims.aud === audience;
  } catch {
    return false;
  }
}

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

export async function startFakeEntra(data: SyntheticEntra, opts: FakeEntraOptions = {}): Promise<FakeEntra> {
  const maxPage = opts.maxPageSize ?? 999;
  const tenant = opts.tokenTenant ?? data.tenant.tenantId;
  let issued = 0;
  const failures: Array<FakeEntraFault & { used: number }> = [];
  const plan = new FaultPlan();
  const requests: FakeEntra['requests'] = [];
  const batchItems: FakeEntra['batchItems'] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  let base = '';
  const t = data.tenant;

  const graphError = (status: number, code: string, message: string, retryAfter?: number): Answer => ({
    status,
    headers: { 'content-type': 'application/json', ...(retryAfter !== undefined ? { 'retry-after': String(retryAfter) } : {}) },
    body: { error: { code, message, innerError: { date: '2026-12-01T00:00:00', 'request-id': 'fake' } } },
  });
  const armError = (status: number, code: string, message: string, retryAfter?: number): Answer => ({
    status,
    headers: { 'content-type': 'application/json', ...(retryAfter !== undefined ? { 'retry-after': String(retryAfter) } : {}) },
    body: { error: { code, message } },
  });

  const failureFor = (route: string, path: string): FakeEntraFault | undefined => {
    for (const f of failures) {
      if (f.route !== route) continue;
      if (f.where !== undefined && !path.includes(f.where)) continue;
      if (f.times !== undefined && f.used >= f.times) continue;
      f.used++;
      return f;
    }
    return undefined;
  };

  const select = (o: Record<string, unknown>, fields: string | null): Record<string, unknown> => {
    if (!fields) return o;
    const keep = new Set(fields.split(',').map((s) => s.trim()));
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(o)) if (keep.has(k) || k === '@odata.type' || k === 'id') out[k] = v;
    return out;
  };

  /** One page of a Graph collection, with a nextLink (the server's own skiptoken) when more remain. */
  const graphPage = (version: string, path: string, q: URLSearchParams, items: unknown[], context: string): Answer => {
    const top = q.get('$top') ? Number(q.get('$top')) : 100;
    const size = Math.max(1, Math.min(top, maxPage));
    const skip = Number(q.get('$skiptoken') ?? '0');
    const page = items.slice(skip, skip + size).map((o) => select(o as Record<string, unknown>, q.get('$select')));
    const body: Record<string, unknown> = { '@odata.context': `${base}/${version}/$metadata#${context}`, value: page };
    if (skip + size < items.length) {
      const next = new URLSearchParams(q);
      next.set('$skiptoken', String(skip + size));
      body['@odata.nextLink'] = `${base}${path}?${next.toString()}`;
    }
    return { status: 200, headers: { 'content-type': 'application/json' }, body };
  };

  /** A Graph GET by path + query (also what a $batch item runs). */
  const graphGet = (path: string, q: URLSearchParams): { route: string; answer: Answer } => {
    const hit = GRAPH_ROUTES.find(([, re]) => re.test(path));
    if (!hit) return { route: 'graph.unknown', answer: graphError(404, 'Request_ResourceNotFound', `no route ${path}`) };
    const [route, re] = hit;
    const f = failureFor(route, path);
    if (f) {
      const code = f.code ?? (f.status === 403 ? 'Authorization_RequestDenied' : f.status === 429 ? 'TooManyRequests' : f.status === 401 ? 'InvalidAuthenticationToken' : f.status === 404 ? 'Request_ResourceNotFound' : 'ServiceUnavailable');
      return { route, answer: graphError(f.status, code, f.status === 403 ? 'Insufficient privileges to complete the operation.' : `fake ${f.status}`, f.retryAfter) };
    }
    const id = re.exec(path)?.[1];
    const version = path.startsWith('/beta') ? 'beta' : 'v1.0';
    switch (route) {
      case 'graph.applications.list':
        return { route, answer: graphPage(version, path, q, t.applications, 'applications') };
      case 'graph.servicePrincipals.list':
        return { route, answer: graphPage(version, path, q, t.servicePrincipals, 'servicePrincipals') };
      case 'graph.applications.owners.list':
      case 'graph.applications.federatedIdentityCredentials.list': {
        const rec = route === 'graph.applications.owners.list' ? t.owners : t.federatedCredentials;
        if (!t.applications.some((a) => a.id === id)) return { route, answer: graphError(404, 'Request_ResourceNotFound', `Resource '${id}' does not exist`) };
        return { route, answer: graphPage(version, path, q, rec[id!] ?? [], route.includes('owners') ? 'directoryObjects' : 'applications/federatedIdentityCredentials') };
      }
      case 'graph.servicePrincipals.appRoleAssignments.list':
        if (!t.servicePrincipals.some((s) => s.id === id)) return { route, answer: graphError(404, 'Request_ResourceNotFound', `Resource '${id}' does not exist`) };
        return { route, answer: graphPage(version, path, q, t.appRoleAssignments[id!] ?? [], 'appRoleAssignments') };
      case 'graph.directoryRoleAssignments.list': {
        const expand = q.get('$expand') === 'roleDefinition';
        const items = (t.directoryRoleAssignments ?? []).map((r) => {
          const { roleDefinition, ...rest } = r;
          return expand ? { ...rest, roleDefinition } : rest;
        });
        // $select names the scalar properties; an expanded navigation property is returned whatever $select says
        const sel = q.get('$select');
        const unselected = new URLSearchParams(q);
        unselected.delete('$select');
        const page = graphPage(version, path, unselected, items.map((r) => select(r as Record<string, unknown>, sel && expand ? `${sel},roleDefinition` : sel)), 'roleManagement/directory/roleAssignments');
        return { route, answer: page };
      }
      case 'graph.servicePrincipalSignInActivities.list':
        return { route, answer: graphPage(version, path, q, t.signIns ?? [], 'reports/servicePrincipalSignInActivities') };
    }
    return { route, answer: graphError(404, 'Request_ResourceNotFound', path) };
  };

  const armGet = (path: string, q: URLSearchParams): { route: string; answer: Answer } => {
    const hit = ARM_ROUTES.find(([, re]) => re.test(path));
    if (!hit) return { route: 'arm.unknown', answer: armError(404, 'NotFound', path) };
    const [route, re] = hit;
    const f = failureFor(route, path);
    if (f) {
      const code = f.code ?? (f.status === 403 ? 'AuthorizationFailed' : f.status === 429 ? 'TooManyRequests' : f.status === 401 ? 'InvalidAuthenticationToken' : 'ServiceUnavailable');
      return { route, answer: armError(f.status, code, f.status === 403 ? `The client does not have authorization to perform action 'Microsoft.Authorization/roleAssignments/read' over scope '${path.split('/providers')[0]}'.` : `fake ${f.status}`, f.retryAfter) };
    }
    if (!q.get('api-version')) return { route, answer: armError(400, 'MissingApiVersionParameter', 'The api-version query parameter is required') };
    const page = (items: unknown[]): Answer => {
      const size = Math.max(1, Math.min(maxPage, 100));
      const skip = Number(q.get('$skiptoken') ?? '0');
      const body: Record<string, unknown> = { value: items.slice(skip, skip + size) };
      if (skip + size < items.length) {
        const next = new URLSearchParams(q);
        next.set('$skiptoken', String(skip + size));
        body.nextLink = `${base}${path}?${next.toString()}`;
      }
      return { status: 200, headers: { 'content-type': 'application/json' }, body };
    };
    const id = re.exec(path)?.[1];
    switch (route) {
      case 'arm.subscriptions.list':
        return { route, answer: page(data.subscriptions.map((s) => ({ id: `/subscriptions/${s.subscriptionId}`, ...s }))) };
      case 'arm.roleAssignments.listForSubscription': {
        const sub = data.subscriptions.find((s) => s.subscriptionId === id);
        if (!sub) return { route, answer: armError(404, 'SubscriptionNotFound', `The subscription '${id}' could not be found.`) };
        return { route, answer: page(data.armAssignments[id!] ?? []) };
      }
      case 'arm.roleDefinitions.getById': {
        const def = data.roleDefinitions.find((d) => d.name === id);
        if (!def) return { route, answer: armError(404, 'RoleDefinitionDoesNotExist', 'The specified role definition does not exist.') };
        return { route, answer: { status: 200, headers: { 'content-type': 'application/json' }, body: { ...def, id: path } } };
      }
    }
    return { route, answer: armError(404, 'NotFound', path) };
  };

  const read = (req: IncomingMessage) =>
    new Promise<string>((resolve) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    });

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    // `${base}${req.url}`, not new URL(req.url, base): a request path starting `//` must stay a path
    const u = new URL(`${base}${req.url ?? '/'}`);
    const path = decodeURIComponent(u.pathname);
    const auth = req.headers.authorization ?? '';
    const body = await read(req);
    let route: string;
    let answer: Answer;
    if (path === '/msi/token') {
      route = 'identity.token';
      const resource = u.searchParams.get('resource') ?? '';
      if (req.headers['x-identity-header'] !== IDENTITY_HEADER) answer = { status: 401, headers: { 'content-type': 'application/json' }, body: { error: 'unauthorized', error_description: 'bad X-IDENTITY-HEADER' } };
      else {
        const f = failureFor(route, path);
        if (f) answer = { status: f.status, headers: { 'content-type': 'application/json' }, body: { error: 'invalid_request', error_description: `fake ${f.status}` } };
        else {
          const exp = Math.floor(Date.now() / 1000) + 3600;
          const token = `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url({ iss: ISSUER, tid: tenant, aud: resource, oid: 'fake-scanner', exp, n: issued++ })}.sig`;
          answer = { status: 200, headers: { 'content-type': 'application/json' }, body: { access_token: token, expires_on: String(exp), resource, token_type: 'Bearer', client_id: 'fake-client' } };
        }
      }
    } else if (path.includes('//')) {
      // the fake is stricter than the services may be: an empty path segment is a client bug
      route = 'bad.path';
      answer = armError(400, 'InvalidRequestPath', `empty segment in ${path}`);
    } else {
      const graph = path.startsWith('/v1.0/') || path.startsWith('/beta/');
      const tokenOk = tokenFor(auth, graph ? 'https://graph.microsoft.com' : 'https://management.azure.com');
      if (graph && path === '/v1.0/$batch' && req.method === 'POST') {
        route = 'graph.batch';
        if (!tokenOk) answer = graphError(401, 'InvalidAuthenticationToken', 'Access token is empty or invalid.');
        else {
          const f = failureFor(route, path);
          if (f) answer = graphError(f.status, f.code ?? 'TooManyRequests', `fake ${f.status}`, f.retryAfter);
          else {
            let parsed: { requests?: Array<{ id: string; method: string; url: string }> } = {};
            try {
              parsed = JSON.parse(body);
            } catch {
              parsed = {};
            }
            const items = parsed.requests ?? [];
            if (!Array.isArray(items) || items.length === 0 || items.length > 20) answer = graphError(400, 'BadRequest', 'A batch holds 1 to 20 requests.');
            else {
              const responses = items.map((it) => {
                const iu = new URL(it.url.startsWith('/') ? `${base}/v1.0${it.url}` : `${base}/v1.0/${it.url}`);
                const r = it.method === 'GET' ? graphGet(decodeURIComponent(iu.pathname), iu.searchParams) : { route: 'graph.unknown', answer: graphError(405, 'MethodNotAllowed', it.method) };
                batchItems.push({ route: r.route, url: it.url, status: r.answer.status });
                return { id: it.id, status: r.answer.status, headers: r.answer.headers, body: r.answer.body };
              });
              answer = { status: 200, headers: { 'content-type': 'application/json' }, body: { responses } };
            }
          }
        }
      } else if (graph) {
        const r = graphGet(path, u.searchParams);
        route = r.route;
        answer = tokenOk ? r.answer : graphError(401, 'InvalidAuthenticationToken', 'Access token is empty or invalid.');
      } else {
        const r = armGet(path, u.searchParams);
        route = r.route;
        answer = tokenOk ? r.answer : armError(401, 'InvalidAuthenticationToken', 'The access token is invalid.');
      }
    }
    requests.push({ method: req.method ?? 'GET', path: `${path}${u.search}`, route, auth });
    if (opts.latencyMs) await new Promise((r) => setTimeout(r, opts.latencyMs));
    const fault = plan.next(route, path);
    respondWith(res, fault, answer.status, answer.headers, JSON.stringify(answer.body));
  };

  const server = createServer((req, res) => {
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    res.on('close', () => inFlight--);
    handle(req, res).catch((err) => {
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 'InternalServerError', message: String(err) } }));
    });
  });
  base = await listenLoopback(server);
  return {
    url: base,
    identityEndpoint: `${base}/msi/token`,
    requests,
    batchItems,
    get maxInFlight() {
      return maxInFlight;
    },
    fail: (f) => failures.push({ ...f, used: 0 }),
    fault: (route, fault, select) => plan.add(route, fault, select),
    clear() {
      failures.length = 0;
      plan.clear();
    },
    countByRoute() {
      const out: Record<string, number> = {};
      for (const r of requests) out[r.route] = (out[r.route] ?? 0) + 1;
      return out;
    },
    close: () => closeServer(server),
  };
}
