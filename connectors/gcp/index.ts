/**
 * The Google Cloud connector. Live: reads projects (or every project of an organization) through the Google clients
 * (clients.ts, live.ts). Offline: gcloud JSON exports of one or more projects (see docs/connectors/gcp.md for the
 * layout and the commands that write it). Both feed the same mapping (map.ts), so they give the same graph.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { Connector, ScanContext } from '../../src/engine/types.js';
import type { CoverageNote, GraphRecord } from '../../src/model/types.js';
import { NhiError } from '../../src/util/errors.js';
import { Outbox } from '../../src/util/outbox.js';
import { CONNECTOR_ID, mapGcpProject, type GcpProjectData } from './map.js';

const PROJECT_ID = /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/;

export const gcpOptionsSchema = z
  .object({
    /** a folder of gcloud exports: one project, or one sub-folder per project */
    fromDir: z.string().min(1).optional(),
    /** live: the projects to scan (ids) */
    projects: z.array(z.string().regex(PROJECT_ID, 'a project id: 6-30 lowercase letters, digits and hyphens')).min(1).optional(),
    /** live: scan every active project under this organization (numeric id) */
    organization: z.string().regex(/^\d+$/, 'an organization id is numeric (gcloud organizations list)').optional(),
    /** live: impersonate this service account (a read-only audit identity) */
    impersonateServiceAccount: z.string().regex(/^[^@\s]+@[^@\s]+\.iam\.gserviceaccount\.com$/, 'a service account email (NAME@PROJECT.iam.gserviceaccount.com)').optional(),
    /** live: send every Google API call to this base URL (emulators, proxies, tests) */
    endpoint: z.url().optional(),
    /** live: retries of a throttled or failed call */
    retries: z.number().int().min(0).max(10).optional(),
    retryDelayMs: z.number().int().min(0).optional(),
    /** live: one attempt of one request gives up after this long (no flag: tests and the CLI deadline); default 60 s */
    requestTimeoutMs: z.number().int().min(1).optional(),
    /** keys read from service-account descriptions as owner tags (`owner: team-a`); the CLI passes identity-unowned's ownerTagKeys */
    ownerKeys: z.array(z.string().min(1)).optional(),
  })
  .strict()
  .refine((o) => !(o.fromDir && (o.projects || o.organization || o.impersonateServiceAccount || o.endpoint)), { message: 'offline exports (--from-file) and live options (--gcp-project, --gcp-organization, --gcp-impersonate-service-account) do not mix' })
  .refine((o) => !(o.projects && o.organization), { message: 'give projects or an organization, not both' });
export type GcpOptions = z.infer<typeof gcpOptionsSchema>;

/** Exactly what a live scan reads, by IAM permission (a custom role can be made from this list). */
export const REQUIRED_PERMISSIONS = [
  'resourcemanager.projects.get',
  'resourcemanager.projects.getIamPolicy',
  'iam.serviceAccounts.list',
  'iam.serviceAccountKeys.list',
  'iam.serviceAccounts.getIamPolicy',
  'iam.roles.list',
  'iam.roles.get',
  'iam.workloadIdentityPools.list',
  'iam.workloadIdentityPoolProviders.list',
];
/** Read when granted (on folders and the organization, or for --gcp-organization discovery). */
export const HIERARCHY_PERMISSIONS = ['resourcemanager.folders.get', 'resourcemanager.folders.getIamPolicy', 'resourcemanager.organizations.getIamPolicy', 'resourcemanager.projects.list', 'resourcemanager.folders.list'];
export const USAGE_PERMISSIONS = [
  'policyanalyzer.serviceAccountLastAuthenticationActivities.query',
  'policyanalyzer.serviceAccountKeyLastAuthenticationActivities.query',
  'recommender.iamPolicyRecommendations.list',
  'recommender.iamServiceAccountinsights.list',
];
export const DENY_PERMISSIONS = ['iam.denypolicies.list', 'iam.denypolicies.get'];

/** Predefined roles that cover the lists above. */
export const REQUIRED_ROLES = ['roles/iam.securityReviewer', 'roles/browser'];
export const OPTIONAL_ROLES = ['roles/policyanalyzer.activityAnalysisViewer', 'roles/recommender.iamViewer', 'roles/iam.denyReviewer'];

