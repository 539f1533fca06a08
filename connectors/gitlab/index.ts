/**
 * The GitLab connector: a group (and its subgroups) with its projects' access tokens, deploy tokens, deploy keys,
 * CI/CD variables (key and flags only: the value is dropped here, field by field) and `.gitlab-ci.yml` references.
 * Read through @gitbeaker/rest with a request handler of ours that counts every HTTP request and retries 429 / 5xx.
 */
import { createRequesterFn, type RequestOptions } from '@gitbeaker/requester-utils';
import { Gitlab } from '@gitbeaker/rest';
import pLimit from 'p-limit';
import { z } from 'zod';
import { pipelineRecords } from '../../src/ci/gitlab-ci.js';
import type { CallCounter, Connector, ScanContext } from '../../src/engine/types.js';
import type { CoverageNote, CoverageReason, CredentialNode, GraphRecord, IdentityEdge, PrincipalNode, Provenance, ResourceNode } from '../../src/model/types.js';
import { describeError, NhiError } from '../../src/util/errors.js';

const CONNECTOR_ID = 'gitlab';

export const gitlabOptionsSchema = z
  .object({
    url: z.string().url().default('https://gitlab.com'),
    group: z.string().min(1),
    projects: z.array(z.string().min(1)).optional(),
    includeSubgroups: z.boolean().default(true),
    ciConfig: z.boolean().default(true),
    maxAttempts: z.number().int().min(1).max(10).default(4),
  })
  .strict();
export type GitLabOptions = z.infer<typeof gitlabOptionsSchema>;

const tokenFromEnv = () => process.env.GITLAB_TOKEN || undefined;

/** `gitlab:GET /projects/:id/variables` style labels from a concrete API URL. */
export function routeLabel(method: string, url: string): string {
  const p = new URL(url).pathname
    .replace(/^.*\/api\/v4/, '')
    .replace(/\/(groups|projects)\/[^/]+/, '/$1/:id')
    .replace(/\/repository\/files\/[^/]+\/raw$/, '/repository/files/:path/raw');
  return `gitlab:${method.toUpperCase()} ${p}`;
}

interface HandlerResult {
  body: unknown;
  headers: Record<string, string>;
  status: number;
}

/** Our request handler for gitbeaker: one count per HTTP request, retries with backoff on 429 (Retry-After) and 5xx. */
function countingHandler(calls: CallCounter, maxAttempts: number) {
  return async (endpoint: string, options?: RequestOptions & { prefixUrl?: string; searchParams?: string; method?: string }): Promise<HandlerResult> => {
    const { prefixUrl, searchParams, method, rateLimiters: _r, agent: _a, asStream: _s, ...init } = (options ?? {}) as Record<string, unknown> & { prefixUrl?: string; searchParams?: string; method?: string };
    const base = prefixUrl ? (prefixUrl.endsWith('/') ? prefixUrl : `${prefixUrl}/`) : undefined;
    const url = new URL(endpoint, base);
    url.search = searchParams ?? '';
    for (let attempt = 1; ; attempt++) {
      calls.count(routeLabel(method ?? 'GET', url.toString()));
      const res = await fetch(url, { ...(init as RequestInit), method });
      const headers = Object.fromEntries(res.headers.entries());
      if (res.ok) {
        const type = (res.headers.get('content-type') ?? '').split(';')[0].trim();
        const body = res.status === 204 ? null : type === 'application/json' ? await res.json() : await res.text();
        return { body, headers, status: res.status };
      }
      const retryable = res.status === 429 || res.status >= 500;
      if (!retryable || attempt >= maxAttempts) {
        const text = await res.text();
        let message = text;
        try {
          const j = JSON.parse(text) as { message?: unknown; error?: unknown };
          message = typeof j.message === 'string' ? j.message : typeof j.error === 'string' ? j.error : JSON.stringify(j.message ?? j.error ?? j);
        } catch {
          // not JSON: keep the text
        }
        const err = new Error(`${res.status} ${message}`.slice(0, 300)) as Error & { status: number };
        err.name = 'GitLabRequestError';
        err.status = res.status;
        throw err;
      }
      const after = Number(res.headers.get('retry-after'));
      await new Promise((r) => setTimeout(r, Number.isFinite(after) && after > 0 ? Math.min(after, 60) * 1000 : 250 * 2 ** (attempt - 1)));
    }
  };
}

