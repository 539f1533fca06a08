/**
 * The Google Cloud connector. Live: reads projects (or every project of an organization) through the Google clients
 * (clients.ts, live.ts). Offline: gcloud JSON exports of one or more projects (see docs/connectors/gcp.md for the
 * layout and the commands that write it). Both feed the same mapping (map.ts), so they give the same graph.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { Connector, ScanContext } from '../../src/engine/types.js';
import type { CoverageNote, GraphRecord } from '../../src/model/types.js';
import { inspectPath, MiB } from '../../src/util/bounded-read.js';
import { NhiError } from '../../src/util/errors.js';
import { Outbox } from '../../src/util/outbox.js';
import { CONNECTOR_ID, mapGcpProject, projectScanTarget, type GcpProjectData } from './map.js';
import type { Locate } from './validate.js';
import { ExportFolder } from '../export-folder.js';

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

/**
 * Size cap of one export file, checked before it is read. gcloud's JSON for a project (service accounts, keys,
 * policies, roles with their permissions, recommendations) is kilobytes to a few megabytes; 64 MiB is generous and
 * keeps a stray huge file from exhausting memory. Internal only: tests pass smaller ones.
 */
export const GCP_INPUT_LIMITS = { fileBytes: 64 * MiB };

const EXPORT_HINT = 'write the exports with gcloud ... --format=json (see docs/connectors/gcp.md)';
/** A project id as Google Cloud allows it (with the legacy `domain:` prefix). */
const PROJECT_ID_ANY = /^(?:[a-z][a-z0-9.-]*[a-z0-9]:)?[a-z][a-z0-9-]{4,28}[a-z0-9]$/;

/**
 * One export folder being read: files are regular files (links followed, FIFOs and devices refused from their
 * metadata), bounded in size; what cannot be read becomes a coverage note and the rest of the folder is still read.
 * A file that is there but is not JSON, or not the JSON shape gcloud writes, is a usage error (exit 2).
 */
class GcpExportFolder extends ExportFolder {
  constructor(dir: string, maxBytes: number) {
    super(CONNECTOR_ID, dir, maxBytes);
  }

  /** The JSON of `rel`, or undefined when the file is absent (optional files) or cannot be read (with a note). */
  json(rel: string, impact: string): unknown {
    const text = this.text(rel, impact);
    if (text === 'missing' || text === undefined) return undefined;
    try {
      return JSON.parse(text);
    } catch (err) {
      throw new NhiError('INPUT', `${path.join(this.dir, rel)}: not valid JSON (${(err as Error).message.split('\n')[0]})`, { suggestion: EXPORT_HINT });
    }
  }
}

function expectArray<T>(file: string, v: unknown, what: string): T[] {
  if (v === undefined) return [];
  if (!Array.isArray(v)) throw new NhiError('INPUT', `${file}: expected a JSON array (${what})`, { suggestion: 'see docs/connectors/gcp.md for the export commands' });
  return v as T[];
}

function expectObject(file: string, v: unknown, what: string): Record<string, unknown> | undefined {
  if (v === undefined) return undefined;
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new NhiError('INPUT', `${file}: expected a JSON object (${what})`, { suggestion: 'see docs/connectors/gcp.md for the export commands' });
  return v as Record<string, unknown>;
}

/** Whether `dir` holds a project's exports: a `service-accounts.json` entry of any kind (a broken one is reported when read). */
function isProjectDir(dir: string): boolean {
  return inspectPath(path.join(dir, 'service-accounts.json')).kind !== 'missing';
}

/**
 * The project folders under `dir` (the folder itself when it holds service-accounts.json, else its sub-folders that
 * do), and notes for entries that could not be looked at (a dangling link may have been a project folder).
 */
export function exportFolders(dir: string): { dirs: string[]; notes: CoverageNote[] } {
  if (isProjectDir(dir)) return { dirs: [dir], notes: [] };
  let names: string[];
  try {
    names = readdirSync(dir).sort();
  } catch (err) {
    throw new NhiError('INPUT', `${dir}: cannot be listed (${(err as NodeJS.ErrnoException).code ?? 'error'})`, { suggestion: 'see docs/connectors/gcp.md for the layout' });
  }
  const dirs: string[] = [];
  const notes: CoverageNote[] = [];
  const label = path.basename(path.resolve(dir));
  for (const name of names) {
    const child = path.join(dir, name);
    const entry = inspectPath(child);
    const note = (message: string) =>
      notes.push({ connector: CONNECTOR_ID, source: `file:${label}/${name}`, reason: 'invalid-input', message: `${label}/${name} ${message}`, impact: 'if it held a project\u2019s exports, that project is not in the report', incomplete: true });
    if (entry.kind === 'directory') {
      if (isProjectDir(child)) dirs.push(child);
    } else if (entry.kind === 'dangling-link') note('is a symbolic link to nothing (dangling)');
    else if (entry.kind === 'unreadable') note(`cannot be read (${entry.code})`);
  }
  return { dirs, notes };
}

