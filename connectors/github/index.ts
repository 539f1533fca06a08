/**
 * The GitHub connector: an organisation's App installations, deploy keys, fine-grained PAT grants, SAML-authorised
 * credentials, Actions / Dependabot secrets (names and dates, never values), webhooks (whether a secret is set, never
 * the secret), self-hosted runners, default workflow token permissions, and the workflow files of every repository
 * (analysed by src/ci/workflow.ts). Read through @octokit/rest with the throttling and retry plugins; every HTTP
 * request is counted; what cannot be read becomes a coverage note.
 */
import { readFileSync } from 'node:fs';
import pLimit from 'p-limit';
import { z } from 'zod';
import { workflowRecords } from '../../src/ci/workflow.js';
import type { Connector, ScanContext } from '../../src/engine/types.js';
import type { CoverageNote, CoverageReason, CredentialNode, GraphRecord, IdentityEdge, PrincipalNode, Provenance, ResourceNode, ScanTarget } from '../../src/model/types.js';
import { describeError, NhiError } from '../../src/util/errors.js';
import { globRegExp } from '../../src/util/glob.js';
import { compact } from '../../src/util/object.js';
import { Outbox } from '../../src/util/outbox.js';
import { redactUrl } from '../../src/util/url.js';
import { createClient, isHttpError, MalformedResponse, RequestTimeout, resolveInstallation } from './client.js';

export { routeLabel, shapeProblem } from './client.js';

const CONNECTOR_ID = 'github';

export const githubOptionsSchema = z
  .object({
    org: z.string().min(1),
    url: z.string().url().default('https://api.github.com'),
    repos: z.array(z.string().min(1)).optional(),
    appId: z.string().min(1).optional(),
    privateKeyFile: z.string().min(1).optional(),
    installationId: z.number().int().positive().optional(),
    workflows: z.boolean().default(true),
    maxAttempts: z.number().int().min(1).max(10).default(4),
    /** longest wait honoured for a rate limit before giving up on that call (seconds) */
    maxRetryAfterSeconds: z.number().int().min(0).default(120),
    /** one attempt of one request gives up after this long (no flag: tests and the CLI deadline) */
    requestTimeoutMs: z.number().int().min(1).default(60_000),
    /** first backoff before retrying a 5xx, a dropped connection, a timeout or a malformed body (doubles each time) */
    retryDelayMs: z.number().int().min(0).default(1000),
  })
  .strict();
export type GitHubOptions = z.infer<typeof githubOptionsSchema>;

/**
 * What a job may carry: one organisation, or an enterprise (`--github-enterprise`) that `expand` turns into one job
 * per organisation, leaving out `skipOrgs` (those `--github-org` names too, scanned by their own jobs).
 */
export const githubJobSchema = githubOptionsSchema
  .extend({
    org: z.string().min(1).optional(),
    enterprise: z.string().min(1).optional(),
    skipOrgs: z.array(z.string().min(1)).optional(),
  })
  .strict()
  .refine((o) => Boolean(o.org) !== Boolean(o.enterprise), { message: 'give an organisation or an enterprise, not both', path: ['org'] });

export const CLASSIC_TOKEN_SCOPES = ['read:org', 'repo', 'admin:org_hook', 'admin:repo_hook'];
export const APP_PERMISSIONS: Record<string, 'read'> = {
  administration: 'read',
  secrets: 'read',
  environments: 'read',
  repository_hooks: 'read',
  contents: 'read',
  actions: 'read',
  dependabot_secrets: 'read',
  organization_administration: 'read',
  organization_hooks: 'read',
  organization_secrets: 'read',
  organization_self_hosted_runners: 'read',
  organization_personal_access_tokens: 'read',
  members: 'read',
};

const tokenFromEnv = () => process.env.GITHUB_TOKEN || process.env.GH_TOKEN || undefined;


/**
 * What each endpoint needs: classic token scope / fine-grained or App permission (GitHub's REST reference). Named in
 * the coverage note when the endpoint could not be read.
 */
