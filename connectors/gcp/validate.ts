/**
 * The boundary of the Google Cloud mapping: every record of a project's data (service accounts, keys, bindings of
 * every policy, roles, workload identity pools and providers, activity, recommendations, insights, ancestors, deny
 * policies) is checked against a schema before the mapping sees it, for gcloud exports and API answers alike. A
 * record that does not fit is skipped with a coverage note naming it; the rest of the project is mapped.
 *
 * Lengths are bounded well above what Google Cloud accepts (an email 254 characters, a display name 100, a resource
 * name a few hundred, a condition expression some thousands), so nothing megabytes long reaches a rule.
 */
import { z } from 'zod';
import { checkRecord, depthWithin, opt, SkipLog } from '../validation.js';
import type { GcpPolicy, GcpProjectData } from './map.js';

export const LIMITS = {
  email: 254,
  name: 1024,
  role: 256,
  member: 2048,
  displayName: 256,
  description: 4096,
  expression: 16_384,
  permission: 256,
  time: 64,
  short: 256,
  mapping: 100,
  /** a deny rule nests 4 levels; nothing Google Cloud returns comes near this */
  depth: 32,
} as const;

const PLATFORM = 'Google Cloud';

const text = (max: number) => z.string().max(max);
/** RFC 3339 timestamps as gcloud and the APIs print them (the mapping reads them as dates). */
const time = opt(text(LIMITS.time));

const serviceAccount = z.object({
  email: z.string().min(3).max(LIMITS.email).regex(/@/, { message: 'is not an email address' }),
  name: opt(text(LIMITS.name)),
  projectId: opt(text(LIMITS.short)),
  uniqueId: opt(text(LIMITS.short)),
  displayName: opt(text(LIMITS.displayName)),
  description: opt(text(LIMITS.description)),
  disabled: opt(z.boolean()),
});

const key = z.object({
  name: z.string().min(1).max(LIMITS.name),
  keyType: opt(text(LIMITS.short)),
  keyOrigin: opt(text(LIMITS.short)),
  keyAlgorithm: opt(text(LIMITS.short)),
  validAfterTime: time,
  validBeforeTime: time,
  disabled: opt(z.boolean()),
});

const binding = z.object({
  role: z.string().min(1).max(LIMITS.role),
  members: opt(z.array(text(LIMITS.member))),
  condition: opt(z.object({ title: opt(text(LIMITS.short)), expression: opt(text(LIMITS.expression)), description: opt(text(LIMITS.description)) })),
});

const role = z.object({
  name: z.string().min(1).max(LIMITS.role),
  title: opt(text(LIMITS.displayName)),
  stage: opt(text(LIMITS.short)),
  includedPermissions: opt(z.array(text(LIMITS.permission))),
});

const pool = z.object({ name: z.string().min(1).max(LIMITS.name), displayName: opt(text(LIMITS.displayName)), disabled: opt(z.boolean()), state: opt(text(LIMITS.short)) });

const provider = z.object({
  name: z.string().min(1).max(LIMITS.name),
  displayName: opt(text(LIMITS.displayName)),
  disabled: opt(z.boolean()),
  state: opt(text(LIMITS.short)),
  attributeMapping: opt(z.record(text(LIMITS.short), text(LIMITS.expression)).refine((m) => Object.keys(m).length <= LIMITS.mapping, { message: `has more than ${LIMITS.mapping} entries` })),
  attributeCondition: opt(text(LIMITS.expression)),
  oidc: opt(z.object({ issuerUri: opt(text(LIMITS.name)), allowedAudiences: opt(z.array(text(LIMITS.name))) })),
});

const activity = z.object({
  fullResourceName: opt(text(LIMITS.name)),
  activity: opt(
    z.object({
      lastAuthenticatedTime: time,
      serviceAccount: opt(z.object({ serviceAccountId: opt(text(LIMITS.short)), fullResourceName: opt(text(LIMITS.name)) })),
      serviceAccountKey: opt(z.object({ fullResourceName: opt(text(LIMITS.name)) })),
    }),
  ),
  observationPeriod: opt(z.object({ startTime: time, endTime: time })),
});