function classify(err: unknown): { reason: CoverageReason; status?: number; text: string } {
  const status = (err as { status?: number }).status ?? (err as { cause?: { response?: { status?: number } } }).cause?.response?.status;
  const text = describeError(err);
  if (status === 401 || status === 403) return { reason: 'permission-denied', status, text };
  if (status === 404) return { reason: 'not-found', status, text };
  if (status === 429) return { reason: 'throttled', status, text };
  return { reason: 'error', status, text };
}

const globRe = (g: string) => new RegExp(`^${g.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 'i');

interface GroupInfo {
  id: number;
  full_path: string;
}
interface ProjectInfo {
  id: number;
  path_with_namespace: string;
  visibility?: string;
  archived?: boolean;
  default_branch?: string;
}

export const gitlabConnector: Connector = {
  id: CONNECTOR_ID,
  describe: () => ({
    title: 'GitLab',
    requiredPermissions: ['a token (GITLAB_TOKEN) with the read_api scope, and the Maintainer role (Owner for group access tokens) on the group'],
    optionalPermissions: [{ permission: 'read_repository (or read_api)', unlocks: '.gitlab-ci.yml of each project, to find unreferenced CI/CD variables' }],
    permissionsDocument: { tokenScopes: ['read_api'], minimumRole: 'Maintainer', groupAccessTokensNeed: 'Owner' },
    options: gitlabOptionsSchema,
  }),
  async validate(ctx) {
    gitlabOptionsSchema.parse(ctx.options);
    if (!tokenFromEnv()) {
      throw new NhiError('CREDENTIALS', 'no GitLab token: set GITLAB_TOKEN', { suggestion: 'create a personal, group or project access token with the read_api scope (Maintainer or above on the group)' });
    }
  },
  async *scan(ctx: ScanContext): AsyncIterable<GraphRecord> {
    const o = gitlabOptionsSchema.parse(ctx.options);
    const observedAt = ctx.now.toISOString();
    const requesterFn = createRequesterFn(async (_serviceOptions, reqo) => reqo, countingHandler(ctx.calls, o.maxAttempts) as never);
    const api = new Gitlab({ host: o.url.replace(/\/$/, ''), token: tokenFromEnv()!, requesterFn } as never) as unknown as Record<string, Record<string, (...a: unknown[]) => Promise<unknown>>>;
    const out: GraphRecord[] = [];
    const prov = (source: string): Provenance => ({ connector: CONNECTOR_ID, source: `gitlab:${source}`, observedAt });
    const edge = (type: string, from: string, to: string, source: string, attributes?: Record<string, unknown>) => {
      const e: IdentityEdge = { type, from, to, provenance: [prov(source)] };
      if (attributes) e.attributes = attributes;
      out.push({ type: 'edge', edge: e });
    };
    const failures = new Map<string, { note: Omit<CoverageNote, 'message'>; message: string; targets: string[] }>();
    const fail = (what: string, target: string, err: unknown, impact: string) => {
      const c = classify(err);
      const f = failures.get(what) ?? { note: { connector: CONNECTOR_ID, source: `gitlab:${what}`, scope: o.group, reason: c.reason, impact, incomplete: true }, message: `${c.text}`.split('\n')[0], targets: [] };
      f.targets.push(target);
      failures.set(what, f);
    };

    ctx.progress(`reading group ${o.group}`);
    let root: GroupInfo;
    try {
      root = (await api.Groups.show(o.group)) as GroupInfo;
    } catch (err) {
      const c = classify(err);
      throw new NhiError('USAGE', `gitlab: cannot read group ${o.group} (${c.text})`, { cause: err });
    }
    const groups: GroupInfo[] = [root];
    if (o.includeSubgroups) {
      try {
        groups.push(...((await api.Groups.allDescendantGroups(root.id, {})) as GroupInfo[]));
      } catch (err) {
        fail('GET /groups/:id/descendant_groups', root.full_path, err, 'subgroups (and their tokens and variables) are not in the report');
      }
    }
    for (const g of groups) {
      const gid = `gitlab:group:${g.full_path}`;
      out.push({ type: 'node', node: { id: gid, kind: 'resource', platform: 'gitlab', type: 'group', name: g.full_path, scope: root.full_path, attributes: { inScan: true }, provenance: [prov('GET /groups/:id')] } satisfies ResourceNode });
    }

    // tokens, deploy tokens, variables: the same shapes for groups and projects
    const accessTokens = async (level: 'group' | 'project', id: number, path: string, scopeId: string) => {
      const route = `GET /${level}s/:id/access_tokens`;
      try {
        const list = (await (level === 'group' ? api.GroupAccessTokens : api.ProjectAccessTokens).all(id)) as Array<{ id: number; name?: string; scopes?: string[]; expires_at?: string | null; last_used_at?: string | null; created_at?: string; active?: boolean; revoked?: boolean; access_level?: number; user_id?: number }>;
        for (const t of list) {
          const cid = `gitlab:access-token:${path}/${t.id}`;
          out.push({
            type: 'node',
            node: {
              id: cid,
              kind: 'credential',
              platform: 'gitlab',
              type: 'access-token',
              name: t.name ?? `token ${t.id}`,
              scope: root.full_path,
              credentialType: 'token',
              createdAt: t.created_at,
              lastUsedAt: t.last_used_at ?? null,
              expiresAt: t.expires_at ?? null,
              active: t.active !== false && t.revoked !== true,
              attributes: { level, [level === 'group' ? 'group' : 'project']: path, scopes: t.scopes ?? [], accessLevel: t.access_level },
              provenance: [prov(route)],
            } satisfies CredentialNode,
          });
          if (t.user_id !== undefined) {
            const uid = `gitlab:user:${t.user_id}`;
            out.push({ type: 'node', node: { id: uid, kind: 'principal', platform: 'gitlab', type: 'bot-user', name: `${t.name ?? 'token'} bot`, scope: root.full_path, accountType: 'service', provenance: [prov(route)] } satisfies PrincipalNode });
            edge('HAS_CREDENTIAL', uid, cid, route);
          }
          edge('CAN_ACCESS', cid, scopeId, route, { accessLevel: t.access_level, scopes: t.scopes });
        }
      } catch (err) {
        fail(route, path, err, `${level} access tokens of the affected ${level}s are not in the report (needs ${level === 'group' ? 'Owner' : 'Maintainer'})`);
      }
    };
    const deployTokens = async (level: 'group' | 'project', id: number, path: string, scopeId: string) => {
      const route = `GET /${level}s/:id/deploy_tokens`;
      try {
        const list = (await api.DeployTokens.all(level === 'group' ? { groupId: id } : { projectId: id })) as Array<{ id: number; name?: string; scopes?: string[]; expires_at?: string | null; revoked?: boolean; expired?: boolean }>;
        for (const t of list) {
          const cid = `gitlab:deploy-token:${path}/${t.id}`;
          out.push({
            type: 'node',
            node: { id: cid, kind: 'credential', platform: 'gitlab', type: 'deploy-token', name: t.name ?? `deploy token ${t.id}`, scope: root.full_path, credentialType: 'token', expiresAt: t.expires_at ?? null, active: !t.revoked && !t.expired, attributes: { level, [level === 'group' ? 'group' : 'project']: path, scopes: t.scopes ?? [], revoked: Boolean(t.revoked), expired: Boolean(t.expired) }, provenance: [prov(route)] } satisfies CredentialNode,
          });
          edge('CAN_ACCESS', cid, scopeId, route, { scopes: t.scopes });
        }
      } catch (err) {
        fail(route, path, err, `deploy tokens of the affected ${level}s are not in the report`);
      }
    };
    const variables = async (level: 'group' | 'project', id: number, path: string, scopeId: string) => {
      const route = `GET /${level}s/:id/variables`;
      try {
        const list = (await (level === 'group' ? api.GroupVariables : api.ProjectVariables).all(id)) as Array<Record<string, unknown>>;
        for (const v of list) {
          // field by field: `value` never leaves this function
          const key = String(v.key);
          const envScope = typeof v.environment_scope === 'string' ? v.environment_scope : '*';
          const cid = `gitlab:ci-variable:${path}/${key}@${envScope}`;
          out.push({
            type: 'node',
            node: {
              id: cid,
              kind: 'credential',
              platform: 'gitlab',
              type: 'ci-variable',
              name: key,
              scope: root.full_path,
              credentialType: 'secret',
              active: true,
              attributes: { level, [level === 'group' ? 'group' : 'project']: path, protected: v.protected === true, masked: v.masked === true, hidden: v.hidden === true, raw: v.raw === true, variableType: typeof v.variable_type === 'string' ? v.variable_type : undefined, environmentScope: envScope },
              provenance: [prov(route)],
            } satisfies CredentialNode,
          });
          edge('IN_SCOPE', cid, scopeId, route);
        }
      } catch (err) {
        fail(route, path, err, `CI/CD variables of the affected ${level}s are not in the report (needs Maintainer)`);
      }
    };

    ctx.progress(`${groups.length} group(s): tokens and variables`);
    for (const g of groups) {
      const gid = `gitlab:group:${g.full_path}`;
      await accessTokens('group', g.id, g.full_path, gid);
      await deployTokens('group', g.id, g.full_path, gid);
      await variables('group', g.id, g.full_path, gid);
    }

    let projects: ProjectInfo[] = [];
    try {
      projects = (await api.Groups.allProjects(root.id, { includeSubgroups: o.includeSubgroups })) as ProjectInfo[];
    } catch (err) {
      fail('GET /groups/:id/projects', root.full_path, err, 'no project was scanned');
    }
    if (o.projects?.length) {
      const res = o.projects.map(globRe);
      projects = projects.filter((p) => res.some((re) => re.test(p.path_with_namespace) || re.test(p.path_with_namespace.split('/').pop()!)));
    }
    ctx.progress(`${projects.length} project(s)`);
    const limit = pLimit(ctx.concurrency);
    await Promise.all(
      projects.map((p) =>
        limit(async () => {
          const path = p.path_with_namespace;
          const pid = `gitlab:project:${path}`;
          const attrs: Record<string, unknown> = { visibility: p.visibility, archived: p.archived ?? false };
          await accessTokens('project', p.id, path, pid);
          await deployTokens('project', p.id, path, pid);
          await variables('project', p.id, path, pid);
          try {
            const keys = (await api.DeployKeys.all({ projectId: p.id })) as Array<{ id: number; title?: string; created_at?: string; expires_at?: string | null; can_push?: boolean }>;
            for (const k of keys) {
              const cid = `gitlab:deploy-key:${path}/${k.id}`;
              out.push({
                type: 'node',
                node: { id: cid, kind: 'credential', platform: 'gitlab', type: 'deploy-key', name: k.title ?? `deploy key ${k.id}`, scope: root.full_path, credentialType: 'ssh-key', createdAt: k.created_at, lastRotatedAt: k.created_at, expiresAt: k.expires_at ?? null, active: true, attributes: { canPush: k.can_push === true, project: path }, provenance: [prov('GET /projects/:id/deploy_keys')] } satisfies CredentialNode,
              });
              edge('CAN_ACCESS', cid, pid, 'GET /projects/:id/deploy_keys', { access: k.can_push ? 'write' : 'read' });
            }
          } catch (err) {
            fail('GET /projects/:id/deploy_keys', path, err, 'deploy keys of the affected projects are not in the report');
          }
          if (o.ciConfig && p.default_branch) {
            try {
              const raw = await api.RepositoryFiles.showRaw(p.id, '.gitlab-ci.yml', p.default_branch);
              const text = typeof raw === 'string' ? raw : raw instanceof Blob ? await raw.text() : String(raw);
              for (const r of pipelineRecords({ project: path, path: '.gitlab-ci.yml', text, connector: CONNECTOR_ID, source: 'gitlab:GET /projects/:id/repository/files/:path/raw', observedAt })) out.push(r);
              attrs.ciConfigScanned = true;
            } catch (err) {
              if (classify(err).status === 404) attrs.ciConfigScanned = true; // no pipeline: nothing references anything
              else fail('GET /projects/:id/repository/files/:path/raw', path, err, '.gitlab-ci.yml of the affected projects was not read');
            }
          }
          out.push({ type: 'node', node: { id: pid, kind: 'resource', platform: 'gitlab', type: 'project', name: path, scope: root.full_path, attributes: attrs, provenance: [prov('GET /groups/:id/projects')] } satisfies ResourceNode });
          edge('IN_SCOPE', pid, `gitlab:group:${path.split('/').slice(0, -1).join('/')}`, 'GET /groups/:id/projects');
        }),
      ),
    );
    for (const r of out) yield r;
    for (const f of failures.values()) {
      yield { type: 'coverage', coverage: { ...f.note, message: `${f.message}${f.targets.length > 1 ? ` (${f.targets.length} targets, e.g. ${f.targets[0]})` : ` (${f.targets[0]})`}` } };
    }
  },
};