export const ENDPOINT_PERMISSIONS: Record<string, string> = {
  'GET /orgs/{org}/actions/permissions/workflow': 'admin:org / Organization administration read',
  'GET /orgs/{org}/actions/oidc/customization/sub': 'read:org / Organization administration read',
  'GET /orgs/{org}/actions/secrets': 'admin:org / Organization secrets read',
  'GET /orgs/{org}/actions/secrets/{secret_name}/repositories': 'admin:org / Organization secrets read',
  'GET /orgs/{org}/dependabot/secrets': 'admin:org / Organization Dependabot secrets read',
  'GET /orgs/{org}/dependabot/secrets/{secret_name}/repositories': 'admin:org / Organization Dependabot secrets read',
  'GET /orgs/{org}/codespaces/secrets': 'admin:org / Organization Codespaces secrets read',
  'GET /orgs/{org}/codespaces/secrets/{secret_name}/repositories': 'admin:org / Organization Codespaces secrets read',
  'GET /orgs/{org}/hooks': 'admin:org_hook / Organization webhooks read',
  'GET /orgs/{org}/actions/runners': 'admin:org / Organization self-hosted runners read',
  'GET /orgs/{org}/actions/runner-groups': 'admin:org / Organization self-hosted runners read',
  'GET /orgs/{org}/installations': 'read:org / Organization administration read',
  'GET /orgs/{org}/personal-access-tokens': 'GitHub App with Organization personal access tokens read',
  'GET /orgs/{org}/credential-authorizations': 'read:org (org owner)',
  'GET /orgs/{org}/repos': 'repo (private repositories) / Metadata read',
  'GET /repos/{owner}/{repo}/keys': 'repo / Administration read',
  'GET /repos/{owner}/{repo}/actions/secrets': 'repo / Secrets read',
  'GET /repos/{owner}/{repo}/dependabot/secrets': 'repo / Dependabot secrets read',
  'GET /repos/{owner}/{repo}/environments': 'repo / Environments read',
  'GET /repos/{owner}/{repo}/environments/{environment_name}/secrets': 'repo / Environments and Secrets read',
  'GET /repos/{owner}/{repo}/hooks': 'admin:repo_hook / Webhooks read',
  'GET /repos/{owner}/{repo}/actions/runners': 'repo / Administration read',
  'GET /repos/{owner}/{repo}/actions/permissions/workflow': 'repo / Administration read',
  'GET /repos/{owner}/{repo}/actions/oidc/customization/sub': 'repo / Actions read',
  'GET /repos/{owner}/{repo}/contents/{path}': 'repo / Contents read',
};

interface Failure {
  what: string;
  reason: CoverageReason;
  status?: number;
  message: string;
  targets: string[];
  incomplete: boolean;
  impact: string;
}

function classify(err: unknown): { reason: CoverageReason; status?: number; text: string } {
  const attempts = (err as { attempts?: number }).attempts;
  const tries = attempts && attempts > 1 ? ` (${attempts} attempts)` : '';
  if (err instanceof RequestTimeout) return { reason: 'timeout', text: `${err.message}${tries}` };
  if (err instanceof MalformedResponse) return { reason: 'error', text: `${err.message}${tries}` };
  // a request that got no answer at all (refused, reset): no HTTP status to show
  if (isHttpError(err) && !err.response) return { reason: 'error', text: `no response: ${redactMessage(describeError(err))}${tries}` };
  const status = (err as { status?: number }).status;
  const text = redactMessage(describeError(err));
  if (status === 403 && /rate limit/i.test(text)) return { reason: 'throttled', status, text };
  if (status === 401 || status === 403) return { reason: 'permission-denied', status, text };
  if (status === 404) return { reason: 'not-found', status, text };
  if (status === 429) return { reason: 'throttled', status, text };
  return { reason: 'error', status, text };
}