function readJson(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new NhiError('INPUT', `${file}: cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new NhiError('INPUT', `${file}: not valid JSON (${(err as Error).message.split('\n')[0]})`, { suggestion: 'write the exports with gcloud ... --format=json (see docs/connectors/gcp.md)' });
  }
}

function optional(file: string): unknown {
  return existsSync(file) ? readJson(file) : undefined;
}

function expectArray<T>(file: string, v: unknown, what: string): T[] {
  if (v === undefined) return [];
  if (!Array.isArray(v)) throw new NhiError('INPUT', `${file}: expected a JSON array (${what})`, { suggestion: 'see docs/connectors/gcp.md for the export commands' });
  return v as T[];
}

/** The project folders under `dir`: the folder itself when it holds service-accounts.json, else its sub-folders that do. */
export function projectDirs(dir: string): string[] {
  if (existsSync(path.join(dir, 'service-accounts.json'))) return [dir];
  return readdirSync(dir)
    .map((d) => path.join(dir, d))
    .filter((d) => statSync(d).isDirectory() && existsSync(path.join(d, 'service-accounts.json')))
    .sort();
}

/** Read one project folder of gcloud exports. */
export function readProjectDir(dir: string): GcpProjectData {
  const manifest = (optional(path.join(dir, 'project.json')) ?? {}) as { projectId?: string; projectNumber?: string; parent?: { type?: string; id?: string } | string };
  const sasFile = path.join(dir, 'service-accounts.json');
  const serviceAccounts = expectArray<GcpProjectData['serviceAccounts'][number]>(sasFile, readJson(sasFile), 'gcloud iam service-accounts list --format=json');
  for (const sa of serviceAccounts) {
    if (!sa || typeof sa.email !== 'string') throw new NhiError('INPUT', `${sasFile}: every entry needs an email (gcloud iam service-accounts list output)`);
  }
  const keys: GcpProjectData['keys'] = {};
  const keysDir = path.join(dir, 'keys');
  if (existsSync(keysDir)) {
    for (const f of readdirSync(keysDir).filter((x) => x.endsWith('.json'))) {
      const file = path.join(keysDir, f);
      keys[f.replace(/\.json$/, '').toLowerCase()] = expectArray(file, readJson(file), 'gcloud iam service-accounts keys list --format=json');
    }
  }
  const saPolicies: GcpProjectData['saPolicies'] = {};
  const polDir = path.join(dir, 'sa-policies');
  if (existsSync(polDir)) {
    for (const f of readdirSync(polDir).filter((x) => x.endsWith('.json'))) saPolicies[f.replace(/\.json$/, '')] = readJson(path.join(polDir, f)) as GcpProjectData['saPolicies'][string];
  }
  const policyFile = path.join(dir, 'iam-policy.json');
  const policy = optional(policyFile) as GcpProjectData['policy'];
  if (policy !== undefined && (typeof policy !== 'object' || policy === null || (policy.bindings !== undefined && !Array.isArray(policy.bindings)))) {
    throw new NhiError('INPUT', `${policyFile}: expected { "bindings": [...] } (gcloud projects get-iam-policy --format=json)`);
  }
  const projectId = manifest.projectId ?? serviceAccounts.find((s) => s.projectId)?.projectId ?? path.basename(dir);
  const parent = typeof manifest.parent === 'string' ? manifest.parent : manifest.parent?.id ? `${manifest.parent.type ?? 'organization'}s/${manifest.parent.id}` : undefined;
  const file = (n: string) => path.join(dir, n);
  const activity = (optional(file('activity.json')) ?? {}) as { serviceAccounts?: unknown; keys?: unknown };
  return {
    projectId,
    projectNumber: manifest.projectNumber,
    parent,
    serviceAccounts,
    keys,
    policy,
    saPolicies,
    roles: expectArray(file('roles.json'), optional(file('roles.json')), 'gcloud iam roles list / describe --format=json'),
    pools: expectArray(file('wif-pools.json'), optional(file('wif-pools.json')), 'gcloud iam workload-identity-pools list --format=json'),
    providers: expectArray(file('wif-providers.json'), optional(file('wif-providers.json')), 'gcloud iam workload-identity-pools providers list --format=json'),
    saActivity: activity.serviceAccounts !== undefined ? expectArray(file('activity.json'), activity.serviceAccounts, 'Policy Analyzer serviceAccountLastAuthentication activities') : undefined,
    keyActivity: activity.keys !== undefined ? expectArray(file('activity.json'), activity.keys, 'Policy Analyzer serviceAccountKeyLastAuthentication activities') : undefined,
    recommendations: expectArray(file('recommendations.json'), optional(file('recommendations.json')), 'gcloud recommender recommendations list --format=json'),
    insights: expectArray(file('insights.json'), optional(file('insights.json')), 'gcloud recommender insights list --insight-type=google.iam.serviceAccount.Insight --format=json'),
    ancestors: expectArray(file('ancestors.json'), optional(file('ancestors.json')), '[{ "resource": "folders/123", "policy": <gcloud resource-manager folders get-iam-policy --format=json> }, ...]'),
    denyPolicies: expectArray(file('deny-policies.json'), optional(file('deny-policies.json')), 'gcloud iam policies list/get --kind=denypolicies --format=json'),
  };
}

function describeGcp() {
  return {
    title: 'Google Cloud IAM',
    requiredPermissions: [
      ...REQUIRED_PERMISSIONS.map((p) => `${p} (on each project)`),
      ...HIERARCHY_PERMISSIONS.map((p) => `${p} (on folders / the organization: inherited bindings${p.endsWith('.list') ? ', --gcp-organization discovery' : ''})`),
      `predefined roles that hold them: ${REQUIRED_ROLES.join(' and ')} (on the organization, or on each project)`,
    ],
    optionalPermissions: [
      { permission: `${USAGE_PERMISSIONS.slice(0, 2).join(', ')} (roles/policyanalyzer.activityAnalysisViewer; Policy Analyzer API enabled)`, unlocks: 'last authentication of service accounts and keys: identity-unused, credential-unused' },
      { permission: `${USAGE_PERMISSIONS.slice(2).join(', ')} (roles/recommender.iamViewer; Recommender API enabled)`, unlocks: 'role recommendations (unused-role-grants) and service-account usage insights' },
      { permission: `${DENY_PERMISSIONS.join(', ')} (roles/iam.denyReviewer)`, unlocks: 'deny policies attached to each project' },
      { permission: 'iam.serviceAccounts.getAccessToken on the audit service account (roles/iam.serviceAccountTokenCreator)', unlocks: 'only with --gcp-impersonate-service-account' },
      { permission: 'offline: the same permissions, for whoever runs the gcloud exports', unlocks: 'nhi scan --from-file DIR (docs/connectors/gcp.md)' },
    ],
    // a custom role definition: gcloud iam roles create nhiDriftReader --organization ORG --file role.json
    permissionsDocument: {
      title: 'nhi-drift reader',
      description: 'Read-only access for nhi scan --connector gcp',
      stage: 'GA',
      includedPermissions: [...REQUIRED_PERMISSIONS, ...HIERARCHY_PERMISSIONS, ...USAGE_PERMISSIONS, ...DENY_PERMISSIONS].sort(),
    },
    options: gcpOptionsSchema,
  };
}

function clientOptions(o: GcpOptions, signal?: AbortSignal) {
  return { endpoint: o.endpoint, impersonate: o.impersonateServiceAccount, retries: o.retries, retryDelayMs: o.retryDelayMs, requestTimeoutMs: o.requestTimeoutMs, signal };
}

/** The projects of a live scan: given, or GOOGLE_CLOUD_PROJECT / CLOUDSDK_CORE_PROJECT when neither flag is set. */
function liveTarget(o: GcpOptions): { projects?: string[]; organization?: string } {
  if (o.projects || o.organization) return { projects: o.projects, organization: o.organization };
  const env = process.env.GOOGLE_CLOUD_PROJECT ?? process.env.CLOUDSDK_CORE_PROJECT;
  if (env && PROJECT_ID.test(env)) return { projects: [env] };
  throw new NhiError('USAGE', 'the gcp connector needs --gcp-project P[,Q], --gcp-organization ORG or --from-file DIR', { suggestion: 'or set GOOGLE_CLOUD_PROJECT' });
}

export const gcpConnector: Connector = {
  id: CONNECTOR_ID,
  describe: describeGcp,
  async validate(ctx) {
    const o = gcpOptionsSchema.parse(ctx.options);
    if (!o.fromDir) {
      liveTarget(o);
      // the Google client libraries load only for live scans
      const { classifyGcpError, createAuth } = await import('./clients.js');
      const auth = await createAuth(clientOptions(o, ctx.signal), ctx.calls);
      try {
        await auth.getAccessToken();
      } catch (err) {
        const info = classifyGcpError(err);
        const who = o.impersonateServiceAccount ? `cannot impersonate ${o.impersonateServiceAccount}` : 'the Google Cloud credentials do not work';
        throw new NhiError('CREDENTIALS', `${who}: ${info.text}`, {
          suggestion: o.impersonateServiceAccount ? 'the caller needs roles/iam.serviceAccountTokenCreator on that service account' : 'run `gcloud auth application-default login` again, or refresh GOOGLE_OAUTH_ACCESS_TOKEN',
        });
      }
      return;
    }
    if (!existsSync(o.fromDir) || !statSync(o.fromDir).isDirectory()) {
      throw new NhiError('INPUT', `${o.fromDir}: not a folder of gcloud exports`, { suggestion: 'see docs/connectors/gcp.md for the layout' });
    }
    const dirs = projectDirs(o.fromDir);
    if (dirs.length === 0) throw new NhiError('INPUT', `${o.fromDir}: no service-accounts.json here or in a sub-folder`, { suggestion: 'see docs/connectors/gcp.md for the layout' });
    for (const d of dirs) readProjectDir(d); // malformed files are usage errors before the scan starts
  },
  async *scan(ctx: ScanContext): AsyncIterable<GraphRecord> {
    const o = gcpOptionsSchema.parse(ctx.options);
    if (!o.fromDir) {
      yield* scanLive(ctx, o);
      return;
    }
    for (const dir of projectDirs(o.fromDir)) {
      const data = readProjectDir(dir);
      ctx.progress(`project ${data.projectId}: ${data.serviceAccounts.length} service accounts`);
      const rel = (f: string) => `file:${path.basename(dir)}/${f}`;
      const sources = { serviceAccounts: rel('service-accounts.json'), keys: rel('keys/'), policy: rel('iam-policy.json'), saPolicy: rel('sa-policies/'), roles: rel('roles.json'), wif: rel('wif-providers.json'), activity: rel('activity.json'), recommendations: rel('recommendations.json'), insights: rel('insights.json'), ancestors: rel('ancestors.json'), deny: rel('deny-policies.json') } as const;
      for (const r of mapGcpProject(data, { now: ctx.now, source: (w) => sources[w], ownerKeys: o.ownerKeys })) yield r;
      if (!data.saActivity) {
        yield { type: 'coverage', coverage: { connector: CONNECTOR_ID, source: sources.activity, scope: data.projectId, reason: 'not-found', message: 'no Policy Analyzer activity export for this project', impact: data.insights?.length ? 'service-account last use comes only from Recommender insights (accounts unused for their observation period); key last use is unknown' : 'service account and key last use are unknown: identity-unused and credential-unused make no claim here', incomplete: false } };
      }
    }
  },
};

/** Provenance source of live data: the API method that returned it. */
const LIVE_SOURCES = {
  serviceAccounts: 'iam.projects.serviceAccounts.list',
  keys: 'iam.projects.serviceAccounts.keys.list',
  policy: 'cloudresourcemanager.projects.getIamPolicy',
  saPolicy: 'iam.projects.serviceAccounts.getIamPolicy',
  roles: 'iam.roles.get',
  wif: 'iam.workloadIdentityPools.providers.list',
  activity: 'policyanalyzer.activities.query',
  recommendations: 'recommender.recommendations.list',
  insights: 'recommender.insights.list',
  ancestors: 'cloudresourcemanager.getIamPolicy',
  deny: 'iam.policies.get',
} as const;

async function* scanLive(ctx: ScanContext, o: GcpOptions): AsyncGenerator<GraphRecord> {
  const target = liveTarget(o);
  const { createAuth, createClients } = await import('./clients.js');
  const { collectLive, projectTarget } = await import('./live.js');
  const auth = await createAuth(clientOptions(o, ctx.signal), ctx.calls);
  const clients = createClients(auth, clientOptions(o, ctx.signal));
  try {
    // each project's records go out as soon as it is read: a scan stopped by the deadline keeps them
    const outbox = new Outbox<GraphRecord>();
    let projects = 0;
    let notes: CoverageNote[] = [];
    const work = collectLive(clients, ctx, target, {
      target: (id) => outbox.push({ type: 'target', target: projectTarget(id) }),
      project: (data) => {
        projects++;
        outbox.push(...mapGcpProject(data, { now: ctx.now, source: (w) => LIVE_SOURCES[w], ownerKeys: o.ownerKeys }));
      },
    }).then((n) => {
      notes = n;
    });
    yield* outbox.drain(work);
    for (const n of notes) yield { type: 'coverage', coverage: n };
    if (target.organization && projects === 0 && !notes.length) {
      yield { type: 'coverage', coverage: { connector: CONNECTOR_ID, source: 'resourcemanager.projects.list', scope: `organizations/${target.organization}`, reason: 'not-found', message: `no active project visible under organizations/${target.organization}`, impact: 'nothing was scanned', incomplete: true } };
    }
  } finally {
    await clients.close();
  }
}