const recommendation = z.object({
  name: opt(text(LIMITS.name)),
  description: opt(text(LIMITS.description)),
  recommenderSubtype: opt(text(LIMITS.short)),
  content: opt(z.object({ overview: opt(z.object({ member: opt(text(LIMITS.member)), removedRole: opt(text(LIMITS.role)), addedRoles: opt(z.array(text(LIMITS.role))), resource: opt(text(LIMITS.name)) })) })),
  stateInfo: opt(z.object({ state: opt(text(LIMITS.short)) })),
  insights: z.unknown().optional(),
});

const insight = z.object({
  name: opt(text(LIMITS.name)),
  insightSubtype: opt(text(LIMITS.short)),
  content: opt(z.object({ email: opt(text(LIMITS.email)), serviceAccountId: opt(text(LIMITS.short)), lastAuthenticatedTime: time })),
  stateInfo: opt(z.object({ state: opt(text(LIMITS.short)) })),
  observationPeriod: opt(z.string().regex(/^\d{1,11}(\.\d+)?s$/, { message: 'is not a duration such as "7776000s"' })),
  lastRefreshTime: time,
});

const ancestor = z.object({
  resource: z.string().max(LIMITS.name).regex(/^(folders|organizations)\/[^/\s]+$/, { message: 'is not folders/ID or organizations/ID' }),
  policy: opt(z.object({ bindings: opt(z.array(z.unknown())), version: z.unknown().optional(), etag: z.unknown().optional() })),
});

const denyRule = z.looseObject({
  denyRule: opt(z.looseObject({ deniedPrincipals: opt(z.array(text(LIMITS.member))), deniedPermissions: opt(z.array(text(LIMITS.permission))) })),
});
const denyPolicy = z.object({
  name: z.string().min(1).max(LIMITS.name),
  displayName: opt(text(LIMITS.displayName)),
  // the rules are kept whole on the deny-policy node: bounded like any document
  rules: opt(z.array(denyRule).refine((r) => depthWithin(r, LIMITS.depth), { message: `nest deeper than ${LIMITS.depth} levels` })),
});

/** Where a kind of data came from, in words and as a provenance source. */
export type Locate = (what: 'serviceAccounts' | 'keys' | 'policy' | 'saPolicy' | 'roles' | 'wif' | 'pools' | 'activity' | 'recommendations' | 'insights' | 'ancestors' | 'deny', key?: string) => { source: string; where: string };

function str(v: unknown, max = 256): string | undefined {
  return typeof v === 'string' && v !== '' && v.length <= max ? v : undefined;
}

function field(rec: unknown, k: string): unknown {
  return rec !== null && typeof rec === 'object' && !Array.isArray(rec) ? (rec as Record<string, unknown>)[k] : undefined;
}

function lastSegment(v: unknown): string | undefined {
  const s = str(v, 2048);
  return s ? s.split('/').pop() : undefined;
}

/**
 * Validate one project's data. Returns what the mapping may trust; what was skipped goes to `log`. Never throws on
 * any input shape.
 */