/** URLs inside an error text lose their user info and query (tokens travel there). */
function redactMessage(text: string): string {
  return text.replace(/\bhttps?:\/\/[^\s"'<>]+/gi, (u) => redactUrl(u));
}

class Failures {
  private readonly byWhat = new Map<string, Failure>();
  constructor(private readonly signal?: AbortSignal) {}
  record(what: string, target: string, err: unknown, impact: string, opts: { notFoundIsInfo?: string } = {}): void {
    // cancelled or past the deadline: the scan stops here (the engine writes the note), it does not go on failing
    if (this.signal?.aborted) throw this.signal.reason ?? err;
    const c = classify(err);
    const info = c.status === 404 && opts.notFoundIsInfo !== undefined;
    const f = this.byWhat.get(what) ?? {
      what,
      reason: info ? ('unsupported' as const) : c.reason,
      status: c.status,
      message: info ? opts.notFoundIsInfo! : `${c.status ? `HTTP ${c.status}: ` : ''}${c.text}`,
      targets: [],
      incomplete: !info,
      impact,
    };
    f.targets.push(target);
    this.byWhat.set(what, f);
  }
  notes(org: string): CoverageNote[] {
    return [...this.byWhat.values()].map((f) => ({
      connector: CONNECTOR_ID,
      source: `github:${f.what}`,
      scope: org,
      reason: f.reason,
      message: `${f.message}${f.targets.length > 1 ? ` (${f.targets.length} targets, e.g. ${f.targets[0]})` : f.targets[0] && f.targets[0] !== org ? ` (${f.targets[0]})` : ''}`.split('\n')[0],
      impact: f.incomplete && ENDPOINT_PERMISSIONS[f.what] ? `${f.impact} (needs ${ENDPOINT_PERMISSIONS[f.what]})` : f.impact,
      incomplete: f.incomplete,
    }));
  }
}

/** The target of a scan: the org on its host (`github.com` for api.github.com, the Enterprise Server host otherwise). */
export function orgTarget(url: string, org: string): ScanTarget {
  let host = 'github.com';
  try {
    const h = new URL(url).host.toLowerCase();
    if (h !== 'api.github.com') host = h;
  } catch {
    host = redactUrl(url).toLowerCase();
  }
  return { id: `github:org:${host}/${org.toLowerCase()}`, platform: 'github', kind: 'org', name: org };
}

export const githubConnector: Connector = {
  id: CONNECTOR_ID,
  describe: () => ({
    title: 'GitHub',
    requiredPermissions: [
      `classic token scopes: ${CLASSIC_TOKEN_SCOPES.join(', ')} (token from GITHUB_TOKEN or GH_TOKEN)`,
      `or a GitHub App installed on the org with: ${Object.keys(APP_PERMISSIONS).join(', ')} (read)`,
    ],
    optionalPermissions: [
      { permission: 'admin:org (classic token) / Organization secrets, self-hosted runners and administration read (fine-grained)', unlocks: 'org-level Actions / Dependabot / Codespaces secrets, org runners and runner groups, the org default workflow permissions (classic tokens have no read-only scope for these)' },
      { permission: 'GitHub App auth (--github-app-id)', unlocks: 'fine-grained personal access token grants (GET /orgs/{org}/personal-access-tokens only answers Apps)' },
      { permission: 'SAML SSO on the org (GitHub Enterprise Cloud)', unlocks: 'SAML-authorised credentials with their last access' },
      { permission: 'admin:org_hook / organization_hooks', unlocks: 'org webhooks (whether each has a secret)' },
      { permission: 'read:enterprise (classic token; enterprise owner or member)', unlocks: '--github-enterprise: the list of the enterprise\u2019s organisations (GraphQL), as many as the user can see' },
    ],
    permissionsDocument: { classicTokenScopes: CLASSIC_TOKEN_SCOPES, optionalClassicTokenScopes: ['admin:org'], githubAppPermissions: APP_PERMISSIONS },
    options: githubJobSchema,
  }),
  async validate(ctx) {
    const parsed = githubJobSchema.safeParse(ctx.options);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const field = issue.path.join('.') || 'options';
      throw new NhiError('USAGE', field === 'org' ? 'github: no organisation given' : `github: ${field}: ${issue.message}`, {
        suggestion: field === 'org' ? 'name the organisation with --github-org ORG, or an enterprise with --github-enterprise SLUG' : undefined,
      });
    }
    const o = parsed.data;
    if (o.appId || o.privateKeyFile) {
      if (!o.appId || !o.privateKeyFile) throw new NhiError('USAGE', '--github-app-id and --github-private-key go together');
      try {
        const pem = readFileSync(o.privateKeyFile, 'utf8');
        if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(pem)) throw new Error('not a PEM private key');
      } catch (err) {
        throw new NhiError('INPUT', `--github-private-key ${o.privateKeyFile}: ${describeError(err)}`, { suggestion: 'download the App private key (.pem) from the App settings' });
      }
      return;
    }
    if (!tokenFromEnv()) {
      throw new NhiError('CREDENTIALS', 'no GitHub token: set GITHUB_TOKEN or GH_TOKEN', {
        suggestion: 'export GITHUB_TOKEN=$(gh auth token), or authenticate as an App with --github-app-id and --github-private-key',
      });
    }
  },
  /** `--github-enterprise`: one job per organisation of the enterprise (GraphQL), each scanned like `--github-org` */
  async expand(ctx) {
    const o = githubJobSchema.parse(ctx.options);
    if (!o.enterprise) return undefined;
    if (o.appId) {
      throw new NhiError('USAGE', '--github-enterprise lists organisations with a token: a GitHub App installation token cannot read its enterprise', {
        suggestion: 'set GITHUB_TOKEN to a token with read:enterprise, or name the organisations with --github-org',
      });
    }
    const { listEnterpriseOrgs } = await import('./enterprise.js');
    ctx.progress(`listing the organisations of enterprise ${o.enterprise}`);
    const { orgs, notes } = await listEnterpriseOrgs({ ...o, org: '', enterprise: o.enterprise }, ctx.calls, ctx.log, ctx.signal);
    const skip = new Set((o.skipOrgs ?? []).map((x) => x.toLowerCase()));
    const { enterprise: _e, skipOrgs: _s, ...common } = o;
    const host = o.url === 'https://api.github.com' ? '' : ` on ${redactUrl(o.url)}`;
    ctx.log.debug(`github: enterprise ${o.enterprise} lists ${orgs.length} organisation(s)`);
    return {
      jobs: orgs.filter((org) => !skip.has(org.toLowerCase())).map((org) => ({ options: { ...common, org }, target: `${org}${host} (enterprise ${o.enterprise})` })),
      notes,
    };
  },
  async *scan(ctx: ScanContext): AsyncIterable<GraphRecord> {
    const parsed = githubJobSchema.parse(ctx.options);
    if (!parsed.org) throw new NhiError('INTERNAL', 'github: an enterprise job reached scan() without being expanded');
    const o = githubOptionsSchema.parse(parsed);
    // what this run scans, first: it stays with the run even when the deadline stops it
    yield { type: 'target', target: orgTarget(o.url, o.org) };
    const outbox = new Outbox<GraphRecord>();
    const failures = new Failures(ctx.signal);
    yield* outbox.drain(readOrg(ctx, o, outbox, failures));
    for (const n of failures.notes(o.org)) yield { type: 'coverage', coverage: n };
  },
};

