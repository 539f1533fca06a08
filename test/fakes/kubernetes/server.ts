/**
 * A loopback fake of the Kubernetes API server for the lists the kubernetes connector reads, in the real wire format:
 * `GET /api/v1/{serviceaccounts,secrets,pods}` and `GET /apis/rbac.authorization.k8s.io/v1/{roles,rolebindings,
 * clusterroles,clusterrolebindings}` answer `{kind: "<Kind>List", apiVersion, metadata: {resourceVersion, continue,
 * remainingItemCount}, items}` with items WITHOUT their own kind / apiVersion (as the API server sends them);
 * `limit` / `continue` paging; the `type=` field selector on secrets; `GET /version`.
 *
 * Bearer-token auth (401 Status without it), Status objects for every error, 403 per resource, 410 Expired for a
 * continue token on demand, 429 with Retry-After on demand, per-call latency, transport faults (FaultPlan), and a
 * request log. Served over http on 127.0.0.1; `writeKubeconfig` writes a kubeconfig for it (JSON, which is YAML).
 */
import { writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import path from 'node:path';
import { closeServer, FaultPlan, listenLoopback, respondWith } from '../loopback.js';

type Obj = Record<string, unknown>;

export const RESOURCES = {
  serviceaccounts: { kind: 'ServiceAccount', apiVersion: 'v1', prefix: '/api/v1' },
  secrets: { kind: 'Secret', apiVersion: 'v1', prefix: '/api/v1' },
  pods: { kind: 'Pod', apiVersion: 'v1', prefix: '/api/v1' },
  roles: { kind: 'Role', apiVersion: 'rbac.authorization.k8s.io/v1', prefix: '/apis/rbac.authorization.k8s.io/v1' },
  rolebindings: { kind: 'RoleBinding', apiVersion: 'rbac.authorization.k8s.io/v1', prefix: '/apis/rbac.authorization.k8s.io/v1' },
  clusterroles: { kind: 'ClusterRole', apiVersion: 'rbac.authorization.k8s.io/v1', prefix: '/apis/rbac.authorization.k8s.io/v1' },
  clusterrolebindings: { kind: 'ClusterRoleBinding', apiVersion: 'rbac.authorization.k8s.io/v1', prefix: '/apis/rbac.authorization.k8s.io/v1' },
} as const;
export type Resource = keyof typeof RESOURCES;

export interface FakeRequest {
  method: string;
  path: string;
  /** the route: a resource name, `version`, or `unknown` */
  route: string;
  query: Record<string, string>;
  status: number;
}

export interface FakeKubeOptions {
  /** the service-account issuer served at /.well-known/openid-configuration (default the in-cluster one); null: 403 */
  issuer?: string | null;
  /** the bearer token the fake accepts (default `fake-k8s-token`) */
  token?: string;
  /** wait this long before answering each request */
  latencyMs?: number;
  /** the largest page the fake serves, whatever `limit` asks (default 500, like a real server's cap is higher) */
  maxPageSize?: number;
}

export interface FakeKube {
  url: string;
  token: string;
  requests: FakeRequest[];
  faults: FaultPlan;
  /** these resources answer 403 Forbidden */
  forbidden: Set<Resource>;
  /** the next `times` requests on the resource answer 429 with this Retry-After (seconds, may be fractional) */
  throttle(resource: Resource, times: number, retryAfter?: string): void;
  /** the next `times` requests on the resource that carry a continue token answer 410 Expired */
  expireContinue(resource: Resource, times: number): void;
  /** the next `times` requests on the resource answer this 5xx */
  fail(resource: Resource, status: number, times: number): void;
  /** requests per route, for paging assertions */
  countBy(route: string): number;
  close(): Promise<void>;
}

function status(code: number, reason: string, message: string, extra: Obj = {}): Obj {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code, ...extra };
}

