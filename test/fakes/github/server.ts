/**
 * A loopback fake of the GitHub REST API for the endpoints the github connector reads. Response bodies start from the
 * examples of GitHub's own OpenAPI description (@octokit/openapi) and override the fields the fake estate sets, so the
 * shapes are the real ones. Link-header pagination, rate-limit headers, secondary rate limits with Retry-After, 5xx and
 * 403/404 on demand, App installation tokens (RS256 JWT checked), a request log.
 */
import { createVerify, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import path from 'node:path';
import { closeServer, FaultPlan, listenLoopback, respondWith, type Fault, type FaultSelector } from '../loopback.js';

// ---- the estate -------------------------------------------------------------------------------------------------

export interface FakeSecret {
  name: string;
  created: string;
  updated: string;
  visibility?: 'all' | 'private' | 'selected';
  selected?: string[];
}
export interface FakeHook {
  id: number;
  events: string[];
  active: boolean;
  url: string;
  /** the real API shows "********" when set; tests check the value never leaves the connector */
  secret?: string;
  insecureSsl?: boolean;
}
export interface FakeRunner {
  id: number;
  name: string;
  os: string;
  status: 'online' | 'offline';
  labels: string[];
  groupId?: number;
}
export interface FakeRepo {
  name: string;
  visibility: 'public' | 'private' | 'internal';
  archived?: boolean;
  defaultBranch?: string;
  keys: Array<{ id: number; title: string; readOnly: boolean; created: string; lastUsed?: string | null; addedBy?: string; key?: string }>;
  secrets: FakeSecret[];
  dependabotSecrets?: FakeSecret[];
  environments: Array<{ name: string; secrets: FakeSecret[] }>;
  hooks: FakeHook[];
  runners: FakeRunner[];
  workflowPermissions?: { default: 'read' | 'write'; canApprove: boolean };
  /** undefined = no .github/workflows folder (404) */
  workflows?: Array<{ path: string; text: string }>;
  /** the repository's OIDC subject claim setting (default: use the org template) */
  oidcSub?: { useDefault: boolean; includeClaimKeys?: string[] };
}
export interface FakeOrg {
  login: string;
  defaultWorkflowPermissions: 'read' | 'write';
  canApprovePullRequestReviews: boolean;
  twoFactorRequired?: boolean;
  repos: FakeRepo[];
  secrets: FakeSecret[];
  dependabotSecrets: FakeSecret[];
  codespacesSecrets?: FakeSecret[];
  /** the org OIDC subject template (`include_claim_keys`; empty = the default subject) */
  oidcSubClaimKeys?: string[];
  hooks: FakeHook[];
  runners: FakeRunner[];
  runnerGroups: Array<{ id: number; name: string; allowsPublic: boolean }>;
  installations: Array<{ id: number; appId: number; appSlug: string; selection: 'all' | 'selected'; permissions: Record<string, string>; created: string; repos?: string[] }>;
  pats: Array<{ id: number; tokenId: number; tokenName: string; owner: string; granted: string; lastUsed?: string | null; expires?: string | null; selection: 'all' | 'subset'; permissions: Record<string, Record<string, string>> }>;
  /** undefined = the org has no SAML SSO (the endpoint answers 404) */
  samlAuthorizations?: Array<{ login: string; credentialId: number; type: 'personal access token' | 'SSH key'; authorizedAt: string; accessedAt?: string | null; expiresAt?: string | null; scopes?: string[]; tokenLastEight?: string }>;
  /** App auth: the installation id and the App's public key to verify JWTs */
  app?: { installationId: number; appId: number; publicKey: KeyObject | string };
}

// ---- OpenAPI examples -------------------------------------------------------------------------------------------

type Json = any;
let spec: Json;
let ghec: Json;
function openapi(which: 'dotcom' | 'ghec'): Json {
  const req = createRequire(import.meta.url);
  const dir = path.dirname(req.resolve('@octokit/openapi/package.json'));
  if (which === 'dotcom') return (spec ??= JSON.parse(readFileSync(path.join(dir, 'generated', 'api.github.com.json'), 'utf8')));
  return (ghec ??= JSON.parse(readFileSync(path.join(dir, 'generated', 'ghec.json'), 'utf8')));
}

/** A deep copy of the documented example response of an endpoint (`path` as in the OpenAPI description). */
export function example(route: string, method = 'get', status = '200', which: 'dotcom' | 'ghec' = 'dotcom'): Json {
  const s = openapi(which);
  let response: Json = s.paths[route]?.[method]?.responses?.[status];
  if (response?.$ref) response = s.components.responses[String(response.$ref).split('/').pop()!];
  const content = response?.content?.['application/json'];
  const first: Json = content && Object.values(content.examples ?? {})[0];
  if (!first) throw new Error(`no example for ${method.toUpperCase()} ${route}`);
  const value = first.$ref ? s.components.examples[String(first.$ref).split('/').pop()!].value : first.value;
  return structuredClone(value);
}

/** The first item of a list example (`[...]` or `{ total_count, <key>: [...] }`) as a template. */
function template(route: string, key?: string, which: 'dotcom' | 'ghec' = 'dotcom'): Json {
  const ex = example(route, 'get', '200', which);
  return structuredClone(key ? ex[key][0] : ex[0]);
}

// ---- the server -------------------------------------------------------------------------------------------------

/**
 * How a route fails: `secondary-rate-limit` (403, Retry-After 1, GitHub's message) and `rate-limit` (primary: 403 with
 * x-ratelimit-remaining 0 and a reset one second ahead) fail once unless `times` says otherwise; a status fails every
 * time unless `times` is given.
 */
export type FailMode =
  | 'secondary-rate-limit'
  | 'rate-limit'
  | { status: number; times?: number; message?: string }
  | { rateLimit: 'primary' | 'secondary'; times: number }
  /** POST /graphql: HTTP 200 with an `errors` array of this type (RATE_LIMITED also sets the rate-limit headers) */
  | { graphql: 'RATE_LIMITED' | 'FORBIDDEN' | 'INTERNAL'; times?: number };

export interface FakeGitHub {
  url: string;
  requests: Array<{ method: string; path: string; route: string }>;
  /** GraphQL requests by the path they came to (`/graphql` on github.com, `/api/graphql` on Enterprise Server) */
  graphqlPaths: string[];
  /** the App JWTs received were RS256 signatures of this app id */
  jwtsVerified: number;
  /** make a route (`GET /repos/{owner}/{repo}/keys`, as in the request log) or every route matching a RegExp fail */
  fail(route: string | RegExp, how: FailMode): void;
  /** a transport fault (cut body, wrong body, never answered) on a route, per N-th request or a seeded fraction */
  fault(route: string | RegExp, fault: Fault, select?: FaultSelector): void;
  /** the requests that got a transport fault */
  readonly injected: FaultPlan['injected'];
  /** clears failures (all or one route) and, without a route, every transport fault */
  clear(route?: string | RegExp): void;
  close(): Promise<void>;
}

interface Route {
  method: string;
  template: string;
  re: RegExp;
  keys: string[];
}

function compile(method: string, template: string): Route {
  const keys: string[] = [];
  const re = new RegExp(`^${template.replace(/\{(\w+)\}/g, (_m, k: string) => (keys.push(k), k === 'path' ? '(.+)' : '([^/]+)'))}$`);
  return { method, template, re, keys };
}

const ROUTES = [
  'GET /orgs/{org}',
  'GET /orgs/{org}/actions/permissions/workflow',
  'GET /orgs/{org}/actions/oidc/customization/sub',
  'GET /orgs/{org}/repos',
  'GET /orgs/{org}/actions/secrets',
  'GET /orgs/{org}/actions/secrets/{name}/repositories',
  'GET /orgs/{org}/dependabot/secrets',
  'GET /orgs/{org}/dependabot/secrets/{name}/repositories',
  'GET /orgs/{org}/codespaces/secrets',
  'GET /orgs/{org}/codespaces/secrets/{name}/repositories',
  'GET /orgs/{org}/hooks',
  'GET /orgs/{org}/actions/runners',
  'GET /orgs/{org}/actions/runner-groups',
  'GET /orgs/{org}/installations',
  'GET /orgs/{org}/installation',
  'GET /orgs/{org}/personal-access-tokens',
  'GET /orgs/{org}/credential-authorizations',
  'POST /app/installations/{id}/access_tokens',
  'POST /graphql',
  'GET /repos/{owner}/{repo}/keys',
  'GET /repos/{owner}/{repo}/actions/secrets',
  'GET /repos/{owner}/{repo}/dependabot/secrets',
  'GET /repos/{owner}/{repo}/environments',
  'GET /repos/{owner}/{repo}/environments/{env}/secrets',
  'GET /repos/{owner}/{repo}/hooks',
  'GET /repos/{owner}/{repo}/actions/runners',
  'GET /repos/{owner}/{repo}/actions/permissions/workflow',
  'GET /repos/{owner}/{repo}/actions/oidc/customization/sub',
  'GET /repos/{owner}/{repo}/contents/{path}',
].map((r) => {
  const [m, t] = r.split(' ');
  return compile(m, t);
});

function b64url(s: string): Buffer {
  return Buffer.from(s.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
}

/** Serve one organisation, or several (each under its own login: `--github-org a,b` scans them through one fake). */
export async function startFakeGitHub(
  served: FakeOrg | FakeOrg[],
  opts: {
    pageSize?: number;
    latencyMs?: number;
    /** GraphQL `enterprise(slug:) { organizations }`: the organisation logins of each enterprise slug */
    enterprises?: Record<string, string[]>;
  } = {},
): Promise<FakeGitHub> {
  const pageSize = opts.pageSize ?? 2;
  const failures = new Map<string, { match: (route: string) => boolean; mode: FailMode; remaining: number }>();
  const requests: FakeGitHub['requests'] = [];
  const graphqlPaths: string[] = [];
  const state = { jwtsVerified: 0 };
  const orgs = Array.isArray(served) ? served : [served];
  const reposOf = new Map(orgs.map((o) => [o.login, new Map(o.repos.map((r) => [r.name, r]))]));
  // the organisation a request is about (its {org} or {owner}); requests are handled one at a time, synchronously
  let org = orgs[0];
  let repoByName = reposOf.get(org.login)!;
  const faults = new FaultPlan();
  const faultOf = new WeakMap<ServerResponse, Fault>();
  let base = '';

  const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    const all = { 'content-type': 'application/json; charset=utf-8', 'x-ratelimit-limit': '5000', 'x-ratelimit-remaining': '4999', 'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 3600), 'x-ratelimit-resource': 'core', ...headers };
    respondWith(res, faultOf.get(res), status, all, JSON.stringify(body));
  };
  const notFound = (res: ServerResponse) => send(res, 404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest', status: '404' });

  /** page a list; `wrap` puts it under a key with total_count like the secrets/installations endpoints */
  const paged = (req: IncomingMessage, res: ServerResponse, items: unknown[], wrap?: string) => {
    const u = new URL(req.url ?? '/', base);
    const per = Math.min(Number(u.searchParams.get('per_page') ?? 30), pageSize);
    const page = Math.max(1, Number(u.searchParams.get('page') ?? 1));
    const last = Math.max(1, Math.ceil(items.length / per));
    const slice = items.slice((page - 1) * per, page * per);
    const link = (p: number, rel: string) => {
      const x = new URL(u.toString());
      x.searchParams.set('page', String(p));
      x.searchParams.set('per_page', String(per));
      return `<${x.toString()}>; rel="${rel}"`;
    };
    const links: string[] = [];
    if (page < last) links.push(link(page + 1, 'next'), link(last, 'last'));
    if (page > 1) links.push(link(1, 'first'), link(page - 1, 'prev'));
    send(res, 200, wrap ? { total_count: items.length, [wrap]: slice } : slice, links.length ? { link: links.join(', ') } : {});
  };

  const secretJson = (routeTemplate: string, s: FakeSecret, orgLevel: boolean) => {
    const t = template(routeTemplate, 'secrets');
    t.name = s.name;
    t.created_at = s.created;
    t.updated_at = s.updated;
    if (orgLevel) {
      const store = routeTemplate.split('/')[3]; // actions | dependabot | codespaces
      t.visibility = s.visibility ?? 'all';
      if (t.visibility === 'selected') t.selected_repositories_url = `${base}/orgs/${org.login}/${store}/secrets/${s.name}/repositories`;
      else delete t.selected_repositories_url;
    } else {
      delete t.visibility;
      delete t.selected_repositories_url;
    }
    return t;
  };
  const hookJson = (routeTemplate: string, h: FakeHook) => {
    const t = template(routeTemplate);
    t.id = h.id;
    t.events = h.events;
    t.active = h.active;
    t.config = { url: h.url, content_type: 'json', insecure_ssl: h.insecureSsl ? '1' : '0', ...(h.secret ? { secret: '********' } : {}) };
    return t;
  };
  const runnerJson = (r: FakeRunner) => {
    const t = template('/orgs/{org}/actions/runners', 'runners');
    t.id = r.id;
    t.name = r.name;
    t.os = r.os;
    t.status = r.status;
    t.labels = r.labels.map((name, i) => ({ id: i + 1, name, type: i === 0 ? 'read-only' : 'custom' }));
    if (r.groupId !== undefined) t.runner_group_id = r.groupId;
    return t;
  };

  /**
   * The one GraphQL query the connector sends (an enterprise's organisations), answered in GraphQL's JSON shape:
   * cursor paging (`pageInfo { hasNextPage endCursor }`, opaque base64 cursors), `first` capped at the fake's page
   * size, and `enterprise: null` with a NOT_FOUND error for an unknown slug, as GitHub answers.
   */
  const graphql = (res: ServerResponse, body: string): void => {
    let doc: { query?: string; variables?: Record<string, unknown> };
    try {
      doc = JSON.parse(body) as typeof doc;
    } catch {
      return send(res, 400, { message: 'Problems parsing JSON', documentation_url: 'https://docs.github.com/graphql' });
    }
    const query = doc.query ?? '';
    if (!/enterprise\s*\(\s*slug\s*:\s*\$slug\s*\)/.test(query) || !/organizations\s*\(/.test(query)) {
      return send(res, 200, { errors: [{ message: 'the fake answers only enterprise(slug:) { organizations }' }] });
    }
    const slug = String(doc.variables?.slug ?? '');
    const logins = opts.enterprises?.[slug];
    if (!logins) {
      return send(res, 200, { data: { enterprise: null }, errors: [{ type: 'NOT_FOUND', path: ['enterprise'], locations: [{ line: 2, column: 3 }], message: `Could not resolve to an Enterprise with the slug of '${slug}'.` }] });
    }
    const first = Math.min(Number(/first\s*:\s*(\d+)/.exec(query)?.[1] ?? 100), pageSize);
    const after = doc.variables?.after;
    const start = typeof after === 'string' ? Number(Buffer.from(after, 'base64').toString('utf8').replace(/^cursor:v2:/, '')) + 1 : 0;
    const slice = logins.slice(start, start + first);
    const end = start + slice.length - 1;
    const cursor = (i: number) => Buffer.from(`cursor:v2:${i}`).toString('base64');
    return send(res, 200, {
      data: { enterprise: { organizations: { nodes: slice.map((login) => ({ login })), pageInfo: { hasNextPage: end < logins.length - 1, endCursor: slice.length ? cursor(end) : null } } } },
    });
  };

  const handle = (req: IncomingMessage, res: ServerResponse, route: Route, p: Record<string, string>, body: string): void => {
    const key = `${route.method} ${route.template}`;
    if (key === 'POST /graphql') return graphql(res, body);
    const login = p.org ?? p.owner;
    const named = login === undefined ? undefined : orgs.find((o) => o.login === login);
    if (named) {
      org = named;
      repoByName = reposOf.get(named.login)!;
    }
    const repo = p.repo ? repoByName.get(p.repo) : undefined;
    if (p.owner && (p.owner !== org.login || !repo)) return notFound(res);
    if (p.org && p.org !== org.login) return notFound(res);
    switch (key) {
      case 'GET /orgs/{org}': {
        const t = example('/orgs/{org}');
        t.login = org.login;
        t.two_factor_requirement_enabled = org.twoFactorRequired ?? true;
        return send(res, 200, t);
      }
      case 'GET /orgs/{org}/actions/permissions/workflow':
        return send(res, 200, { default_workflow_permissions: org.defaultWorkflowPermissions, can_approve_pull_request_reviews: org.canApprovePullRequestReviews });
      case 'GET /orgs/{org}/actions/oidc/customization/sub':
        return send(res, 200, { ...example('/orgs/{org}/actions/oidc/customization/sub'), include_claim_keys: org.oidcSubClaimKeys ?? [] });
      case 'GET /repos/{owner}/{repo}/actions/oidc/customization/sub': {
        const t = example('/repos/{owner}/{repo}/actions/oidc/customization/sub');
        const sub = repo!.oidcSub ?? { useDefault: true };
        t.use_default = sub.useDefault;
        if (sub.includeClaimKeys) t.include_claim_keys = sub.includeClaimKeys;
        else delete t.include_claim_keys;
        return send(res, 200, t);
      }
      case 'GET /orgs/{org}/repos':
        return paged(
          req,
          res,
          org.repos.map((r) => {
            const t = template('/orgs/{org}/repos');
            Object.assign(t, { name: r.name, full_name: `${org.login}/${r.name}`, private: r.visibility !== 'public', visibility: r.visibility, archived: r.archived ?? false, fork: false, default_branch: r.defaultBranch ?? 'main' });
            t.owner.login = org.login;
            return t;
          }),
        );
      case 'GET /orgs/{org}/actions/secrets':
        return paged(req, res, org.secrets.map((s) => secretJson('/orgs/{org}/actions/secrets', s, true)), 'secrets');
      case 'GET /orgs/{org}/actions/secrets/{name}/repositories':
      case 'GET /orgs/{org}/dependabot/secrets/{name}/repositories':
      case 'GET /orgs/{org}/codespaces/secrets/{name}/repositories': {
        const store = route.template.split('/')[3];
        const all = store === 'actions' ? org.secrets : store === 'dependabot' ? org.dependabotSecrets : (org.codespacesSecrets ?? []);
        const s = all.find((x) => x.name === p.name);
        if (!s) return notFound(res);
        const t = template(`/orgs/{org}/${store}/secrets/{secret_name}/repositories`, 'repositories');
        return paged(req, res, (s.selected ?? []).map((name) => ({ ...structuredClone(t), name, full_name: `${org.login}/${name}` })), 'repositories');
      }
      case 'GET /orgs/{org}/dependabot/secrets':
        return paged(req, res, org.dependabotSecrets.map((s) => secretJson('/orgs/{org}/dependabot/secrets', s, true)), 'secrets');
      case 'GET /orgs/{org}/codespaces/secrets':
        return paged(req, res, (org.codespacesSecrets ?? []).map((s) => secretJson('/orgs/{org}/codespaces/secrets', s, true)), 'secrets');
      case 'GET /orgs/{org}/hooks':
        return paged(req, res, org.hooks.map((h) => hookJson('/orgs/{org}/hooks', h)));
      case 'GET /orgs/{org}/actions/runners':
        return paged(req, res, org.runners.map(runnerJson), 'runners');
      case 'GET /orgs/{org}/actions/runner-groups':
        return paged(
          req,
          res,
          org.runnerGroups.map((g) => ({ ...template('/orgs/{org}/actions/runner-groups', 'runner_groups'), id: g.id, name: g.name, allows_public_repositories: g.allowsPublic })),
          'runner_groups',
        );
      case 'GET /orgs/{org}/installations':
        return paged(
          req,
          res,
          org.installations.map((i) => {
            const t = template('/orgs/{org}/installations', 'installations');
            Object.assign(t, { id: i.id, app_id: i.appId, app_slug: i.appSlug, repository_selection: i.selection, permissions: i.permissions, created_at: i.created, suspended_at: null });
            t.account.login = org.login;
            return t;
          }),
          'installations',
        );
      case 'GET /orgs/{org}/installation':
        if (!org.app) return notFound(res);
        return send(res, 200, { ...example('/orgs/{org}/installation'), id: org.app.installationId, app_id: org.app.appId });
      case 'POST /app/installations/{id}/access_tokens': {
        if (!org.app || Number(p.id) !== org.app.installationId) return notFound(res);
        const auth = String(req.headers.authorization ?? '').replace(/^bearer\s+/i, '');
        const [h, pl, sig] = auth.split('.');
        const header = h ? JSON.parse(b64url(h).toString('utf8')) : {};
        const payload = pl ? JSON.parse(b64url(pl).toString('utf8')) : {};
        const ok = header.alg === 'RS256' && String(payload.iss) === String(org.app.appId) && createVerify('RSA-SHA256').update(`${h}.${pl}`).verify(org.app.publicKey, b64url(sig ?? ''));
        if (!ok) return send(res, 401, { message: 'A JSON web token could not be decoded', status: '401' });
        state.jwtsVerified++;
        return send(res, 201, { ...example('/app/installations/{installation_id}/access_tokens', 'post', '201'), token: 'ghs_FAKEINSTALLATIONTOKEN0000000000000000', expires_at: new Date(Date.now() + 3600_000).toISOString() });
      }
      case 'GET /orgs/{org}/personal-access-tokens': {
        if (!String(req.headers.authorization ?? '').includes('ghs_')) return send(res, 403, { message: 'Resource not accessible by personal access token', status: '403' });
        return paged(
          req,
          res,
          org.pats.map((x) => {
            const t = template('/orgs/{org}/personal-access-tokens');
            Object.assign(t, { id: x.id, token_id: x.tokenId, token_name: x.tokenName, access_granted_at: x.granted, token_last_used_at: x.lastUsed ?? null, token_expires_at: x.expires ?? null, token_expired: false, repository_selection: x.selection, permissions: x.permissions });
            t.owner.login = x.owner;
            return t;
          }),
        );
      }
      case 'GET /orgs/{org}/credential-authorizations': {
        if (!org.samlAuthorizations) return notFound(res);
        const t = template('/orgs/{org}/credential-authorizations', undefined, 'ghec');
        return paged(
          req,
          res,
          org.samlAuthorizations.map((a) => ({
            ...structuredClone(t),
            login: a.login,
            credential_id: a.credentialId,
            credential_type: a.type,
            credential_authorized_at: a.authorizedAt,
            credential_accessed_at: a.accessedAt ?? null,
            authorized_credential_expires_at: a.expiresAt ?? null,
            scopes: a.scopes ?? [],
            token_last_eight: a.tokenLastEight ?? '12345678',
          })),
        );
      }
      case 'GET /repos/{owner}/{repo}/keys':
        return paged(
          req,
          res,
          repo!.keys.map((k) => ({ ...template('/repos/{owner}/{repo}/keys'), id: k.id, title: k.title, read_only: k.readOnly, created_at: k.created, last_used: k.lastUsed ?? null, added_by: k.addedBy ?? 'octocat', key: k.key ?? 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFAKEPUBLICKEYMATERIAL' })),
        );
      case 'GET /repos/{owner}/{repo}/actions/secrets':
        return paged(req, res, repo!.secrets.map((s) => secretJson('/repos/{owner}/{repo}/actions/secrets', s, false)), 'secrets');
      case 'GET /repos/{owner}/{repo}/dependabot/secrets':
        return paged(req, res, (repo!.dependabotSecrets ?? []).map((s) => secretJson('/repos/{owner}/{repo}/dependabot/secrets', s, false)), 'secrets');
      case 'GET /repos/{owner}/{repo}/environments': {
        const t = example('/repos/{owner}/{repo}/environments').environments[0];
        return paged(req, res, repo!.environments.map((e) => ({ ...structuredClone(t), name: e.name })), 'environments');
      }
      case 'GET /repos/{owner}/{repo}/environments/{env}/secrets': {
        const env = repo!.environments.find((e) => e.name === decodeURIComponent(p.env));
        if (!env) return notFound(res);
        return paged(req, res, env.secrets.map((s) => secretJson('/repos/{owner}/{repo}/actions/secrets', s, false)), 'secrets');
      }
      case 'GET /repos/{owner}/{repo}/hooks':
        return paged(req, res, repo!.hooks.map((h) => hookJson('/repos/{owner}/{repo}/hooks', h)));
      case 'GET /repos/{owner}/{repo}/actions/runners':
        return paged(req, res, repo!.runners.map(runnerJson), 'runners');
      case 'GET /repos/{owner}/{repo}/actions/permissions/workflow':
        return send(res, 200, { default_workflow_permissions: repo!.workflowPermissions?.default ?? org.defaultWorkflowPermissions, can_approve_pull_request_reviews: repo!.workflowPermissions?.canApprove ?? false });
      case 'GET /repos/{owner}/{repo}/contents/{path}': {
        const wanted = decodeURIComponent(p.path).replace(/\/$/, '');
        if (!repo!.workflows) return notFound(res);
        if (wanted === '.github/workflows') {
          const t = example('/repos/{owner}/{repo}/contents/{path}');
          return send(
            res,
            200,
            repo!.workflows.map((w) => ({ type: 'file', name: path.posix.basename(w.path), path: w.path, sha: 'a'.repeat(40), size: w.text.length, url: `${base}/repos/${org.login}/${repo!.name}/contents/${w.path}`, html_url: t.html_url, git_url: t.git_url, download_url: t.download_url, _links: t._links })),
          );
        }
        const w = repo!.workflows.find((x) => x.path === wanted);
        if (!w) return notFound(res);
        const t = example('/repos/{owner}/{repo}/contents/{path}');
        return send(res, 200, { ...t, type: 'file', encoding: 'base64', name: path.posix.basename(w.path), path: w.path, size: w.text.length, content: Buffer.from(w.text).toString('base64').replace(/(.{60})/g, '$1\n') });
      }
    }
    void body;
    return notFound(res);
  };

  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString('utf8')));
    req.on('end', () => {
      const u = new URL(req.url ?? '/', 'http://x');
      // Enterprise Server paths: REST under /api/v3, GraphQL at /api/graphql
      const pathname = u.pathname.replace(/^\/api\/v3/, '').replace(/^\/api\/graphql$/, '/graphql');
      const route = ROUTES.find((r) => r.method === req.method && r.re.test(pathname));
      requests.push({ method: req.method ?? '', path: pathname, route: route ? `${route.method} ${route.template}` : `${req.method} ${pathname}` });
      if (pathname === '/graphql') graphqlPaths.push(u.pathname);
      const respond = () => {
        if (!route) return notFound(res);
        const key = `${route.method} ${route.template}`;
        const fault = faults.next(key, pathname);
        if (fault) faultOf.set(res, fault);
        const f = [...failures.values()].find((x) => x.match(key) && x.remaining > 0);
        if (f) {
          f.remaining--;
          const m = f.mode;
          const limit = m === 'secondary-rate-limit' ? 'secondary' : m === 'rate-limit' ? 'primary' : 'rateLimit' in m ? m.rateLimit : undefined;
          if (limit === 'secondary') {
            return send(res, 403, { message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.', documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits', status: '403' }, { 'retry-after': '1' });
          }
          if (limit === 'primary') {
            return send(
              res,
              403,
              { message: 'API rate limit exceeded for installation ID 1.', documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api', status: '403' },
              { 'x-ratelimit-remaining': '0', 'x-ratelimit-used': '5000', 'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 1) },
            );
          }
          if (typeof m === 'object' && 'status' in m) return send(res, m.status, { message: m.message ?? (m.status === 403 ? 'Resource not accessible by integration' : 'Server Error'), status: String(m.status) });
          if (typeof m === 'object' && 'graphql' in m) {
            // GraphQL reports these with HTTP 200 and an `errors` array
            if (m.graphql === 'RATE_LIMITED') {
              return send(res, 200, { errors: [{ type: 'RATE_LIMITED', message: 'API rate limit exceeded for user ID 1.' }] }, { 'x-ratelimit-remaining': '0', 'x-ratelimit-used': '5000', 'x-ratelimit-resource': 'graphql', 'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 1) });
            }
            if (m.graphql === 'FORBIDDEN') {
              return send(res, 200, { data: { enterprise: null }, errors: [{ type: 'FORBIDDEN', path: ['enterprise', 'organizations'], message: 'Resource not accessible by personal access token' }] });
            }
            return send(res, 200, { data: null, errors: [{ message: 'Something went wrong while executing your query. Please include `ABCD:1234` when reporting this issue.' }] });
          }
        }
        const m = route.re.exec(pathname)!;
        const params = Object.fromEntries(route.keys.map((k, i) => [k, decodeURIComponent(m[i + 1])]));
        try {
          handle(req, res, route, params, body);
        } catch (err) {
          send(res, 500, { message: `fake error: ${(err as Error).message}` });
        }
      };
      if (opts.latencyMs) setTimeout(respond, opts.latencyMs);
      else respond();
    });
  });
  base = await listenLoopback(server);
  return {
    url: base,
    requests,
    graphqlPaths,
    get jwtsVerified() {
      return state.jwtsVerified;
    },
    fail(route, how) {
      const match = typeof route === 'string' ? (k: string) => k === route : (k: string) => route.test(k);
      const remaining = typeof how === 'string' ? 1 : (how.times ?? Number.POSITIVE_INFINITY);
      failures.set(String(route), { match, mode: how, remaining });
    },
    fault(route, fault, select) {
      faults.add(route, fault, select);
    },
    injected: faults.injected,
    clear(route) {
      if (route) failures.delete(String(route));
      else {
        failures.clear();
        faults.clear();
      }
    },
    close: () => closeServer(server),
  };
}
