/**
 * The GitLab connector: a group (and its subgroups) with its projects' access tokens, deploy tokens, deploy keys,
 * CI/CD variables (key and flags only: the value is dropped here, field by field) and `.gitlab-ci.yml` references.
 * Read through @gitbeaker/rest with a request handler of ours (the one choke point): it counts every HTTP request,
 * retries included, honours gitbeaker's per-endpoint rate limiters, and retries 429 (Retry-After), 5xx and network errors.
 */
import { createRequesterFn, getMatchingRateLimiter, type FormattedResponse, type RateLimiters, type RequestHandlerFn } from '@gitbeaker/requester-utils';
import { Gitlab } from '@gitbeaker/rest';
import pLimit from 'p-limit';
import { z } from 'zod';
import { analyzePipeline, pipelineRecords } from '../../src/ci/gitlab-ci.js';
import type { CallCounter, Connector, ScanContext } from '../../src/engine/types.js';
import type { CoverageNote, CoverageReason, CredentialNode, GraphRecord, IdentityEdge, PrincipalNode, Provenance, ResourceNode, ScanTarget } from '../../src/model/types.js';
import { describeError, NhiError } from '../../src/util/errors.js';
import { globRegExp } from '../../src/util/glob.js';
import { Outbox } from '../../src/util/outbox.js';
import { parseRetryAfter } from '../../src/util/retry-after.js';
import { sleep } from '../../src/util/sleep.js';
import { redactUrl } from '../../src/util/url.js';

const CONNECTOR_ID = 'gitlab';
const PER_PAGE = 100;

export const gitlabOptionsSchema = z
  .object({
    /** instance URL, without `/api/v4` */
    url: z.string().url().default('https://gitlab.com'),
    /** group full path (`acme` or `acme/platform`) */
    group: z.string().min(1),
    /** only these projects: full paths or names, `*` / `?` globs */
    projects: z.array(z.string().min(1)).optional(),
    includeSubgroups: z.boolean().default(true),
    /** read each project's pipeline definition (default branch) */
    ciConfig: z.boolean().default(true),
    /** attempts per request on 429 / 5xx / network errors / timeouts / malformed bodies */
    maxAttempts: z.number().int().min(1).max(10).default(4),
    /** one attempt of one request gives up after this long (no flag: tests and the CLI deadline) */
    requestTimeoutMs: z.number().int().min(1).default(60_000),
    /** first backoff without a Retry-After (doubles each attempt) */
    retryDelayMs: z.number().int().min(0).default(250),
  })
  .strict();
export type GitLabOptions = z.infer<typeof gitlabOptionsSchema>;

const tokenFromEnv = () => process.env.GITLAB_TOKEN || undefined;

/** `gitlab:GET /projects/:id/variables` style labels from a concrete API URL (no ids, no query). */
export function routeLabel(method: string, url: string): string {
  const p = new URL(url).pathname
    .replace(/^.*\/api\/v4/, '')
    .replace(/\/(groups|projects)\/[^/]+/, '/$1/:id')
    .replace(/\/repository\/files\/[^/]+\/raw$/, '/repository/files/:path/raw');
  return `gitlab:${method.toUpperCase()} ${p}`;
}

/** Seconds to wait from a Retry-After header (seconds or an HTTP date), capped. */
export function retryAfterMs(header: string | null, attempt: number, now = Date.now(), baseMs = 250): number {
  const asked = parseRetryAfter(header, now);
  return asked === undefined ? baseMs * 2 ** (attempt - 1) : Math.min(asked, 60_000);
}


/**
 * An API failure: its HTTP status when the server answered with an error, or `kind` when no usable answer came (the
 * connection failed, the attempt timed out, or a 2xx body was cut short or not what the endpoint sends).
 */
