/**
 * A loopback fake of the GitLab REST API v4 for the endpoints the gitlab connector reads: group and project lookups
 * by numeric id or URL-encoded path, offset pagination with x-page / x-next-page / x-total-pages and Link headers,
 * 429 with Retry-After, 5xx, 403 / 404 and dropped connections on demand, latency, a request log and the highest number
 * of requests in flight at once. Every request needs a PRIVATE-TOKEN (or Bearer) header: 401 without one.
 * CI/CD variables carry real-looking `value`s so tests can prove they never leave the connector.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { closeServer, FaultPlan, listenLoopback, respondWith, type Fault, type FaultSelector } from '../loopback.js';

export interface FakeToken {
  id: number;
  name: string;
  scopes: string[];
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt?: string | null;
  active?: boolean;
  revoked?: boolean;
  accessLevel?: number;
  userId: number;
  /** an older instance that does not report last use: the field is absent */
  omitLastUsed?: boolean;
}
export interface FakeVariable {
  key: string;
  value: string;
  protected?: boolean;
  masked?: boolean;
  hidden?: boolean;
  raw?: boolean;
  variableType?: 'env_var' | 'file';
  environmentScope?: string;
}
export interface FakeGroup {
  id: number;
  path: string;
  accessTokens: FakeToken[];
  deployTokens: Array<{ id: number; name: string; scopes: string[]; expiresAt: string | null; revoked?: boolean; expired?: boolean }>;
  variables: FakeVariable[];
}
export interface FakeProject {
  id: number;
  path: string;
  visibility: 'public' | 'private' | 'internal';
  archived?: boolean;
  defaultBranch?: string;
  accessTokens: FakeToken[];
  deployTokens: FakeGroup['deployTokens'];
  deployKeys: Array<{ id: number; title: string; createdAt: string; canPush: boolean; expiresAt?: string | null }>;
  variables: FakeVariable[];
  /** undefined = no pipeline definition (404) */
  ciConfig?: string;
  /** the project's CI/CD configuration file setting (`ci_config_path`); `ciConfig` is served at that path */
  ciConfigPath?: string;
  /** an empty repository has no default branch */
  empty?: boolean;
}
export interface FakeGitLabEstate {
  groups: FakeGroup[];
  projects: FakeProject[];
}

/** `status: 0` drops the connection without an answer. */
export type FailMode = { status: number; times?: number; retryAfter?: number };

export interface FakeGitLab {
  url: string;
  requests: Array<{ method: string; path: string; query: string; route: string }>;
  /** the most requests that were in flight at the same time */
  maxInFlight: number;
  resetStats(): void;
  fail(route: string, how: FailMode): void;
  /** a transport fault (cut body, wrong body, never answered) on a route, per N-th request or a seeded fraction */
  fault(route: string | RegExp, fault: Fault, select?: FaultSelector): void;
  /** the requests that got a transport fault */
  readonly injected: FaultPlan['injected'];
  /** clears failures (all or one route) and, without a route, every transport fault */
  clear(route?: string): void;
  close(): Promise<void>;
}

const ROUTES: Array<[string, RegExp]> = [
  ['GET /groups/:id', /^\/groups\/([^/]+)$/],
  ['GET /groups/:id/descendant_groups', /^\/groups\/([^/]+)\/descendant_groups$/],
  ['GET /groups/:id/projects', /^\/groups\/([^/]+)\/projects$/],
  ['GET /groups/:id/access_tokens', /^\/groups\/([^/]+)\/access_tokens$/],
  ['GET /groups/:id/deploy_tokens', /^\/groups\/([^/]+)\/deploy_tokens$/],
  ['GET /groups/:id/variables', /^\/groups\/([^/]+)\/variables$/],
  ['GET /projects/:id/access_tokens', /^\/projects\/([^/]+)\/access_tokens$/],
  ['GET /projects/:id/deploy_tokens', /^\/projects\/([^/]+)\/deploy_tokens$/],
  ['GET /projects/:id/deploy_keys', /^\/projects\/([^/]+)\/deploy_keys$/],
  ['GET /projects/:id/variables', /^\/projects\/([^/]+)\/variables$/],
  ['GET /projects/:id/repository/files/:path/raw', /^\/projects\/([^/]+)\/repository\/files\/([^/]+)\/raw$/],
];