/** The items of a kubectl List, grouped by resource, each without its kind / apiVersion (as the API server lists them). */
function group(items: unknown[]): Map<Resource, Obj[]> {
  const byKind = new Map<string, Resource>(Object.entries(RESOURCES).map(([r, d]) => [d.kind, r as Resource]));
  const out = new Map<Resource, Obj[]>(Object.keys(RESOURCES).map((r) => [r as Resource, []]));
  for (const raw of items) {
    const item = structuredClone(raw) as Obj;
    const r = byKind.get(String(item.kind));
    if (!r) continue;
    delete item.kind;
    delete item.apiVersion;
    out.get(r)!.push(item);
  }
  return out;
}

/** The `type=` / `type==` field selector of a secret list; other selectors are refused like the real server does. */
function fieldFilter(resource: Resource, selector: string | undefined): ((o: Obj) => boolean) | string | undefined {
  if (!selector) return undefined;
  const m = /^type(==?)(.+)$/.exec(selector);
  if (resource === 'secrets' && m) return (o) => o.type === m[2];
  return `field label not supported: ${selector.split(/[=!]/)[0]}`;
}

/** Start the fake with the items of a kubectl List (the fixture, or a synthetic cluster). */
export async function startFakeKube(items: unknown[], opts: FakeKubeOptions = {}): Promise<FakeKube> {
  const token = opts.token ?? 'fake-k8s-token';
  const data = group(items);
  const requests: FakeRequest[] = [];
  const faults = new FaultPlan();
  const forbidden = new Set<Resource>();
  const throttles = new Map<Resource, { times: number; retryAfter: string }>();
  const expiries = new Map<Resource, number>();
  const failures = new Map<Resource, { status: number; times: number }>();
  let resourceVersion = 1000;
  const maxPage = opts.maxPageSize ?? 500;

  const send = (res: ServerResponse, route: string, p: string, code: number, body: unknown, headers: Record<string, string> = {}) => {
    respondWith(res, faults.next(route, p), code, { 'content-type': 'application/json', ...headers }, JSON.stringify(body));
  };

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const p = url.pathname;
    const query = Object.fromEntries(url.searchParams);
    const resource = (Object.keys(RESOURCES) as Resource[]).find((r) => p === `${RESOURCES[r].prefix}/${r}`);
    const route = p === '/version' ? 'version' : p === '/.well-known/openid-configuration' ? 'openid' : (resource ?? 'unknown');
    const log: FakeRequest = { method: req.method ?? 'GET', path: p, route, query, status: 200 };
    requests.push(log);
    const reply = (code: number, body: unknown, headers?: Record<string, string>) => {
      log.status = code;
      send(res, route, p, code, body, headers);
    };

    if (req.headers.authorization !== `Bearer ${token}`) return reply(401, status(401, 'Unauthorized', 'Unauthorized'));
    if (req.method !== 'GET') return reply(405, status(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource`));
    if (route === 'version') return reply(200, { major: '1', minor: '31', gitVersion: 'v1.31.0-fake', platform: 'linux/amd64' });
    if (route === 'openid') {
      // Kubernetes lets only service accounts read it by default (system:service-account-issuer-discovery)
      if (opts.issuer === null) return reply(403, status(403, 'Forbidden', 'forbidden: User "nhi" cannot get path "/.well-known/openid-configuration"'));
      const issuer = opts.issuer ?? 'https://kubernetes.default.svc.cluster.local';
      return reply(200, { issuer, jwks_uri: `${issuer}/openid/v1/jwks`, response_types_supported: ['id_token'], subject_types_supported: ['public'], id_token_signing_alg_values_supported: ['RS256'] });
    }
    if (!resource) return reply(404, status(404, 'NotFound', 'the server could not find the requested resource'));
    const d = RESOURCES[resource];
    const groupName = d.apiVersion.includes('/') ? d.apiVersion.split('/')[0] : '';

    const fail = failures.get(resource);
    if (fail && fail.times > 0) {
      fail.times--;
      return reply(fail.status, status(fail.status, fail.status === 503 ? 'ServiceUnavailable' : 'InternalError', 'the server is currently unable to handle the request'));
    }
    const t = throttles.get(resource);
    if (t && t.times > 0) {
      t.times--;
      return reply(429, status(429, 'TooManyRequests', 'Too many requests, please try again later.', { details: { retryAfterSeconds: Math.ceil(Number(t.retryAfter)) } }), { 'retry-after': t.retryAfter });
    }
    if (forbidden.has(resource)) {
      return reply(
        403,
        status(403, 'Forbidden', `${resource}${groupName ? `.${groupName}` : ''} is forbidden: User "system:serviceaccount:nhi-drift:nhi-drift" cannot list resource "${resource}" in API group "${groupName}" at the cluster scope`, { details: { kind: resource, group: groupName } }),
      );
    }

    const filter = fieldFilter(resource, query.fieldSelector);
    if (typeof filter === 'string') return reply(400, status(400, 'BadRequest', filter));
    const all = filter ? data.get(resource)!.filter(filter) : data.get(resource)!;

    let offset = 0;
    let rv = String(resourceVersion);
    if (query.continue) {
      let tok: { rv?: string; offset?: number; resource?: string };
      try {
        tok = JSON.parse(Buffer.from(query.continue, 'base64').toString('utf8')) as typeof tok;
      } catch {
        return reply(400, status(400, 'BadRequest', 'continue key is not valid: illegal base64 data'));
      }
      if (tok.resource !== resource || typeof tok.offset !== 'number') return reply(400, status(400, 'BadRequest', 'continue key is not valid'));
      const left = expiries.get(resource) ?? 0;
      if (left > 0) {
        expiries.set(resource, left - 1);
        return reply(410, status(410, 'Expired', 'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results.'));
      }
      offset = tok.offset;
      rv = tok.rv ?? rv;
    } else {
      resourceVersion++;
      rv = String(resourceVersion);
    }
    const limit = query.limit ? Math.min(Number(query.limit), maxPage) : all.length;
    const page = all.slice(offset, offset + limit);
    const next = offset + page.length;
    const metadata: Obj = { resourceVersion: rv };
    if (next < all.length) {
      metadata.continue = Buffer.from(JSON.stringify({ rv, offset: next, resource })).toString('base64');
      if (!filter) metadata.remainingItemCount = all.length - next;
    }
    return reply(200, { kind: `${d.kind}List`, apiVersion: d.apiVersion, metadata, items: page });
  };

  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      if (opts.latencyMs) setTimeout(() => handle(req, res), opts.latencyMs);
      else handle(req, res);
    });
  });
  const url = await listenLoopback(server);
  return {
    url,
    token,
    requests,
    faults,
    forbidden,
    throttle: (r, times, retryAfter = '1') => throttles.set(r, { times, retryAfter }),
    expireContinue: (r, times) => expiries.set(r, times),
    fail: (r, s, times) => failures.set(r, { status: s, times }),
    countBy: (route) => requests.filter((r) => r.route === route).length,
    close: () => closeServer(server),
  };
}

/**
 * Write a kubeconfig for the fake (JSON is YAML): context `fake` (and `other`, to a cluster that does not answer)
 * with the fake's token, or another token when given. `insecure-skip-tls-verify` lets the client speak plain http.
 */
export function writeKubeconfig(dir: string, fake: Pick<FakeKube, 'url' | 'token'>, opts: { token?: string; clusterName?: string; file?: string; current?: string } = {}): string {
  const file = path.join(dir, opts.file ?? 'kubeconfig');
  const clusterName = opts.clusterName ?? 'fake-cluster';
  const doc = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      { name: clusterName, cluster: { server: fake.url, 'insecure-skip-tls-verify': true } },
      { name: 'unreachable', cluster: { server: 'http://127.0.0.1:9', 'insecure-skip-tls-verify': true } },
    ],
    users: [{ name: 'nhi', user: { token: opts.token ?? fake.token } }],
    contexts: [
      { name: 'fake', context: { cluster: clusterName, user: 'nhi' } },
      { name: 'other', context: { cluster: 'unreachable', user: 'nhi' } },
    ],
    'current-context': opts.current ?? 'fake',
  };
  writeFileSync(file, JSON.stringify(doc, null, 2));
  return file;
}