type Sink = { push(...records: GraphRecord[]): unknown };

/**
 * Read the org. Org-level results go to `outbox` as each phase finishes; the records of one repository go there
 * together once the repository is read, so a run stopped by the deadline keeps whole repositories only.
 */
async function readOrg(ctx: ScanContext, options: GitHubOptions, outbox: Outbox<GraphRecord>, failures: Failures): Promise<void> {
  let o = options;
  const observedAt = ctx.now.toISOString();
  const prov = (source: string): Provenance => ({ connector: CONNECTOR_ID, source: `github:${source}`, observedAt });
  const org = o.org;
  const orgId = `github:org:${org}`;
  /** node / edge / credential writers into one sink (the outbox, or one repository's buffer) */
  const emitTo = (sink: Sink) => {
    const node = (n: GraphRecord & { type: 'node' }) => sink.push(n);
    const edge = (type: string, from: string, to: string, source: string, attributes?: Record<string, unknown>) => {
      const e: IdentityEdge = { type, from, to, provenance: [prov(source)] };
      if (attributes) e.attributes = attributes;
      sink.push({ type: 'edge', edge: e });
    };
    /** a GitHub credential node of the scanned org (names, ids, dates; never a value) */
    const credential = (c: Omit<CredentialNode, 'kind' | 'platform' | 'scope' | 'provenance'>, source: string) =>
      node({ type: 'node', node: { kind: 'credential', platform: 'github', scope: org, ...c, provenance: [prov(source)] } satisfies CredentialNode });
    return { node, edge, credential, sink };
  };
  type Emit = ReturnType<typeof emitTo>;
  const orgEmit = emitTo(outbox);
  const { node, edge, credential } = orgEmit;

  o = await resolveInstallation(o, ctx.calls, ctx.log, ctx.signal);
  const gh = createClient(o, ctx.calls, ctx.log, ctx.signal);
  const appAuth = Boolean(o.appId);
  const list = async <T>(route: string, params: Record<string, unknown>, key?: string): Promise<T[]> => {
    const items: T[] = [];
    for await (const page of gh.paginate.iterator(route as never, { ...params, per_page: 100 } as never)) {
      const d = (page as { data: unknown }).data;
      // paginate normalises `{ total_count, <key>: [...] }` responses to the array (the client checked the shape)
      items.push(...((Array.isArray(d) ? d : key ? ((d as Record<string, unknown>)[key] ?? []) : []) as T[]));
    }
    return items;
  };
  const request = gh.request as unknown as (route: string, params: Record<string, unknown>) => Promise<{ data: unknown }>;
  const get = async <T>(route: string, params: Record<string, unknown>): Promise<T> => (await request(route, params)).data as T;

  // ---- the organisation: one call that must work, or the whole source failed
  ctx.progress(`reading organisation ${org}`);
  const orgData = await get<Record<string, unknown>>('GET /orgs/{org}', { org }).catch((err: unknown) => {
    if (ctx.signal?.aborted) throw ctx.signal.reason ?? err;
    const c = classify(err);
    const what = `github: cannot read organisation ${org} (${c.status ? `HTTP ${c.status}: ` : ''}${c.text})`;
    if (c.status === 401) throw new NhiError('CREDENTIALS', what, { cause: err, suggestion: 'the token was refused: check GITHUB_TOKEN / GH_TOKEN (e.g. export GITHUB_TOKEN=$(gh auth token)) or the App id and key' });
    throw new NhiError('USAGE', what, { cause: err, suggestion: c.status === 404 ? 'check --github-org (the login, not the display name) and --github-url' : undefined });
  });
  const orgAttrs: Record<string, unknown> = { inScan: true, twoFactorRequired: orgData.two_factor_requirement_enabled ?? undefined, plan: (orgData.plan as { name?: string } | undefined)?.name };
  try {
    const wp = await get<{ default_workflow_permissions?: string; can_approve_pull_request_reviews?: boolean }>('GET /orgs/{org}/actions/permissions/workflow', { org });
    orgAttrs.defaultWorkflowPermissions = wp.default_workflow_permissions;
    orgAttrs.canApprovePullRequestReviews = wp.can_approve_pull_request_reviews;
  } catch (err) {
    failures.record('GET /orgs/{org}/actions/permissions/workflow', org, err, 'the default GITHUB_TOKEN permissions of the org are unknown');
  }
  try {
    // the org template: an empty key list means the default `sub` (repo:<owner>/<repo>:<context>)
    const sub = await get<{ include_claim_keys?: string[] }>('GET /orgs/{org}/actions/oidc/customization/sub', { org });
    const keys = sub.include_claim_keys ?? [];
    orgAttrs.oidcSubClaim = { useDefault: keys.length === 0, includeClaimKeys: keys };
  } catch (err) {
    failures.record('GET /orgs/{org}/actions/oidc/customization/sub', org, err, 'the OIDC subject claim template of the org is unknown: federation trust is judged against the default subject format', {
      notFoundIsInfo: 'OIDC subject claim customisation is not available on this GitHub (older Enterprise Server)',
    });
  }

  // ---- org-level: secrets, webhooks, runners, installations, PAT grants, SAML authorisations
  const orgSecret = async (store: 'actions' | 'dependabot' | 'codespaces') => {
    const type = `${store}-secret`;
    try {
      const secrets = await list<{ name: string; created_at?: string; updated_at?: string; visibility?: string; selected_repositories_url?: string }>(`GET /orgs/{org}/${store}/secrets`, { org }, 'secrets');
      for (const s of secrets) {
        let selected: string[] | undefined;
        if (s.visibility === 'selected') {
          // the selected_repositories_url of the secret, as its route template (counted and retried like the rest)
          const route = `GET /orgs/{org}/${store}/secrets/{secret_name}/repositories`;
          try {
            selected = (await list<{ name: string }>(route, { org, secret_name: s.name }, 'repositories')).map((r) => r.name);
          } catch (err) {
            failures.record(route, s.name, err, `which repositories can use selected-visibility org ${store} secrets is unknown`);
          }
        }
        const id = `github:${type}:org:${org}/${s.name}`;
        credential(
          {
            id,
            type,
            name: s.name,
            credentialType: 'secret',
            createdAt: s.created_at,
            lastRotatedAt: s.updated_at,
            active: true,
            attributes: compact({ level: 'org', visibility: s.visibility, selectedRepositories: selected, store }),
          },
          `GET /orgs/{org}/${store}/secrets`,
        );
        edge('IN_SCOPE', id, orgId, `GET /orgs/{org}/${store}/secrets`);
      }
    } catch (err) {
      failures.record(`GET /orgs/{org}/${store}/secrets`, org, err, `org-level ${store} secrets are not in the report`);
    }
  };
  const hooks = async (level: 'org' | 'repo', target: string, route: string, params: Record<string, unknown>, scopeId: string, { node, edge }: Emit = orgEmit) => {
    try {
      const list_ = await list<{ id: number; events?: string[]; active?: boolean; config?: { url?: string; secret?: string; insecure_ssl?: string | number; content_type?: string } }>(route, params);
      for (const h of list_) {
        let urlHost: string | undefined;
        try {
          urlHost = h.config?.url ? new URL(h.config.url).host : undefined;
        } catch {
          urlHost = undefined;
        }
        const id = `github:webhook:${target}/${h.id}`;
        // the secret itself is never copied: only whether one is set
        node({
          type: 'node',
          node: {
            id,
            kind: 'resource',
            platform: 'github',
            type: 'webhook',
            name: `${target} hook ${h.id}${urlHost ? ` → ${urlHost}` : ''}`,
            scope: org,
            attributes: compact({ level, active: h.active, events: h.events, hasSecret: Boolean(h.config?.secret), insecureSsl: String(h.config?.insecure_ssl ?? '0') === '1', contentType: h.config?.content_type, urlHost }),
            provenance: [prov(route)],
          } satisfies ResourceNode,
        });
        edge('IN_SCOPE', id, scopeId, route);
      }
    } catch (err) {
      failures.record(route, target, err, `${level} webhooks of ${target} are not in the report`);
    }
  };
  const runners = async (level: 'org' | 'repo', target: string, route: string, params: Record<string, unknown>, scopeId: string, groups?: Map<number, { name: string; allows: boolean }>, { node, edge }: Emit = orgEmit) => {
    try {
      for (const r of await list<{ id: number; name: string; os?: string; status?: string; labels?: Array<{ name: string }>; runner_group_id?: number }>(route, params, 'runners')) {
        const id = `github:runner:${target}/${r.id}`;
        const g = r.runner_group_id !== undefined ? groups?.get(r.runner_group_id) : undefined;
        node({
          type: 'node',
          node: {
            id,
            kind: 'resource',
            platform: 'github',
            type: 'self-hosted-runner',
            name: r.name,
            scope: org,
            attributes: compact({ level, os: r.os, status: r.status, labels: r.labels?.map((l) => l.name), runnerGroup: g?.name, groupAllowsPublicRepos: g?.allows }),
            provenance: [prov(route)],
          } satisfies ResourceNode,
        });
        edge('IN_SCOPE', id, scopeId, route);
      }
    } catch (err) {
      failures.record(route, target, err, `self-hosted runners of ${target} are not in the report`);
    }
  };

  ctx.progress('org secrets, webhooks, runners, App installations');
  await orgSecret('actions');
  await orgSecret('dependabot');
  await orgSecret('codespaces');
  await hooks('org', org, 'GET /orgs/{org}/hooks', { org }, orgId);
  const groups = new Map<number, { name: string; allows: boolean }>();
  try {
    for (const g of await list<{ id: number; name: string; allows_public_repositories?: boolean }>('GET /orgs/{org}/actions/runner-groups', { org }, 'runner_groups')) {
      groups.set(g.id, { name: g.name, allows: Boolean(g.allows_public_repositories) });
    }
  } catch (err) {
    failures.record('GET /orgs/{org}/actions/runner-groups', org, err, 'whether org runner groups admit public repositories is unknown');
  }
  await runners('org', org, 'GET /orgs/{org}/actions/runners', { org }, orgId, groups);

  try {
    for (const i of await list<{ id: number; app_id?: number; app_slug?: string; repository_selection?: string; permissions?: Record<string, string>; created_at?: string; suspended_at?: string | null }>('GET /orgs/{org}/installations', { org }, 'installations')) {
      const id = `github:app-installation:${org}/${i.id}`;
      node({
        type: 'node',
        node: {
          id,
          kind: 'principal',
          platform: 'github',
          type: 'app-installation',
          name: i.app_slug ?? `app ${i.app_id}`,
          externalId: String(i.id),
          scope: org,
          accountType: 'service',
          createdAt: i.created_at,
          disabled: Boolean(i.suspended_at),
          attributes: compact({ appId: i.app_id, appSlug: i.app_slug, installationId: i.id, repositorySelection: i.repository_selection, permissions: i.permissions, suspended: Boolean(i.suspended_at) }),
          provenance: [prov('GET /orgs/{org}/installations')],
        } satisfies PrincipalNode,
      });
      edge('IN_SCOPE', id, orgId, 'GET /orgs/{org}/installations');
      edge('CAN_ACCESS', id, orgId, 'GET /orgs/{org}/installations', { permissions: i.permissions, repositorySelection: i.repository_selection });
    }
  } catch (err) {
    failures.record('GET /orgs/{org}/installations', org, err, 'GitHub App installations are not in the report');
  }

  const user = (login: string, source: string): string => {
    const id = `github:user:${login}`;
    node({ type: 'node', node: { id, kind: 'principal', platform: 'github', type: 'user', name: login, scope: org, accountType: login.endsWith('[bot]') ? 'service' : 'human', provenance: [prov(source)] } satisfies PrincipalNode });
    return id;
  };
  if (appAuth) {
    try {
      for (const t of await list<{ id: number; token_id?: number; token_name?: string; owner?: { login: string }; access_granted_at?: string; token_last_used_at?: string | null; token_expires_at?: string | null; token_expired?: boolean; repository_selection?: string; permissions?: unknown }>('GET /orgs/{org}/personal-access-tokens', { org })) {
        const id = `github:fine-grained-pat:${org}/${t.id}`;
        credential(
          {
            id,
            type: 'fine-grained-pat',
            name: t.token_name ?? `token ${t.token_id}`,
            credentialType: 'token',
            createdAt: t.access_granted_at,
            lastUsedAt: t.token_last_used_at ?? null,
            expiresAt: t.token_expires_at ?? null,
            active: !t.token_expired,
            attributes: compact({ owner: t.owner?.login, repositorySelection: t.repository_selection, permissions: t.permissions, tokenId: t.token_id }),
          },
          'GET /orgs/{org}/personal-access-tokens',
        );
        if (t.owner?.login) edge('HAS_CREDENTIAL', user(t.owner.login, 'GET /orgs/{org}/personal-access-tokens'), id, 'GET /orgs/{org}/personal-access-tokens');
        edge('CAN_ACCESS', id, orgId, 'GET /orgs/{org}/personal-access-tokens', { permissions: t.permissions });
      }
    } catch (err) {
      failures.record('GET /orgs/{org}/personal-access-tokens', org, err, 'fine-grained personal access tokens granted to the org are not in the report');
    }
  } else {
    outbox.push({
      type: 'coverage',
      coverage: {
        connector: CONNECTOR_ID,
        source: 'github:GET /orgs/{org}/personal-access-tokens',
        scope: org,
        reason: 'unsupported',
        message: 'fine-grained personal access token grants can only be listed by a GitHub App',
        impact: 'fine-grained PATs with access to the org are not in the report; scan with --github-app-id to include them',
        incomplete: false,
      },
    });
  }
  try {
    const auths = await list<{ login: string; credential_id: number; credential_type?: string; credential_authorized_at?: string; credential_accessed_at?: string | null; authorized_credential_expires_at?: string | null; scopes?: string[] }>('GET /orgs/{org}/credential-authorizations', { org });
    orgAttrs.samlSso = true;
    for (const a of auths) {
      const id = `github:saml-credential:${org}/${a.credential_id}`;
      // token_last_eight is part of the secret: never copied
      credential(
        {
          id,
          type: 'saml-credential',
          name: `${a.login} ${a.credential_type ?? 'credential'} ${a.credential_id}`,
          credentialType: /ssh/i.test(a.credential_type ?? '') ? 'ssh-key' : 'token',
          createdAt: a.credential_authorized_at,
          lastUsedAt: a.credential_accessed_at ?? null,
          expiresAt: a.authorized_credential_expires_at ?? null,
          active: true,
          attributes: compact({ login: a.login, scopes: a.scopes, credentialType: a.credential_type }),
        },
        'GET /orgs/{org}/credential-authorizations',
      );
      edge('HAS_CREDENTIAL', user(a.login, 'GET /orgs/{org}/credential-authorizations'), id, 'GET /orgs/{org}/credential-authorizations');
    }
  } catch (err) {
    if ((err as { status?: number }).status === 404) orgAttrs.samlSso = false;
    failures.record('GET /orgs/{org}/credential-authorizations', org, err, 'SAML-authorised credentials are not in the report', { notFoundIsInfo: 'the org has no SAML single sign-on (GitHub Enterprise Cloud), so there are no SAML credential authorisations to read' });
  }

  // ---- repositories
  let repos: Array<{ name: string; full_name: string; visibility?: string; private?: boolean; archived?: boolean; fork?: boolean; default_branch?: string }> = [];
  try {
    repos = await list('GET /orgs/{org}/repos', { org, type: 'all' });
  } catch (err) {
    failures.record('GET /orgs/{org}/repos', org, err, 'no repository was scanned');
  }
  if (o.repos?.length) {
    const res = o.repos.map(globRegExp);
    repos = repos.filter((r) => res.some((re) => re.test(r.name) || re.test(r.full_name)));
  }
  ctx.progress(`repositories 0/${repos.length}`);
  const limit = pLimit(ctx.concurrency);
  let done = 0;
  const every = Math.max(1, Math.ceil(repos.length / 20));
  await Promise.all(
    repos.map((r) =>
      limit(async () => {
        // one repository's records travel together
        const local: GraphRecord[] = [];
        const repoEmit = emitTo(local);
        const { node, edge, credential } = repoEmit;
        const [owner, name] = r.full_name.split('/');
        const full = `${owner}/${name}`;
        const repoId = `github:repo:${full}`;
        const params = { owner, repo: name };
        const attrs: Record<string, unknown> = { visibility: r.visibility ?? (r.private ? 'private' : 'public'), archived: r.archived ?? false, fork: r.fork ?? false, defaultBranch: r.default_branch };
        // deploy keys
        try {
          for (const k of await list<{ id: number; title?: string; read_only?: boolean; created_at?: string; last_used?: string | null; added_by?: string | null }>('GET /repos/{owner}/{repo}/keys', params)) {
            const id = `github:deploy-key:${full}:${k.id}`;
            // the public key material is not stored either: ids and dates are enough
            credential(
              {
                id,
                type: 'deploy-key',
                name: k.title ?? `deploy key ${k.id}`,
                credentialType: 'ssh-key',
                createdAt: k.created_at,
                lastRotatedAt: k.created_at,
                lastUsedAt: 'last_used' in k ? (k.last_used ?? null) : undefined,
                active: true,
                attributes: compact({ readOnly: k.read_only, addedBy: k.added_by ?? undefined, repo: full }),
              },
              'GET /repos/{owner}/{repo}/keys',
            );
            edge('CAN_ACCESS', id, repoId, 'GET /repos/{owner}/{repo}/keys', { access: k.read_only ? 'read' : 'write' });
          }
        } catch (err) {
          failures.record('GET /repos/{owner}/{repo}/keys', full, err, 'deploy keys of the affected repositories are not in the report');
        }
        // secrets: repository, environments, dependabot
        const secretNode = (type: string, key: string, s: { name: string; created_at?: string; updated_at?: string }, level: string, route: string, extra: Record<string, unknown> = {}) => {
          const id = `github:${type}:${key}/${s.name}`;
          credential({ id, type, name: s.name, credentialType: 'secret', createdAt: s.created_at, lastRotatedAt: s.updated_at, active: true, attributes: compact({ level, repo: full, ...extra }) }, route);
          edge('IN_SCOPE', id, repoId, route);
        };
        try {
          for (const s of await list<{ name: string; created_at?: string; updated_at?: string }>('GET /repos/{owner}/{repo}/actions/secrets', params, 'secrets')) secretNode('actions-secret', `repo:${full}`, s, 'repo', 'GET /repos/{owner}/{repo}/actions/secrets');
        } catch (err) {
          failures.record('GET /repos/{owner}/{repo}/actions/secrets', full, err, 'repository Actions secrets of the affected repositories are not in the report');
        }
        try {
          for (const s of await list<{ name: string; created_at?: string; updated_at?: string }>('GET /repos/{owner}/{repo}/dependabot/secrets', params, 'secrets')) secretNode('dependabot-secret', `repo:${full}`, s, 'repo', 'GET /repos/{owner}/{repo}/dependabot/secrets', { store: 'dependabot' });
        } catch (err) {
          failures.record('GET /repos/{owner}/{repo}/dependabot/secrets', full, err, 'Dependabot secrets of the affected repositories are not in the report');
        }
        try {
          for (const e of await list<{ name: string }>('GET /repos/{owner}/{repo}/environments', params, 'environments')) {
            try {
              for (const s of await list<{ name: string; created_at?: string; updated_at?: string }>('GET /repos/{owner}/{repo}/environments/{environment_name}/secrets', { ...params, environment_name: e.name }, 'secrets')) {
                secretNode('actions-secret', `env:${full}/${e.name}`, s, 'environment', 'GET /repos/{owner}/{repo}/environments/{environment_name}/secrets', { environment: e.name });
              }
            } catch (err) {
              failures.record('GET /repos/{owner}/{repo}/environments/{environment_name}/secrets', `${full}/${e.name}`, err, 'environment secrets of the affected environments are not in the report');
            }
          }
        } catch (err) {
          failures.record('GET /repos/{owner}/{repo}/environments', full, err, 'environments (and their secrets) of the affected repositories are not in the report');
        }
        await hooks('repo', full, 'GET /repos/{owner}/{repo}/hooks', params, repoId, repoEmit);
        await runners('repo', full, 'GET /repos/{owner}/{repo}/actions/runners', params, repoId, undefined, repoEmit);
        try {
          const wp = await get<{ default_workflow_permissions?: string; can_approve_pull_request_reviews?: boolean }>('GET /repos/{owner}/{repo}/actions/permissions/workflow', params);
          attrs.defaultWorkflowPermissions = wp.default_workflow_permissions;
          attrs.canApprovePullRequestReviews = wp.can_approve_pull_request_reviews;
        } catch (err) {
          failures.record('GET /repos/{owner}/{repo}/actions/permissions/workflow', full, err, 'the default GITHUB_TOKEN permissions of the affected repositories are unknown');
        }
        try {
          const sub = await get<{ use_default?: boolean; include_claim_keys?: string[] }>('GET /repos/{owner}/{repo}/actions/oidc/customization/sub', params);
          attrs.oidcSubClaim = compact({ useDefault: sub.use_default ?? true, includeClaimKeys: sub.include_claim_keys });
        } catch (err) {
          failures.record('GET /repos/{owner}/{repo}/actions/oidc/customization/sub', full, err, 'the OIDC subject claim template of the affected repositories is unknown', {
            notFoundIsInfo: 'OIDC subject claim customisation is not available on this GitHub (older Enterprise Server)',
          });
        }
        // workflow files, analysed by the same code as local checkouts
        if (o.workflows) {
          try {
            let files: Array<{ type: string; path: string; name: string }> = [];
            try {
              files = await get('GET /repos/{owner}/{repo}/contents/{path}', { ...params, path: '.github/workflows' });
            } catch (err) {
              if ((err as { status?: number }).status !== 404) throw err; // 404: no workflows, still scanned
            }
            for (const f of Array.isArray(files) ? files : []) {
              if (f.type !== 'file' || !/\.ya?ml$/i.test(f.name)) continue;
              const c = await get<{ content?: string; encoding?: string }>('GET /repos/{owner}/{repo}/contents/{path}', { ...params, path: f.path });
              const text = Buffer.from(c.content ?? '', (c.encoding as BufferEncoding) ?? 'base64').toString('utf8');
              for (const rec of workflowRecords({ repo: full, path: f.path, text, connector: CONNECTOR_ID, source: 'github:GET /repos/{owner}/{repo}/contents/{path}', observedAt })) local.push(rec);
            }
            attrs.workflowsScanned = true;
          } catch (err) {
            failures.record('GET /repos/{owner}/{repo}/contents/{path}', full, err, 'workflow files of the affected repositories were not analysed');
          }
        }
        node({ type: 'node', node: { id: repoId, kind: 'resource', platform: 'github', type: 'repo', name: full, scope: org, attributes: compact(attrs), provenance: [prov('GET /orgs/{org}/repos')] } satisfies ResourceNode });
        edge('IN_SCOPE', repoId, orgId, 'GET /orgs/{org}/repos');
        outbox.push(...local);
        done++;
        if (done % every === 0 || done === repos.length) ctx.progress(`repositories ${done}/${repos.length}`);
      }),
    ),
  );

  node({ type: 'node', node: { id: orgId, kind: 'resource', platform: 'github', type: 'org', name: org, scope: org, attributes: compact(orgAttrs), provenance: [prov('GET /orgs/{org}')] } satisfies ResourceNode });
}
