/**
 * The Microsoft Entra ID connector (with Azure RBAC role assignments). Live: Microsoft Graph and Azure Resource
 * Manager with DefaultAzureCredential (live.ts, graph.ts). Offline: a folder of Microsoft Graph JSON as `az rest`
 * prints it and `az role assignment list --all` (docs/connectors/entra.md for the layout and the commands). Both fill
 * the same `EntraTenantData`, which the pure mapping (map.ts) turns into records.
 *
 * What cannot be read becomes a coverage note (an optional file that is absent, RBAC not asked for: informational; a
 * file that is there but unreadable, an endpoint that answers 403: incomplete, exit 3); the rest is still read.
 */
import path from 'node:path';
import { z } from 'zod';
import type { Connector, ScanContext } from '../../src/engine/types.js';
import type { CoverageNote, GraphRecord } from '../../src/model/types.js';
import { inspectPath, MiB } from '../../src/util/bounded-read.js';
import { NhiError } from '../../src/util/errors.js';
import { CONNECTOR_ID, inferTenant, mapEntraTenant, tenantScanTarget, type EntraSource, type EntraTenantData } from './map.js';
import { ExportFolder } from '../export-folder.js';
import type { EntraLiveOptions } from './live.js';

/** The live client (and with it @azure/identity and the ARM SDK) loads only for a live scan. */
const live = async (ctx: ScanContext, o: EntraOptions) => new (await import('./live.js')).EntraLive(ctx, liveOptions(o), IMPACT);

const GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

export const entraOptionsSchema = z
  .object({
    /** a folder of Microsoft Graph / az exports */
    fromDir: z.string().min(1).optional(),
    /** the tenant id (GUID); default: inferred from the exported applications' service principals */
    tenantId: z.string().regex(GUID, 'a tenant id is a GUID (az account show --query tenantId)').optional(),
    /** live: Azure subscriptions whose RBAC role assignments are read (`all`: every one the credential sees) */
    subscriptions: z.union([z.literal('all'), z.array(z.string().regex(GUID, 'a subscription id is a GUID')).min(1)]).optional(),
    // for tests and emulators only (no flag): the Microsoft Graph / Azure Resource Manager roots and the retry policy
    graphEndpoint: z.string().url().optional(),
    armEndpoint: z.string().url().optional(),
    retries: z.number().int().min(0).max(10).optional(),
    retryDelayMs: z.number().int().min(0).optional(),
    requestTimeoutMs: z.number().int().min(1).optional(),
  })
  .strict();
export type EntraOptions = z.infer<typeof entraOptionsSchema>;

export const REQUIRED_PERMISSIONS = [
  'Microsoft Graph application permission Application.Read.All (applications, service principals, federated credentials, owners)',
  'Microsoft Graph application permission Directory.Read.All (owners\u2019 accountEnabled, app role assignments)',
  'Microsoft Graph application permission RoleManagement.Read.Directory (directory role assignments)',
  'Microsoft Graph application permission AuditLog.Read.All (reports/servicePrincipalSignInActivities: last sign-in)',
  'Azure RBAC role Reader on each subscription or management group (az role assignment list --all)',
];

/** Size cap of one export file (a large tenant's servicePrincipals.json is tens of megabytes). */
export const ENTRA_INPUT_LIMITS = { fileBytes: 256 * MiB };

export const FILES: Record<EntraSource, string> = {
  applications: 'applications.json',
  servicePrincipals: 'servicePrincipals.json',
  federatedIdentityCredentials: 'federatedIdentityCredentials',
  owners: 'owners',
  appRoleAssignments: 'appRoleAssignments',
  directoryRoleAssignments: 'directoryRoleAssignments.json',
  signIns: 'servicePrincipalSignInActivities.json',
  roleAssignments: 'roleAssignments.json',
};

export const IMPACT: Record<EntraSource, string> = {
  applications: 'application registrations, their secrets, certificates, federated credentials and owners are not in the report',
  servicePrincipals: 'service principals (enterprise apps, managed identities) and permission names are not in the report',
  federatedIdentityCredentials: 'federated identity credentials (GitHub and other OIDC trusts) are not in the report',
  owners: 'application owners are unknown: identity-unowned makes no claim on those applications',
  appRoleAssignments: 'application permissions (Microsoft Graph and other APIs) are not in the report',
  directoryRoleAssignments: 'directory roles held by service principals are not in the report',
  signIns: 'last sign-in of service principals is unknown: identity-unused makes no claim',
  roleAssignments: 'Azure RBAC role assignments are not in the report',
};

class GraphExportFolder extends ExportFolder {
  constructor(dir: string, maxBytes: number) {
    super(CONNECTOR_ID, dir, maxBytes);
  }

  /** The parsed JSON of `rel`; undefined when absent (`missing`) or unreadable / malformed (noted). */
  json(rel: string, impact: string): unknown | 'missing' {
    const text = this.text(rel, impact);
    if (text === 'missing' || text === undefined) return text;
    try {
      return JSON.parse(text.replace(/^\uFEFF/, ''));
    } catch (err) {
      this.note(rel, `is not valid JSON (${(err as Error).message.split('\n')[0]})`, impact);
      return undefined;
    }
  }