export class GitLabRequestError extends Error {
  constructor(
    message: string,
    readonly status?: number,
    readonly kind?: 'network' | 'timeout' | 'malformed',
  ) {
    // URLs in the text (error bodies, network errors) lose their user info and query: tokens travel there
    super(message.replace(/\bhttps?:\/\/[^\s"'<>]+/gi, (u) => redactUrl(u)));
    this.name = 'GitLabRequestError';
  }
}

/** The endpoints that answer a JSON list (every one the connector reads, except the group itself and the raw file). */
const LIST_ROUTES = new Set([
  'GET /groups/:id/descendant_groups',
  'GET /groups/:id/projects',
  'GET /groups/:id/access_tokens',
  'GET /groups/:id/deploy_tokens',
  'GET /groups/:id/variables',
  'GET /projects/:id/access_tokens',
  'GET /projects/:id/deploy_tokens',
  'GET /projects/:id/deploy_keys',
  'GET /projects/:id/variables',
]);

/** Why a 2xx body is not what `route` sends (undefined: it is). `body` is the parsed JSON, or the text. */
export function shapeProblem(route: string, body: unknown, json: boolean): string | undefined {
  if (route === 'GET /projects/:id/repository/files/:path/raw') return undefined; // a file: any text
  if (!json) return typeof body === 'string' && body.trim() === '' ? 'the response body was empty' : 'the response was not JSON';
  if (LIST_ROUTES.has(route)) return Array.isArray(body) ? undefined : 'expected a list';
  if (route === 'GET /groups/:id') return body && typeof body === 'object' && !Array.isArray(body) && typeof (body as { full_path?: unknown }).full_path === 'string' ? undefined : 'expected a group';
  return body !== null && typeof body === 'object' ? undefined : 'expected a JSON object or list';
}

/**
 * Our request handler for gitbeaker, the one choke point: one count per HTTP attempt, a per-attempt timeout, the
 * scan's abort signal, the body read in full and checked against what the endpoint sends, and retries with backoff
 * on 429 (Retry-After), 5xx, network errors, timeouts and malformed bodies. A cancelled scan stops at once.
 */
function countingHandler(calls: CallCounter, o: Pick<GitLabOptions, 'maxAttempts' | 'requestTimeoutMs' | 'retryDelayMs'>, scanSignal?: AbortSignal): RequestHandlerFn {
  const { maxAttempts } = o;
  return async (endpoint, options) => {
    const { prefixUrl, searchParams, method = 'GET', rateLimiters, agent: _agent, asStream: _asStream, signal, ...init } = (options ?? {}) as {
      prefixUrl?: string;
      searchParams?: string;
      method?: string;
      rateLimiters?: RateLimiters;
      agent?: unknown;
      asStream?: boolean;
      signal?: AbortSignal;
      headers?: Record<string, string>;
      body?: string | FormData;
    };
    const base = prefixUrl ? (prefixUrl.endsWith('/') ? prefixUrl : `${prefixUrl}/`) : undefined;
    const url = new URL(endpoint, base);
    url.search = searchParams ?? '';
    const label = routeLabel(method, url.toString());
    const rateLimit = getMatchingRateLimiter(endpoint, rateLimiters, method);
    const route = label.slice('gitlab:'.length);
    const outer = [signal, scanSignal].filter((s): s is AbortSignal => s !== undefined);
    const waitSignal = outer.length > 1 ? AbortSignal.any(outer) : outer[0];
    const stopped = () => Boolean(waitSignal?.aborted);
    const failed = (attempt: number, why: string, kind: 'network' | 'timeout' | 'malformed') =>
      new GitLabRequestError(`${route}: ${why}${attempt > 1 ? ` (${attempt} attempts)` : ''}`, undefined, kind);
    for (let attempt = 1; ; attempt++) {
      await rateLimit();
      if (stopped()) throw waitSignal!.reason ?? new Error('cancelled');
      calls.count(label);
      const timeout = AbortSignal.timeout(o.requestTimeoutMs);
      const attemptSignal = AbortSignal.any([...outer, timeout]);
      let res: Response;
      let text: string;
      try {
        res = await fetch(url, { ...init, method, signal: attemptSignal });
        // the whole body, under the same timeout: a body cut short fails the attempt
        text = await res.text();
      } catch (err) {
        if (stopped()) throw waitSignal!.reason ?? err;
        const kind = timeout.aborted ? 'timeout' : 'network';
        const why = kind === 'timeout' ? `no complete response within ${seconds(o.requestTimeoutMs)}` : describeError((err as { cause?: unknown }).cause ?? err);
        if (attempt >= maxAttempts) throw failed(attempt, why, kind);
        await sleep(o.retryDelayMs * 2 ** (attempt - 1), waitSignal);
        continue;
      }
      if (res.ok) {
        const type = (res.headers.get('content-type') ?? '').split(';')[0].trim().toLowerCase();
        let body: unknown = res.status === 204 ? null : text;
        let problem: string | undefined;
        if (res.status !== 204) {
          const json = type === 'application/json';
          if (json) {
            try {
              body = JSON.parse(text);
            } catch {
              problem = text.trim() === '' ? 'the response body was empty' : 'the response body was not valid JSON (cut short?)';
            }
          }
          problem ??= shapeProblem(route, body, json);
        }
        if (!problem) return { body, headers: Object.fromEntries(res.headers.entries()), status: res.status } as FormattedResponse;
        if (attempt >= maxAttempts) throw failed(attempt, problem, 'malformed');
        await sleep(o.retryDelayMs * 2 ** (attempt - 1), waitSignal);
        continue;
      }
      const retryable = res.status === 429 || res.status >= 500;
      if (!retryable || attempt >= maxAttempts) {
        let message = text;
        try {
          const j = JSON.parse(text) as { message?: unknown; error?: unknown };
          const m = j.message ?? j.error;
          message = typeof m === 'string' ? m : JSON.stringify(m ?? j);
        } catch {
          // not JSON: keep the text
        }
        message = message.replace(/\s+/g, ' ').trim();
        throw new GitLabRequestError((message.startsWith(String(res.status)) ? message : `${res.status} ${message}`).slice(0, 200), res.status);
      }
      await sleep(retryAfterMs(res.headers.get('retry-after'), attempt, Date.now(), o.retryDelayMs), waitSignal);
    }
  };
}

function seconds(ms: number): string {
  return ms >= 1000 ? `${Math.round(ms / 100) / 10} s` : `${ms} ms`;
}

/** The target of a scan: the group by its full path on the instance's host (lower-case, no user info, no port unless non-default). */
export function groupTarget(url: string, fullPath: string): ScanTarget {
  let host: string;
  try {
    host = new URL(url).host.toLowerCase();
  } catch {
    host = redactUrl(url).toLowerCase();
  }
  return { id: `gitlab:group:${host}/${fullPath.toLowerCase()}`, platform: 'gitlab', kind: 'group', name: fullPath };
}

const statusOf = (err: unknown): number | undefined => (err instanceof GitLabRequestError ? err.status : (err as { cause?: { response?: { status?: number } } }).cause?.response?.status);

/** What each endpoint needs, for permission-denied notes. */
const NEEDS: Record<string, string> = {
  'GET /groups/:id/descendant_groups': 'a token with read_api and membership of the group',
  'GET /groups/:id/projects': 'a token with read_api and membership of the group',
  'GET /groups/:id/access_tokens': 'the Owner role on the group',
  'GET /projects/:id/access_tokens': 'the Maintainer role on the project',
  'GET /groups/:id/deploy_tokens': 'the Maintainer role on the group',
  'GET /projects/:id/deploy_tokens': 'the Maintainer role on the project',
  'GET /projects/:id/deploy_keys': 'the Maintainer role on the project',
  'GET /groups/:id/variables': 'the Maintainer role on the group',
  'GET /projects/:id/variables': 'the Maintainer role on the project',
  'GET /projects/:id/repository/files/:path/raw': 'the Reporter role and read_api (or read_repository)',
};

interface Failure {
  reason: CoverageReason;
  incomplete: boolean;
  first: string;
  impact: string;
  targets: string[];
  /** the scanned group's full path (unknown when the group itself could not be read) */
  scope?: string;
}


interface GroupInfo {
  id: number;
  full_path: string;
  parent_id?: number | null;
  visibility?: string;
}
interface ProjectInfo {
  id: number;
  path_with_namespace: string;
  visibility?: string;
  archived?: boolean;
  default_branch?: string | null;
  ci_config_path?: string | null;
}
interface AccessTokenInfo {
  id: number;
  name?: string;
  scopes?: string[];
  created_at?: string;
  expires_at?: string | null;
  last_used_at?: string | null;
  active?: boolean;
  revoked?: boolean;
  access_level?: number;
  user_id?: number;
}
interface DeployTokenInfo {
  id: number;
  name?: string;
  scopes?: string[];
  expires_at?: string | null;
  revoked?: boolean;
  expired?: boolean;
}
interface DeployKeyInfo {
  id: number;
  title?: string;
  created_at?: string;
  expires_at?: string | null;
  can_push?: boolean;
}
/** What the variables API returns; `value` is listed only to say it is never read. */
interface VariableInfo {
  key: string;
  value?: never;
  protected?: boolean;
  masked?: boolean;
  hidden?: boolean;
  raw?: boolean;
  variable_type?: string;
  environment_scope?: string;
}

/**
 * Where the pipeline definition lives: `.gitlab-ci.yml` unless the project names another file in this repository.
 * `undefined` when it lives elsewhere (another project `file@group/project`, or a URL): it is not read.
 */
export function ciConfigFile(ciConfigPath: string | null | undefined): string | undefined {
  const p = (ciConfigPath ?? '').trim();
  if (p === '') return '.gitlab-ci.yml';
  if (p.includes('@') || /^https?:\/\//i.test(p)) return undefined;
  return p.replace(/^\/+/, '');
}

export const gitlabConnector: Connector = {
  id: CONNECTOR_ID,
  describe: () => ({
    title: 'GitLab',
    requiredPermissions: [
      'a token in GITLAB_TOKEN with the read_api scope (personal, group or project access token, or a service account)',
      'the Maintainer role on the group: CI/CD variables, deploy tokens, deploy keys and project access tokens are Maintainer-only',
    ],
    optionalPermissions: [
      { permission: 'the Owner role on the group', unlocks: 'group access tokens (GET /groups/:id/access_tokens)' },
      { permission: 'the Reporter role and read_api (or read_repository)', unlocks: 'each project\u2019s .gitlab-ci.yml, to find CI/CD variables no pipeline references' },
    ],
    permissionsDocument: { tokenScopes: ['read_api'], minimumRole: 'Maintainer', groupAccessTokensRole: 'Owner' },
    options: gitlabOptionsSchema,
  }),
  async validate(ctx) {
    const parsed = gitlabOptionsSchema.safeParse(ctx.options);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const field = issue.path.join('.') || 'options';
      throw new NhiError('USAGE', field === 'group' ? 'gitlab: no group given' : `gitlab: ${field}: ${issue.message}`, {
        suggestion: field === 'group' ? 'name the group with --gitlab-group PATH (its full path, e.g. acme/platform)' : field === 'url' ? 'give the instance URL, e.g. --gitlab-url https://gitlab.example.com' : undefined,
      });
    }
    if (!tokenFromEnv()) {
      throw new NhiError('CREDENTIALS', 'no GitLab token: set GITLAB_TOKEN', {
        suggestion: 'create a personal, group or project access token with the read_api scope (Maintainer or above on the group) and export GITLAB_TOKEN',
      });
    }
  },
  async *scan(ctx: ScanContext): AsyncIterable<GraphRecord> {
    const o = gitlabOptionsSchema.parse(ctx.options);
    const outbox = new Outbox<GraphRecord>();
    const failures = new Map<string, Failure>();
    yield* outbox.drain(readGroup(ctx, o, outbox, failures));
    const scope = [...failures.values()][0]?.scope;
    for (const [key, f] of failures) {
      const route = key.split('\u0000')[0];
      const where = f.targets.length > 1 ? `${f.targets.length} groups/projects, e.g. ${f.targets[0]}` : f.targets[0];
      const coverage: CoverageNote = { connector: CONNECTOR_ID, source: `gitlab:${route}`, scope: f.scope ?? scope, reason: f.reason, message: `${f.first} (${where})`, impact: f.impact, incomplete: f.incomplete };
      yield { type: 'coverage', coverage };
    }
  },
};

/**
 * Read the group, its subgroups and projects. The records of one group or project go to `outbox` together once it
 * is read, so a run stopped by the deadline keeps whole groups and projects only.
 */
async function readGroup(ctx: ScanContext, o: GitLabOptions, outbox: Outbox<GraphRecord>, failures: Map<string, Failure>): Promise<void> {
  const observedAt = ctx.now.toISOString();
  const requesterFn = createRequesterFn(async (_serviceOptions, reqo) => reqo, countingHandler(ctx.calls, o, ctx.signal));
  // queryTimeout off: our handler times out each attempt (requestTimeoutMs) and retries within maxAttempts
  const api = new Gitlab({ host: o.url.replace(/\/+$/, ''), token: tokenFromEnv()!, requesterFn, queryTimeout: null });
  const prov = (source: string): Provenance => ({ connector: CONNECTOR_ID, source: `gitlab:${source}`, observedAt });
  const edgeTo = (sink: GraphRecord[]) => (type: string, from: string, to: string, source: string, attributes?: Record<string, unknown>) => {
    const e: IdentityEdge = { type, from, to, provenance: [prov(source)] };
    if (attributes) e.attributes = attributes;
    sink.push({ type: 'edge', edge: e });
  };
  /** One note per endpoint and reason: 403 names what is needed, 404 (feature not on this plan / instance) is informational. */
  const fail = (route: string, target: string, err: unknown, impact: string) => {
    // cancelled or past the deadline: stop here (the engine writes the note) instead of failing every call
    if (ctx.signal?.aborted) throw ctx.signal.reason ?? err;
    const status = statusOf(err);
    const kind = err instanceof GitLabRequestError ? err.kind : undefined;
    const [reason, incomplete, why]: [CoverageReason, boolean, string] =
      kind === 'timeout'
        ? ['timeout', true, '']
        : status === 401 || status === 403
          ? ['permission-denied', true, `needs ${NEEDS[route] ?? 'more access'}`]
          : status === 404
            ? ['unsupported', false, 'not available on this GitLab instance or plan, or the feature is turned off']
            : status === 429
              ? ['throttled', true, 'still rate limited after retries']
              : ['error', true, ''];
    const key = `${route}\u0000${reason}`;
    const f = failures.get(key) ?? { reason, incomplete, first: [describeError(err), why].filter(Boolean).join(': '), impact: incomplete ? impact : 'nothing to read there', targets: [], scope: rootPath };
    f.targets.push(target);
    failures.set(key, f);
  };
  let rootPath: string | undefined;

  ctx.progress(`reading group ${o.group}`);
  let root: GroupInfo;
  try {
    root = (await api.Groups.show(o.group)) as unknown as GroupInfo;
  } catch (err) {
    if (ctx.signal?.aborted) throw ctx.signal.reason ?? err;
    const status = statusOf(err);
    const what = `gitlab: cannot read group ${o.group} on ${redactUrl(o.url)} (${describeError(err)})`;
    if (status === 401) throw new NhiError('CREDENTIALS', what, { cause: err, suggestion: 'GitLab refused the token: check GITLAB_TOKEN (expired or revoked?) and that it has the read_api scope' });
    if (status === 403) throw new NhiError('CREDENTIALS', what, { cause: err, suggestion: 'the token lacks the read_api scope or access to the group' });
    throw new NhiError('USAGE', what, { cause: err, suggestion: status === 404 ? 'check --gitlab-group (the full path, e.g. acme/platform) and --gitlab-url; private groups are invisible to tokens without access' : undefined });
  }
  const scope = root.full_path;
  rootPath = scope;
  outbox.push({ type: 'target', target: groupTarget(o.url, root.full_path) });
  const groups: GroupInfo[] = [root];
  if (o.includeSubgroups) {
    try {
      groups.push(...((await api.Groups.allDescendantGroups(root.id, { perPage: PER_PAGE })) as unknown as GroupInfo[]));
    } catch (err) {
      fail('GET /groups/:id/descendant_groups', root.full_path, err, 'subgroups (and their tokens and variables) are not in the report');
    }
  }
  const groupPaths = new Set(groups.map((g) => g.full_path));
  const groupNodes = new Map<string, GraphRecord[]>();
  for (const g of groups) {
    const mine: GraphRecord[] = [];
    const gid = `gitlab:group:${g.full_path}`;
    const attributes: Record<string, unknown> = { inScan: true, groupId: g.id };
    if (g.visibility) attributes.visibility = g.visibility;
    mine.push({ type: 'node', node: { id: gid, kind: 'resource', platform: 'gitlab', type: 'group', name: g.full_path, scope, attributes, provenance: [prov(g === root ? 'GET /groups/:id' : 'GET /groups/:id/descendant_groups')] } satisfies ResourceNode });
    const parent = g.full_path.split('/').slice(0, -1).join('/');
    if (g !== root && groupPaths.has(parent)) edgeTo(mine)('IN_SCOPE', gid, `gitlab:group:${parent}`, 'GET /groups/:id/descendant_groups');
    groupNodes.set(g.full_path, mine);
  }

  // tokens, deploy tokens, variables: the same shapes for groups and projects
  const levelKey = (level: 'group' | 'project') => (level === 'group' ? 'group' : 'project');
  const accessTokens = async (out: GraphRecord[], level: 'group' | 'project', id: number, path: string, scopeId: string) => {
    const edge = edgeTo(out);
    const route = `GET /${level}s/:id/access_tokens`;
    try {
      const list = (await (level === 'group' ? api.GroupAccessTokens.all(id, { perPage: PER_PAGE }) : api.ProjectAccessTokens.all(id, { perPage: PER_PAGE }))) as unknown as AccessTokenInfo[];
      for (const t of list) {
        const cid = `gitlab:access-token:${path}/${t.id}`;
        const node: CredentialNode = {
          id: cid,
          kind: 'credential',
          platform: 'gitlab',
          type: 'access-token',
          name: t.name ?? `token ${t.id}`,
          scope,
          credentialType: 'token',
          createdAt: t.created_at,
          lastRotatedAt: t.created_at,
          // null = never used; an instance that does not report use leaves it unknown
          lastUsedAt: 'last_used_at' in t ? (t.last_used_at ?? null) : undefined,
          expiresAt: t.expires_at ?? null,
          active: t.active !== false && t.revoked !== true,
          attributes: { level, [levelKey(level)]: path, scopes: t.scopes ?? [], accessLevel: t.access_level, revoked: t.revoked === true },
          provenance: [prov(route)],
        };
        out.push({ type: 'node', node });
        if (typeof t.user_id === 'number') {
          const uid = `gitlab:user:${t.user_id}`;
          out.push({ type: 'node', node: { id: uid, kind: 'principal', platform: 'gitlab', type: 'bot-user', name: `${t.name ?? 'token'} bot`, scope, accountType: 'service', attributes: { userId: t.user_id }, provenance: [prov(route)] } satisfies PrincipalNode });
          edge('HAS_CREDENTIAL', uid, cid, route);
        }
        edge('CAN_ACCESS', cid, scopeId, route, { accessLevel: t.access_level, scopes: t.scopes ?? [] });
      }
    } catch (err) {
      fail(route, path, err, `${level} access tokens of the affected ${level}s are not in the report`);
    }
  };
  const deployTokens = async (out: GraphRecord[], level: 'group' | 'project', id: number, path: string, scopeId: string) => {
    const edge = edgeTo(out);
    const route = `GET /${level}s/:id/deploy_tokens`;
    try {
      const list = (await api.DeployTokens.all(level === 'group' ? { groupId: id, perPage: PER_PAGE } : { projectId: id, perPage: PER_PAGE })) as unknown as DeployTokenInfo[];
      for (const t of list) {
        const cid = `gitlab:deploy-token:${path}/${t.id}`;
        const node: CredentialNode = {
          id: cid,
          kind: 'credential',
          platform: 'gitlab',
          type: 'deploy-token',
          name: t.name ?? `deploy token ${t.id}`,
          scope,
          credentialType: 'token',
          expiresAt: t.expires_at ?? null,
          active: t.revoked !== true && t.expired !== true,
          attributes: { level, [levelKey(level)]: path, scopes: t.scopes ?? [], revoked: t.revoked === true, expired: t.expired === true },
          provenance: [prov(route)],
        };
        out.push({ type: 'node', node });
        edge('CAN_ACCESS', cid, scopeId, route, { scopes: t.scopes ?? [] });
      }
    } catch (err) {
      fail(route, path, err, `deploy tokens of the affected ${level}s are not in the report`);
    }
  };
  const variables = async (out: GraphRecord[], level: 'group' | 'project', id: number, path: string, scopeId: string) => {
    const edge = edgeTo(out);
    const route = `GET /${level}s/:id/variables`;
    try {
      const list = (await (level === 'group' ? api.GroupVariables.all(id, { perPage: PER_PAGE }) : api.ProjectVariables.all(id, { perPage: PER_PAGE }))) as unknown as VariableInfo[];
      for (const v of list) {
        // field by field: `value` is never read, so it cannot reach a record
        const key = String(v.key);
        const envScope = typeof v.environment_scope === 'string' && v.environment_scope !== '' ? v.environment_scope : '*';
        const attributes: Record<string, unknown> = {
          level,
          [levelKey(level)]: path,
          protected: v.protected === true,
          masked: v.masked === true,
          hidden: v.hidden === true,
          raw: v.raw === true,
          environmentScope: envScope,
        };
        if (typeof v.variable_type === 'string') attributes.variableType = v.variable_type;
        const node: CredentialNode = { id: `gitlab:ci-variable:${path}/${key}@${envScope}`, kind: 'credential', platform: 'gitlab', type: 'ci-variable', name: key, scope, credentialType: 'secret', active: true, attributes, provenance: [prov(route)] };
        out.push({ type: 'node', node });
        edge('IN_SCOPE', node.id, scopeId, route);
      }
    } catch (err) {
      fail(route, path, err, `CI/CD variables of the affected ${level}s are not in the report`);
    }
  };

  /**
   * The pipeline definition of the default branch. `ciConfigScanned` is true only when the whole definition was
   * seen (no file, or a parsed file without `include:`): only then can a variable be called unreferenced.
   */
  const readPipeline = async (out: GraphRecord[], p: ProjectInfo, path: string, attrs: Record<string, unknown>) => {
    const route = 'GET /projects/:id/repository/files/:path/raw';
    if (!p.default_branch) {
      attrs.ciConfigScanned = true; // an empty repository has no pipeline
      return;
    }
    const file = ciConfigFile(p.ci_config_path);
    if (!file) {
      attrs.ciConfigNote = 'the pipeline definition lives outside the project: not read';
      return;
    }
    let text: string;
    try {
      const raw = (await api.RepositoryFiles.showRaw(p.id, file, p.default_branch)) as unknown;
      text = typeof raw === 'string' ? raw : raw instanceof Blob ? await raw.text() : JSON.stringify(raw);
    } catch (err) {
      if (statusOf(err) === 404) attrs.ciConfigScanned = true; // no pipeline: nothing references anything
      else fail(route, path, err, 'the pipeline definition of the affected projects was not read: their CI/CD variables are not judged');
      return;
    }
    const analysis = analyzePipeline(text);
    for (const r of pipelineRecords({ project: path, path: file, text, connector: CONNECTOR_ID, source: `gitlab:${route}`, observedAt, scope })) out.push(r);
    if (analysis.parseError) {
      attrs.ciConfigNote = `${file}: ${analysis.parseError}`;
      // like a workflow file that does not parse: the scan could not read this source, so it is not a clean pass
      out.push({
        type: 'coverage',
        coverage: {
          connector: CONNECTOR_ID,
          source: `file:${path}/${file}`,
          scope: path,
          reason: 'invalid-input',
          message: `${path}: ${file} is not valid YAML (${analysis.parseError})`,
          impact: "this project's CI/CD variable references are unknown: its variables are not judged",
          incomplete: true,
        },
      });
    }
    else if (analysis.includes.length > 0) attrs.ciConfigNote = `${file} includes ${analysis.includes.length} file(s) that were not followed`;
    else attrs.ciConfigScanned = true;
  };

  const limit = pLimit(Math.max(1, ctx.concurrency));
  /** progress with counts, about twenty steps per phase */
  const counter = (what: string, total: number) => {
    let done = 0;
    const every = Math.max(1, Math.ceil(total / 20));
    ctx.progress(`${what} 0/${total}`);
    return () => {
      done++;
      if (done % every === 0 || done === total) ctx.progress(`${what} ${done}/${total}`);
    };
  };
  const groupDone = counter('groups', groups.length);
  const groupsDone = Promise.all(
    groups.map((g) =>
      limit(async () => {
        // a group's records travel together
        const out = groupNodes.get(g.full_path)!;
        const gid = `gitlab:group:${g.full_path}`;
        await accessTokens(out, 'group', g.id, g.full_path, gid);
        await deployTokens(out, 'group', g.id, g.full_path, gid);
        await variables(out, 'group', g.id, g.full_path, gid);
        outbox.push(...out);
        groupDone();
      }),
    ),
  );
  groupsDone.catch(() => {}); // awaited below; a cancelled scan must not leave an unhandled rejection meanwhile

  let projects: ProjectInfo[] = [];
  try {
    projects = (await limit(() => api.Groups.allProjects(root.id, { includeSubgroups: o.includeSubgroups, withShared: false, perPage: PER_PAGE }))) as unknown as ProjectInfo[];
  } catch (err) {
    fail('GET /groups/:id/projects', root.full_path, err, 'no project was scanned');
  }
  if (o.projects?.length) {
    const res = o.projects.map(globRegExp);
    projects = projects.filter((p) => res.some((re) => re.test(p.path_with_namespace) || re.test(p.path_with_namespace.split('/').pop()!)));
  }
  const projectDone = counter('projects', projects.length);
  const projectsDone = Promise.all(
    projects.map((p) =>
      limit(async () => {
        // a project's records travel together
        const out: GraphRecord[] = [];
        const edge = edgeTo(out);
        const path = p.path_with_namespace;
        const pid = `gitlab:project:${path}`;
        const attrs: Record<string, unknown> = { visibility: p.visibility, archived: p.archived ?? false, projectId: p.id, ciConfigScanned: false };
        await accessTokens(out, 'project', p.id, path, pid);
        await deployTokens(out, 'project', p.id, path, pid);
        await variables(out, 'project', p.id, path, pid);
        const keysRoute = 'GET /projects/:id/deploy_keys';
        try {
          const keys = (await api.DeployKeys.all({ projectId: p.id, perPage: PER_PAGE })) as unknown as DeployKeyInfo[];
          for (const k of keys) {
            const node: CredentialNode = {
              id: `gitlab:deploy-key:${path}/${k.id}`,
              kind: 'credential',
              platform: 'gitlab',
              type: 'deploy-key',
              name: k.title ?? `deploy key ${k.id}`,
              scope,
              credentialType: 'ssh-key',
              createdAt: k.created_at,
              lastRotatedAt: k.created_at,
              expiresAt: k.expires_at ?? null,
              active: true,
              attributes: { canPush: k.can_push === true, project: path },
              provenance: [prov(keysRoute)],
            };
            out.push({ type: 'node', node });
            edge('CAN_ACCESS', node.id, pid, keysRoute, { access: k.can_push ? 'write' : 'read' });
          }
        } catch (err) {
          fail(keysRoute, path, err, 'deploy keys of the affected projects are not in the report');
        }
        if (o.ciConfig) await readPipeline(out, p, path, attrs);
        out.push({ type: 'node', node: { id: pid, kind: 'resource', platform: 'gitlab', type: 'project', name: path, scope, attributes: attrs, provenance: [prov('GET /groups/:id/projects')] } satisfies ResourceNode });
        const parent = path.split('/').slice(0, -1).join('/');
        if (groupPaths.has(parent)) edge('IN_SCOPE', pid, `gitlab:group:${parent}`, 'GET /groups/:id/projects');
        outbox.push(...out);
        projectDone();
      }),
    ),
  );

  await Promise.all([groupsDone, projectsDone]);
}