export async function startFakeGitLab(estate: FakeGitLabEstate, opts: { pageSize?: number; latencyMs?: number; token?: string } = {}): Promise<FakeGitLab> {
  const pageSize = opts.pageSize ?? 2;
  const requests: FakeGitLab['requests'] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const failures = new Map<string, { mode: FailMode; remaining: number }>();
  const faults = new FaultPlan();
  const faultOf = new WeakMap<ServerResponse, Fault>();
  let base = '';
  const group = (ref: string) => estate.groups.find((g) => String(g.id) === ref || g.path === decodeURIComponent(ref));
  const project = (ref: string) => estate.projects.find((p) => String(p.id) === ref || p.path === decodeURIComponent(ref));
  const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    respondWith(res, faultOf.get(res), status, { 'content-type': typeof body === 'string' ? 'text/plain; charset=utf-8' : 'application/json', ...headers }, typeof body === 'string' ? body : JSON.stringify(body));
  };
  const notFound = (res: ServerResponse) => send(res, 404, { message: '404 Not Found' });
  const paged = (req: IncomingMessage, res: ServerResponse, items: unknown[]) => {
    const u = new URL(req.url ?? '/', base);
    const per = Math.min(Number(u.searchParams.get('per_page') ?? 20), pageSize);
    const page = Math.max(1, Number(u.searchParams.get('page') ?? 1));
    const total = Math.max(1, Math.ceil(items.length / per));
    const headers: Record<string, string> = { 'x-page': String(page), 'x-per-page': String(per), 'x-total': String(items.length), 'x-total-pages': String(total), 'x-next-page': page < total ? String(page + 1) : '', 'x-prev-page': page > 1 ? String(page - 1) : '' };
    const at = (n: number) => {
      const x = new URL(u.toString());
      x.searchParams.set('page', String(n));
      return x.toString();
    };
    const links = [...(page < total ? [`<${at(page + 1)}>; rel="next"`] : []), ...(page > 1 ? [`<${at(page - 1)}>; rel="prev"`] : []), `<${at(1)}>; rel="first"`, `<${at(total)}>; rel="last"`];
    headers.link = links.join(', ');
    send(res, 200, items.slice((page - 1) * per, page * per), headers);
  };
  const tokenJson = (t: FakeToken) => {
    const json: Record<string, unknown> = { id: t.id, name: t.name, revoked: t.revoked ?? false, created_at: t.createdAt, description: '', scopes: t.scopes, user_id: t.userId, last_used_at: t.lastUsedAt ?? null, active: t.active ?? true, expires_at: t.expiresAt, access_level: t.accessLevel ?? 40 };
    if (t.omitLastUsed) delete json.last_used_at;
    return json;
  };
  const deployTokenJson = (t: FakeGroup['deployTokens'][number]) => ({ id: t.id, name: t.name, username: `gitlab+deploy-token-${t.id}`, expires_at: t.expiresAt, revoked: t.revoked ?? false, expired: t.expired ?? false, scopes: t.scopes });
  const variableJson = (v: FakeVariable) => ({ variable_type: v.variableType ?? 'env_var', key: v.key, value: v.value, protected: v.protected ?? false, masked: v.masked ?? false, hidden: v.hidden ?? false, raw: v.raw ?? false, environment_scope: v.environmentScope ?? '*', description: null });

  const groupJson = (g: FakeGroup) => {
    const parent = estate.groups.find((x) => x.path === g.path.split('/').slice(0, -1).join('/'));
    return { id: g.id, name: g.path.split('/').pop(), path: g.path.split('/').pop(), full_path: g.path, full_name: g.path, visibility: 'private', parent_id: parent?.id ?? null, web_url: `${base}/groups/${g.path}` };
  };
  const handle = (req: IncomingMessage, res: ServerResponse, route: string, m: RegExpExecArray) => {
    switch (route) {
      case 'GET /groups/:id': {
        const g = group(m[1]);
        return g ? send(res, 200, groupJson(g)) : notFound(res);
      }
      case 'GET /groups/:id/descendant_groups': {
        const g = group(m[1]);
        if (!g) return notFound(res);
        return paged(req, res, estate.groups.filter((x) => x.path.startsWith(`${g.path}/`)).map(groupJson));
      }
      case 'GET /groups/:id/projects': {
        const g = group(m[1]);
        if (!g) return notFound(res);
        const sub = new URL(req.url ?? '/', base).searchParams.get('include_subgroups') === 'true';
        return paged(
          req,
          res,
          estate.projects
            .filter((p) => (sub ? p.path.startsWith(`${g.path}/`) : p.path.split('/').slice(0, -1).join('/') === g.path))
            .map((p) => ({ id: p.id, name: p.path.split('/').pop(), path: p.path.split('/').pop(), path_with_namespace: p.path, visibility: p.visibility, archived: p.archived ?? false, default_branch: p.empty ? null : (p.defaultBranch ?? 'main'), ci_config_path: p.ciConfigPath ?? '', web_url: `${base}/${p.path}` })),
        );
      }
      case 'GET /groups/:id/access_tokens':
        return group(m[1]) ? paged(req, res, group(m[1])!.accessTokens.map(tokenJson)) : notFound(res);
      case 'GET /groups/:id/deploy_tokens':
        return group(m[1]) ? paged(req, res, group(m[1])!.deployTokens.map(deployTokenJson)) : notFound(res);
      case 'GET /groups/:id/variables':
        return group(m[1]) ? paged(req, res, group(m[1])!.variables.map(variableJson)) : notFound(res);
      case 'GET /projects/:id/access_tokens':
        return project(m[1]) ? paged(req, res, project(m[1])!.accessTokens.map(tokenJson)) : notFound(res);
      case 'GET /projects/:id/deploy_tokens':
        return project(m[1]) ? paged(req, res, project(m[1])!.deployTokens.map(deployTokenJson)) : notFound(res);
      case 'GET /projects/:id/deploy_keys':
        return project(m[1])
          ? paged(req, res, project(m[1])!.deployKeys.map((k) => ({ id: k.id, title: k.title, key: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGITLABFAKEKEYMATERIAL', fingerprint: 'SHA256:fake', created_at: k.createdAt, expires_at: k.expiresAt ?? null, can_push: k.canPush })))
          : notFound(res);
      case 'GET /projects/:id/variables':
        return project(m[1]) ? paged(req, res, project(m[1])!.variables.map(variableJson)) : notFound(res);
      case 'GET /projects/:id/repository/files/:path/raw': {
        const p = project(m[1]);
        const ref = new URL(req.url ?? '/', base).searchParams.get('ref');
        if (!p || decodeURIComponent(m[2]) !== (p.ciConfigPath || '.gitlab-ci.yml') || p.ciConfig === undefined || ref !== (p.defaultBranch ?? 'main')) return send(res, 404, { message: '404 File Not Found' });
        return send(res, 200, p.ciConfig);
      }
    }
    return notFound(res);
  };

  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const u = new URL(req.url ?? '/', 'http://x');
      const p = u.pathname.replace(/^\/api\/v4/, '');
      const hit = ROUTES.map(([r, re]) => [r, re.exec(p)] as const).find(([r, m]) => m && r.startsWith(`${req.method} `));
      requests.push({ method: req.method ?? '', path: p, query: u.search, route: hit ? hit[0] : `${req.method} ${p}` });
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      res.on('close', () => inFlight--);
      const respond = () => {
        const token = req.headers['private-token'] ?? req.headers.authorization?.replace(/^Bearer /i, '');
        if (!token || (opts.token !== undefined && token !== opts.token)) return send(res, 401, { message: '401 Unauthorized' });
        if (!hit) return notFound(res);
        const fault = faults.next(hit[0], p);
        if (fault) faultOf.set(res, fault);
        const f = failures.get(hit[0]);
        if (f && f.remaining > 0) {
          f.remaining--;
          if (f.mode.status === 0) return void res.socket?.destroy();
          const messages: Record<number, string> = { 403: '403 Forbidden', 404: '404 Not Found', 429: 'Retry later' };
          return send(res, f.mode.status, { message: messages[f.mode.status] ?? `${f.mode.status} Bad Gateway` }, f.mode.retryAfter !== undefined ? { 'retry-after': String(f.mode.retryAfter) } : {});
        }
        handle(req, res, hit[0], hit[1]!);
      };
      if (opts.latencyMs) setTimeout(respond, opts.latencyMs);
      else respond();
    });
  });
  base = await listenLoopback(server);
  return {
    url: base,
    requests,
    get maxInFlight() {
      return maxInFlight;
    },
    resetStats() {
      requests.length = 0;
      maxInFlight = 0;
    },
    fail(route, how) {
      failures.set(route, { mode: how, remaining: how.times ?? Number.POSITIVE_INFINITY });
    },
    fault(route, fault, select) {
      faults.add(route, fault, select);
    },
    injected: faults.injected,
    clear(route) {
      if (route) failures.delete(route);
      else {
        failures.clear();
        faults.clear();
      }
    },
    close: () => closeServer(server),
  };
}