  /** The `value` array of a Graph response (or a plain array, as `az ... --query value` prints it). */
  values<T>(rel: string, impact: string, what: string): T[] | undefined | 'missing' {
    const v = this.json(rel, impact);
    if (v === 'missing' || v === undefined) return v;
    // pages saved one after another (`jq -s .` of every az rest page): flatten their values
    const isPage = (x: unknown) => x !== null && typeof x === 'object' && !Array.isArray(x) && Array.isArray((x as { value?: unknown }).value) && '@odata.context' in x;
    if (Array.isArray(v) && v.length > 0 && v.every(isPage)) {
      if (typeof (v[v.length - 1] as Record<string, unknown>)['@odata.nextLink'] === 'string') this.note(rel, 'ends with a page that has an @odata.nextLink: later pages are missing', impact);
      return (v as Array<{ value: unknown[] }>).flatMap((p) => p.value).filter((x) => x && typeof x === 'object') as T[];
    }
    const arr = Array.isArray(v) ? v : v && typeof v === 'object' && Array.isArray((v as { value?: unknown }).value) ? (v as { value: unknown[] }).value : undefined;
    if (!arr) {
      this.note(rel, `is not ${what} (expected {"value": [...]} or a JSON array)`, impact);
      return undefined;
    }
    if (v && typeof v === 'object' && !Array.isArray(v) && typeof (v as Record<string, unknown>)['@odata.nextLink'] === 'string') {
      this.note(rel, 'holds only some pages (@odata.nextLink is set): follow the nextLink pages and merge them (docs/connectors/entra.md)', impact);
    }
    return arr.filter((x) => x && typeof x === 'object') as T[];
  }

  /** Per-object files in a sub-folder: `{ <object id>: [...] }`; a missing folder is undefined. */
  perObject<T>(rel: string, impact: string, what: string): Record<string, T[]> | undefined {
    const names = this.jsonFilesIn(rel, impact);
    if (names === undefined) return undefined;
    const out: Record<string, T[]> = {};
    for (const name of names) {
      const key = name.replace(/\.json$/, '');
      const v = this.values<T>(`${rel}/${name}`, impact, what);
      if (Array.isArray(v)) out[key] = v;
    }
    return out;
  }
}

export interface EntraFolderRead {
  data: EntraTenantData;
  notes: CoverageNote[];
  label: string;
}

/** Read a folder of exports. Throws NhiError (INPUT / USAGE) only when nothing usable is there or the tenant is unknown. */
export function readEntraFolder(dir: string, tenantId?: string, limits = ENTRA_INPUT_LIMITS): EntraFolderRead {
  const entry = inspectPath(dir);
  if (entry.kind !== 'directory') throw new NhiError('INPUT', `${dir}: not a folder of Microsoft Graph exports`, { suggestion: 'see docs/connectors/entra.md for the layout and the az commands that write it' });
  const f = new GraphExportFolder(dir, limits.fileBytes);
  const optional = <T>(what: EntraSource, desc: string): T[] | undefined => {
    const v = f.values<T>(FILES[what], IMPACT[what], desc);
    if (v === 'missing') {
      f.note(FILES[what], 'is absent', IMPACT[what], false, 'not-found');
      return undefined;
    }
    return v;
  };
  const appsRaw = f.values<EntraTenantData['applications'][number]>(FILES.applications, IMPACT.applications, 'a list of applications');
  const spsRaw = f.values<EntraTenantData['servicePrincipals'][number]>(FILES.servicePrincipals, IMPACT.servicePrincipals, 'a list of service principals');
  if (appsRaw === 'missing' && spsRaw === 'missing') {
    throw new NhiError('INPUT', `${dir}: neither applications.json nor servicePrincipals.json is here`, { suggestion: 'see docs/connectors/entra.md for the layout and the az commands that write it' });
  }
  for (const [what, v] of [['applications', appsRaw], ['servicePrincipals', spsRaw]] as const) {
    if (v === 'missing') f.note(FILES[what], 'is absent', IMPACT[what], true, 'not-found');
  }
  const applications = Array.isArray(appsRaw) ? appsRaw : [];
  const servicePrincipals = Array.isArray(spsRaw) ? spsRaw : [];
  const perObject = <T>(what: EntraSource, desc: string): Record<string, T[]> => {
    const v = f.perObject<T>(FILES[what], IMPACT[what], desc);
    if (v === undefined) {
      f.note(`${FILES[what]}/`, 'is absent', IMPACT[what], false, 'not-found');
      return {};
    }
    return v;
  };
  const federatedCredentials = perObject<EntraTenantData['federatedCredentials'][string][number]>('federatedIdentityCredentials', 'a list of federated identity credentials');
  const owners = perObject<EntraTenantData['owners'][string][number]>('owners', 'a list of owners');
  const appRoleAssignments = perObject<EntraTenantData['appRoleAssignments'][string][number]>('appRoleAssignments', 'a list of app role assignments');
  const tenant = tenantId ?? inferTenant(applications, servicePrincipals);
  if (!tenant) {
    throw new NhiError('USAGE', `${dir}: the tenant id cannot be told from the exports`, { suggestion: 'pass --entra-tenant <tenant id> (az account show --query tenantId -o tsv)' });
  }
  const data: EntraTenantData = {
    tenantId: tenant,
    applications,
    servicePrincipals,
    federatedCredentials,
    owners,
    appRoleAssignments,
    directoryRoleAssignments: optional('directoryRoleAssignments', 'a list of directory role assignments'),
    signIns: optional('signIns', 'a list of sign-in activities'),
    roleAssignments: optional('roleAssignments', 'a list of Azure role assignments'),
  };
  return { data, notes: f.notes, label: f.label };
}