/** The project folders under `dir`: the folder itself when it holds service-accounts.json, else its sub-folders that do. */
export function projectDirs(dir: string): string[] {
  return exportFolders(dir).dirs;
}

/** Read one project folder of gcloud exports: its data, and notes for what could not be read. */
export function readProject(dir: string, limits = GCP_INPUT_LIMITS): { data: GcpProjectData; notes: CoverageNote[] } {
  const f = new GcpExportFolder(dir, limits.fileBytes);
  const file = (n: string) => path.join(dir, n);
  const manifestRaw = expectObject(file('project.json'), f.json('project.json', 'the project number and parent are unknown'), '{ "projectId": ..., "projectNumber": ..., "parent": ... }') ?? {};
  const manifest: { projectId?: string; projectNumber?: string; parent?: string } = {};
  if (manifestRaw.projectId !== undefined) {
    if (typeof manifestRaw.projectId === 'string' && PROJECT_ID_ANY.test(manifestRaw.projectId)) manifest.projectId = manifestRaw.projectId;
    else f.note('project.json', 'has a projectId that is not a Google Cloud project id; the project is named from its service accounts or folder instead', 'the project id may be wrong');
  }
  if (typeof manifestRaw.projectNumber === 'string' && /^\d{1,20}$/.test(manifestRaw.projectNumber)) manifest.projectNumber = manifestRaw.projectNumber;
  else if (typeof manifestRaw.projectNumber === 'number' && Number.isSafeInteger(manifestRaw.projectNumber)) manifest.projectNumber = String(manifestRaw.projectNumber);
  const parent = manifestRaw.parent as unknown;
  if (typeof parent === 'string' && /^(folders|organizations)\/[^/\s]{1,64}$/.test(parent)) manifest.parent = parent;
  else if (parent && typeof parent === 'object' && !Array.isArray(parent)) {
    const { type, id } = parent as { type?: unknown; id?: unknown };
    if ((typeof id === 'string' || typeof id === 'number') && /^[A-Za-z0-9_-]{1,64}$/.test(String(id)) && (type === undefined || type === 'organization' || type === 'folder')) {
      manifest.parent = `${typeof type === 'string' ? type : 'organization'}s/${id}`;
    }
  }
  const sasFile = file('service-accounts.json');
  const serviceAccounts = expectArray<GcpProjectData['serviceAccounts'][number]>(sasFile, f.json('service-accounts.json', 'this project\u2019s service accounts and their keys are not in the report'), 'gcloud iam service-accounts list --format=json');
  const keys: GcpProjectData['keys'] = {};
  for (const name of f.jsonFilesIn('keys', 'service-account keys are not in the report') ?? []) {
    const rel = `keys/${name}`;
    const v = f.json(rel, 'the keys of that service account are not in the report');
    if (v !== undefined) keys[name.replace(/\.json$/, '').toLowerCase()] = expectArray(file(rel), v, 'gcloud iam service-accounts keys list --format=json');
  }
  const saPolicies: GcpProjectData['saPolicies'] = {};
  for (const name of f.jsonFilesIn('sa-policies', 'who can act as each service account is not in the report') ?? []) {
    const rel = `sa-policies/${name}`;
    const v = expectObject(file(rel), f.json(rel, 'who can act as that service account is not in the report'), 'gcloud iam service-accounts get-iam-policy --format=json');
    if (v !== undefined) saPolicies[name.replace(/\.json$/, '')] = v as GcpProjectData['saPolicies'][string];
  }
  const policyFile = file('iam-policy.json');
  const policy = f.json('iam-policy.json', 'the project\u2019s role bindings are not in the report') as GcpProjectData['policy'];
  if (policy !== undefined && (typeof policy !== 'object' || policy === null || Array.isArray(policy) || (policy.bindings !== undefined && !Array.isArray(policy.bindings)))) {
    throw new NhiError('INPUT', `${policyFile}: expected { "bindings": [...] } (gcloud projects get-iam-policy --format=json)`, { suggestion: EXPORT_HINT });
  }
  const saProject = serviceAccounts.map((s) => (s && typeof s === 'object' ? (s as { projectId?: unknown }).projectId : undefined)).find((p): p is string => typeof p === 'string' && PROJECT_ID_ANY.test(p));
  const projectId = manifest.projectId ?? saProject ?? f.label;
  const activity = expectObject(file('activity.json'), f.json('activity.json', 'service account and key last use are unknown'), '{ "serviceAccounts": [...], "keys": [...] }') ?? {};
  // records are validated one by one by the mapping (validate.ts); here only the file's overall shape counts
  const list = <T>(n: string, what: string, impact: string): T[] => expectArray<T>(file(n), f.json(n, impact), what);
  const data: GcpProjectData = {
    projectId,
    projectNumber: manifest.projectNumber,
    parent: manifest.parent,
    serviceAccounts,
    keys,
    policy,
    saPolicies,
    roles: list('roles.json', 'gcloud iam roles list / describe --format=json', 'custom role permissions are unknown'),
    pools: list('wif-pools.json', 'gcloud iam workload-identity-pools list --format=json', 'workload identity pools are not in the report'),
    providers: list('wif-providers.json', 'gcloud iam workload-identity-pools providers list --format=json', 'workload identity providers are not in the report'),
    saActivity: activity.serviceAccounts !== undefined ? expectArray(file('activity.json'), activity.serviceAccounts, 'Policy Analyzer serviceAccountLastAuthentication activities') : undefined,
    keyActivity: activity.keys !== undefined ? expectArray(file('activity.json'), activity.keys, 'Policy Analyzer serviceAccountKeyLastAuthentication activities') : undefined,
    recommendations: list('recommendations.json', 'gcloud recommender recommendations list --format=json', 'role recommendations are not shown'),
    insights: list('insights.json', 'gcloud recommender insights list --insight-type=google.iam.serviceAccount.Insight --format=json', 'service-account usage insights are not used'),
    ancestors: list('ancestors.json', '[{ "resource": "folders/123", "policy": <gcloud resource-manager folders get-iam-policy --format=json> }, ...]', 'bindings inherited from folders and the organization are not in the report'),
    denyPolicies: list('deny-policies.json', 'gcloud iam policies list/get --kind=denypolicies --format=json', 'deny policies are not taken into account'),
  };
  return { data, notes: f.notes };
}