export function validateGcpProject(d: GcpProjectData, locate: Locate, log: SkipLog, scope: string): GcpProjectData {
  const list = <T>(what: Parameters<Locate>[0], key: string | undefined, listName: string, raw: unknown, schema: z.ZodType<T>, noun: string, labelOf: (r: unknown) => string | undefined, impact: string): T[] => {
    if (raw === undefined || raw === null) return [];
    const { source, where } = locate(what, key);
    if (!Array.isArray(raw)) {
      log.skip({ source, where, list: listName, at: listName, noun: 'list', problem: `${listName ? '' : 'the content '}is not a list (got ${typeof raw})`, scope, impact: `no ${noun} records` });
      return [];
    }
    const out: T[] = [];
    raw.forEach((rec: unknown, i: number) => {
      const c = checkRecord(schema, rec, PLATFORM);
      if (c.ok) out.push(c.value as T);
      else log.skip({ source, where, list: listName, at: `${listName}[${i}]`, noun, label: labelOf(rec), problem: c.problem, scope, impact });
    });
    return out;
  };
  const policy = (what: 'policy' | 'saPolicy' | 'ancestors', key: string | undefined, listPrefix: string, p: unknown): GcpPolicy | undefined => {
    if (p === undefined || p === null) return undefined;
    const { source, where } = locate(what, key);
    if (typeof p !== 'object' || Array.isArray(p)) {
      log.skip({ source, where, list: listPrefix, at: listPrefix, noun: 'policy', problem: `${listPrefix ? '' : 'the policy '}is not an object (got ${Array.isArray(p) ? 'a list' : typeof p})`, scope, impact: 'the bindings of that policy are missing' });
      return undefined;
    }
    const bindings = list(what, key, `${listPrefix}${listPrefix ? '.' : ''}bindings`, (p as { bindings?: unknown }).bindings, binding, 'binding', (r) => str(field(r, 'role')), 'the members of that binding do not get its role in the report');
    return { ...(p as GcpPolicy), bindings };
  };

  const serviceAccounts = list('serviceAccounts', undefined, '', d.serviceAccounts, serviceAccount, 'service account', (r) => str(field(r, 'email')) ?? lastSegment(field(r, 'name')) ?? str(field(r, 'displayName')), 'it is not in the report, nor are its keys');
  const keys: GcpProjectData['keys'] = {};
  for (const [email, ks] of Object.entries(d.keys ?? {})) {
    keys[email] = list('keys', email, '', ks, key, 'key', (r) => lastSegment(field(r, 'name')), 'the key is not in the report');
  }
  const saPolicies: GcpProjectData['saPolicies'] = {};
  for (const [email, p] of Object.entries(d.saPolicies ?? {})) {
    const v = policy('saPolicy', email, '', p);
    if (v) saPolicies[email] = v;
  }
  const ancestors = list('ancestors', undefined, '', d.ancestors, ancestor, 'ancestor', (r) => str(field(r, 'resource')), 'the bindings inherited from it are missing').map((a, i) => {
    const p = policy('ancestors', undefined, `[${i}].policy`, a.policy);
    return p ? { resource: a.resource, policy: p } : { resource: a.resource };
  });
  const out: GcpProjectData = {
    projectId: d.projectId,
    serviceAccounts,
    keys,
    saPolicies,
    roles: list('roles', undefined, '', d.roles, role, 'role', (r) => str(field(r, 'name')), 'its permissions are unknown'),
    pools: list('pools', undefined, '', d.pools, pool, 'workload identity pool', (r) => lastSegment(field(r, 'name')), 'it is not in the report'),
    providers: list('wif', undefined, '', d.providers, provider, 'workload identity provider', (r) => lastSegment(field(r, 'name')), 'it is not in the report: who can federate through it is unknown'),
  };
  if (d.projectNumber !== undefined) out.projectNumber = d.projectNumber;
  if (d.parent !== undefined) out.parent = d.parent;
  const p = policy('policy', undefined, '', d.policy);
  if (p) out.policy = p;
  if (d.ancestors !== undefined) out.ancestors = ancestors;
  const activityImpact = 'last use of that account or key is unknown';
  if (d.saActivity !== undefined) out.saActivity = list('activity', undefined, 'serviceAccounts', d.saActivity, activity, 'activity record', (r) => lastSegment(field(r, 'fullResourceName')), activityImpact);
  if (d.keyActivity !== undefined) out.keyActivity = list('activity', undefined, 'keys', d.keyActivity, activity, 'activity record', (r) => lastSegment(field(r, 'fullResourceName')), activityImpact);
  if (d.recommendations !== undefined) out.recommendations = list('recommendations', undefined, '', d.recommendations, recommendation, 'recommendation', (r) => lastSegment(field(r, 'name')), 'that recommendation is not shown');
  if (d.insights !== undefined) out.insights = list('insights', undefined, '', d.insights, insight, 'insight', (r) => lastSegment(field(r, 'name')), 'that usage insight is not used');
  if (d.denyPolicies !== undefined) out.denyPolicies = list('deny', undefined, '', d.denyPolicies, denyPolicy, 'deny policy', (r) => lastSegment(field(r, 'name')), 'what it denies is not taken into account');
  return out;
}