function describeEntra() {
  return {
    title: 'Microsoft Entra ID and Azure RBAC (live: Microsoft Graph and Azure Resource Manager; offline: Graph exports)',
    requiredPermissions: REQUIRED_PERMISSIONS,
    optionalPermissions: [
      { permission: 'Azure RBAC Reader on the subscriptions given to --azure-subscriptions (or on a management group above them)', unlocks: 'Azure RBAC role assignments of service principals and managed identities' },
      { permission: 'Azure RBAC Reader on management groups', unlocks: 'role assignments made above the subscriptions' },
      { permission: 'offline: the same permissions, for whoever runs the az rest / az role assignment list exports', unlocks: 'nhi scan --connector entra --from-file DIR (docs/connectors/entra.md)' },
    ],
    permissionsDocument: {
      credential: 'DefaultAzureCredential: environment (AZURE_CLIENT_ID with AZURE_CLIENT_SECRET or a certificate), workload identity, managed identity, Azure CLI, Azure PowerShell, Azure Developer CLI',
      microsoftGraph: { type: 'application permissions (admin consent)', permissions: ['Application.Read.All', 'Directory.Read.All', 'RoleManagement.Read.Directory', 'AuditLog.Read.All'] },
      azureRbac: { role: 'Reader', scope: '/subscriptions/<id> for each subscription given to --azure-subscriptions (or a management group above them)' },
    },
    options: entraOptionsSchema,
  };
}

function liveOptions(o: EntraOptions): EntraLiveOptions {
  return { tenantId: o.tenantId, subscriptions: o.subscriptions, graphEndpoint: o.graphEndpoint, armEndpoint: o.armEndpoint, retries: o.retries, retryDelayMs: o.retryDelayMs, requestTimeoutMs: o.requestTimeoutMs };
}

export const entraConnector: Connector = {
  id: CONNECTOR_ID,
  describe: describeEntra,
  async validate(ctx) {
    const o = entraOptionsSchema.parse(ctx.options);
    if (o.fromDir) {
      if (o.subscriptions) throw new NhiError('USAGE', '--azure-subscriptions is for live scans: an export folder carries its role assignments in roleAssignments.json');
      readEntraFolder(o.fromDir, o.tenantId);
      return;
    }
    // a token for Microsoft Graph, and the tenant it names: a clear CREDENTIALS error here rather than mid-scan
    await (await live(ctx, o)).tenantId();
  },
  async *scan(ctx: ScanContext): AsyncIterable<GraphRecord> {
    const o = entraOptionsSchema.parse(ctx.options);
    if (!o.fromDir) {
      const { data, notes } = await (await live(ctx, o)).read();
      yield { type: 'target', target: tenantScanTarget(data.tenantId) };
      const source = (what: EntraSource, key?: string) => `${LIVE_SOURCE[what]}${key !== undefined ? `/${key}` : ''}`;
      for (const r of mapEntraTenant(data, { now: ctx.now, source })) yield r;
      for (const n of notes) yield { type: 'coverage', coverage: n };
      return;
    }
    const { data, notes, label } = readEntraFolder(o.fromDir, o.tenantId);
    ctx.progress(`tenant ${data.tenantId}: ${data.applications.length} applications, ${data.servicePrincipals.length} service principals`);
    yield { type: 'target', target: tenantScanTarget(data.tenantId) };
    const source = (what: EntraSource, key?: string) => `file:${label}/${FILES[what]}${key !== undefined ? `/${key}.json` : ''}`;
    for (const r of mapEntraTenant(data, { now: ctx.now, source })) yield r;
    for (const n of notes) yield { type: 'coverage', coverage: { ...n, scope: data.tenantId } };
  },
};

/** Provenance of live facts: the API each came from. */
const LIVE_SOURCE: Record<EntraSource, string> = {
  applications: 'graph:GET /v1.0/applications',
  servicePrincipals: 'graph:GET /v1.0/servicePrincipals',
  federatedIdentityCredentials: 'graph:GET /v1.0/applications/federatedIdentityCredentials',
  owners: 'graph:GET /v1.0/applications/owners',
  appRoleAssignments: 'graph:GET /v1.0/servicePrincipals/appRoleAssignments',
  directoryRoleAssignments: 'graph:GET /v1.0/roleManagement/directory/roleAssignments',
  signIns: 'graph:GET /beta/reports/servicePrincipalSignInActivities',
  roleAssignments: 'arm:Microsoft.Authorization/roleAssignments',
};