/** Read one project folder of gcloud exports (the data only; see readProject for the notes). */
export function readProjectDir(dir: string): GcpProjectData {
  return readProject(dir).data;
}

/** How skipped records of an offline project name their file. */
function offlineLocate(dir: string): Locate {
  const label = path.basename(path.resolve(dir));
  const files: Record<Parameters<Locate>[0], string> = {
    serviceAccounts: 'service-accounts.json',
    keys: 'keys',
    policy: 'iam-policy.json',
    saPolicy: 'sa-policies',
    roles: 'roles.json',
    wif: 'wif-providers.json',
    pools: 'wif-pools.json',
    activity: 'activity.json',
    recommendations: 'recommendations.json',
    insights: 'insights.json',
    ancestors: 'ancestors.json',
    deny: 'deny-policies.json',
  };
  return (what, key) => {
    const rel = key !== undefined && (what === 'keys' || what === 'saPolicy') ? `${files[what]}/${key}.json` : files[what];
    return { source: `file:${label}/${rel}`, where: `${label}/${rel}` };
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
    const { dirs, notes: folderNotes } = exportFolders(o.fromDir);
    for (const dir of dirs) {
      const { data, notes } = readProject(dir);
      ctx.progress(`project ${data.projectId}: ${data.serviceAccounts.length} service accounts`);
      yield { type: 'target', target: projectScanTarget(data.projectId) };
      const rel = (f: string) => `file:${path.basename(path.resolve(dir))}/${f}`;
      const sources = { serviceAccounts: rel('service-accounts.json'), keys: rel('keys/'), policy: rel('iam-policy.json'), saPolicy: rel('sa-policies/'), roles: rel('roles.json'), wif: rel('wif-providers.json'), activity: rel('activity.json'), recommendations: rel('recommendations.json'), insights: rel('insights.json'), ancestors: rel('ancestors.json'), deny: rel('deny-policies.json') } as const;
      for (const r of mapGcpProject(data, { now: ctx.now, source: (w) => sources[w], ownerKeys: o.ownerKeys, locate: offlineLocate(dir) })) yield r;
      for (const n of notes) yield { type: 'coverage', coverage: { ...n, scope: data.projectId } };
      if (!data.saActivity) {
        yield { type: 'coverage', coverage: { connector: CONNECTOR_ID, source: sources.activity, scope: data.projectId, reason: 'not-found', message: 'no Policy Analyzer activity export for this project', impact: data.insights?.length ? 'service-account last use comes only from Recommender insights (accounts unused for their observation period); key last use is unknown' : 'service account and key last use are unknown: identity-unused and credential-unused make no claim here', incomplete: false } };
      }
    }
    for (const n of folderNotes) yield { type: 'coverage', coverage: n };
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
