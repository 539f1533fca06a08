/**
 * The Google Cloud connector, offline: gcloud JSON exports of one or more projects (see docs/connectors/gcp.md for
 * the layout and the commands that write it). The live path through the Google clients is not built yet; the
 * mapping (map.ts) is shared so it will give the same graph.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { Connector, ScanContext } from '../../src/engine/types.js';
import type { GraphRecord } from '../../src/model/types.js';
import { NhiError } from '../../src/util/errors.js';
import { CONNECTOR_ID, mapGcpProject, type GcpProjectData } from './map.js';

export const gcpOptionsSchema = z
  .object({
    /** a folder of gcloud exports: one project, or one sub-folder per project */
    fromDir: z.string().min(1),
  })
  .strict();

export const REQUIRED_ROLES = ['roles/iam.securityReviewer', 'roles/browser'];
export const OPTIONAL_ROLES = ['roles/policyanalyzer.activityAnalysisViewer', 'roles/recommender.iamViewer', 'roles/iam.workloadIdentityPoolViewer'];

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
  };
}

export const gcpConnector: Connector = {
  id: CONNECTOR_ID,
  describe: () => ({
    title: 'Google Cloud (offline exports)',
    requiredPermissions: [`to make the exports: ${REQUIRED_ROLES.join(', ')} on each project`],
    optionalPermissions: OPTIONAL_ROLES.map((r) => ({ permission: r, unlocks: r.includes('policyanalyzer') ? 'last authentication of service accounts and keys (activity.json)' : r.includes('recommender') ? 'role recommendations: unused permissions (recommendations.json)' : 'workload identity pools and providers' })),
    permissionsDocument: { roles: REQUIRED_ROLES, optionalRoles: OPTIONAL_ROLES },
    options: gcpOptionsSchema,
  }),
  async validate(ctx) {
    const o = gcpOptionsSchema.parse(ctx.options);
    if (!existsSync(o.fromDir) || !statSync(o.fromDir).isDirectory()) {
      throw new NhiError('INPUT', `${o.fromDir}: not a folder of gcloud exports`, { suggestion: 'see docs/connectors/gcp.md for the layout' });
    }
    const dirs = projectDirs(o.fromDir);
    if (dirs.length === 0) throw new NhiError('INPUT', `${o.fromDir}: no service-accounts.json here or in a sub-folder`, { suggestion: 'see docs/connectors/gcp.md for the layout' });
    for (const d of dirs) readProjectDir(d); // malformed files are usage errors before the scan starts
  },
  async *scan(ctx: ScanContext): AsyncIterable<GraphRecord> {
    const o = gcpOptionsSchema.parse(ctx.options);
    for (const dir of projectDirs(o.fromDir)) {
      const data = readProjectDir(dir);
      ctx.progress(`project ${data.projectId}: ${data.serviceAccounts.length} service accounts`);
      const rel = (f: string) => `file:${path.basename(dir)}/${f}`;
      const sources = { serviceAccounts: rel('service-accounts.json'), keys: rel('keys/'), policy: rel('iam-policy.json'), saPolicy: rel('sa-policies/'), roles: rel('roles.json'), wif: rel('wif-providers.json'), activity: rel('activity.json'), recommendations: rel('recommendations.json') } as const;
      for (const r of mapGcpProject(data, { now: ctx.now, source: (w) => sources[w] })) yield r;
      if (!data.saActivity) {
        yield { type: 'coverage', coverage: { connector: CONNECTOR_ID, source: sources.activity, scope: data.projectId, reason: 'not-found', message: 'no Policy Analyzer activity export for this project', impact: 'service account and key last use are unknown: identity-unused and credential-unused make no claim here', incomplete: false } };
      }
    }
  },
};
