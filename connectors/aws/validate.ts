/**
 * The boundary of the AWS mapping: every record of the authorization details (users, groups, roles, managed
 * policies and their nested lists), every credential-report row and every service last-accessed entity is checked
 * against a schema before the mapping sees it, live or offline. A record that does not fit is skipped with a coverage
 * note naming it; the rest of the account is mapped as usual.
 *
 * Lengths follow IAM's own limits (API reference): names 64 (users, roles) or 128 (groups, policies, instance
 * profiles), paths 512, ARNs 2,048, tag keys 128 and values 256, descriptions 1,000, policy documents 131,072
 * characters. Anything longer cannot have come from IAM, and a multi-megabyte "action" must never reach the policy
 * engine.
 */
import { z } from 'zod';
import { checkRecord, depthWithin, opt, SkipLog } from '../validation.js';
import { decodePolicyDocument, nameOfArn } from './arn.js';
import type { AuthzDetails, AwsData, CredentialReportRow, LastAccessedData, MapSources, ServiceLastAccessedDetails } from './map.js';

export const LIMITS = {
  userName: 64,
  roleName: 64,
  groupName: 128,
  policyName: 128,
  instanceProfileName: 128,
  path: 512,
  arn: 2048,
  id: 128,
  tagKey: 128,
  tagValue: 256,
  tags: 50,
  description: 1000,
  /** PolicyDocument in the IAM API (URL-encoded); also the bound on a decoded document's compact JSON */
  policyDocument: 131_072,
  /** a policy document nests 5 levels (Statement, statement, Condition, operator, values): 32 is far beyond any */
  documentDepth: 32,
  versionId: 64,
  region: 64,
  serviceNamespace: 64,
  serviceName: 256,
  date: 64,
} as const;

const PLATFORM = 'IAM';

const text = (max: number) => z.string().max(max);
const arn = z.string().max(LIMITS.arn).regex(/^arn:[^:\s]*:/, { message: 'is not an ARN' });

/** A date as exports (ISO or boto3 strings) and the SDK (Date objects) give it. */
const date = opt(z.custom<string | Date>((v) => (typeof v === 'string' && v.length <= LIMITS.date) || v instanceof Date, { message: 'is not a date' }));

/**
 * A policy document as IAM or an export carries it: an object, JSON text, or URL-encoded JSON text. It must decode to
 * an object whose compact JSON stays within IAM's document limit, with a Statement that is an object or a list.
 */
const policyDocument = z.unknown().superRefine((v, ctx) => {
  if (v === undefined || v === null) return;
  if (typeof v !== 'string' && (typeof v !== 'object' || Array.isArray(v))) {
    ctx.addIssue({ code: 'custom', message: `is not a policy document (got ${Array.isArray(v) ? 'a list' : typeof v})` });
    return;
  }
  if (typeof v === 'string' && v.length > LIMITS.policyDocument) {
    ctx.addIssue({ code: 'custom', message: `is ${v.length.toLocaleString('en-US')} characters long, more than ${PLATFORM} allows (${LIMITS.policyDocument.toLocaleString('en-US')})` });
    return;
  }
  const doc = decodePolicyDocument(v);
  if (doc === undefined || doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
    if (typeof v === 'string' && v.trim() === '') return;
    ctx.addIssue({ code: 'custom', message: 'is not a policy document (neither JSON nor URL-encoded JSON of an object)' });
    return;
  }
  if (!depthWithin(doc, LIMITS.documentDepth)) {
    ctx.addIssue({ code: 'custom', message: `nests deeper than any policy document (${LIMITS.documentDepth} levels)` });
    return;
  }
  let size: number;
  try {
    size = JSON.stringify(doc).length;
  } catch {
    size = Number.POSITIVE_INFINITY;
  }
  if (size > LIMITS.policyDocument) {
    ctx.addIssue({ code: 'custom', message: `is ${Number.isFinite(size) ? `${size.toLocaleString('en-US')} characters` : 'too large'} as JSON, more than ${PLATFORM} allows (${LIMITS.policyDocument.toLocaleString('en-US')})` });
    return;
  }
  const statement = (doc as Record<string, unknown>).Statement;
  if (statement !== undefined && (statement === null || typeof statement !== 'object')) {
    ctx.addIssue({ code: 'custom', message: `has a Statement that is not an object or a list (got ${statement === null ? 'null' : typeof statement})` });
  }
});

const tag = z.object({ Key: text(LIMITS.tagKey), Value: opt(text(LIMITS.tagValue)) });
const tags = opt(z.array(tag).max(LIMITS.tags));
const attachedPolicy = z.object({ PolicyName: opt(text(LIMITS.policyName)), PolicyArn: opt(arn) });
const inlinePolicy = z.object({ PolicyName: text(LIMITS.policyName), PolicyDocument: policyDocument });
const boundary = z.object({ PermissionsBoundaryType: opt(text(64)), PermissionsBoundaryArn: opt(arn) });

export const userSchema = z.object({
  Path: opt(text(LIMITS.path)),
  UserName: opt(text(LIMITS.userName)),
  UserId: opt(text(LIMITS.id)),
  Arn: arn,
  CreateDate: date,
  UserPolicyList: opt(z.array(inlinePolicy)),
  GroupList: opt(z.array(text(LIMITS.groupName))),
  AttachedManagedPolicies: opt(z.array(attachedPolicy)),
  PermissionsBoundary: opt(boundary),
  Tags: tags,
});

export const groupSchema = z.object({
  Path: opt(text(LIMITS.path)),
  GroupName: opt(text(LIMITS.groupName)),
  GroupId: opt(text(LIMITS.id)),
  Arn: arn,
  CreateDate: date,
  GroupPolicyList: opt(z.array(inlinePolicy)),
  AttachedManagedPolicies: opt(z.array(attachedPolicy)),
});

export const roleSchema = z.object({
  Path: opt(text(LIMITS.path)),
  RoleName: opt(text(LIMITS.roleName)),
  RoleId: opt(text(LIMITS.id)),
  Arn: arn,
  CreateDate: date,
  AssumeRolePolicyDocument: policyDocument,
  InstanceProfileList: opt(z.array(z.object({ InstanceProfileName: opt(text(LIMITS.instanceProfileName)) }))),
  RolePolicyList: opt(z.array(inlinePolicy)),
  AttachedManagedPolicies: opt(z.array(attachedPolicy)),
  PermissionsBoundary: opt(boundary),
  Tags: tags,
  RoleLastUsed: opt(z.object({ LastUsedDate: date, Region: opt(text(LIMITS.region)) })),
  Description: opt(text(LIMITS.description)),
  MaxSessionDuration: opt(z.number()),
});

export const managedPolicySchema = z.object({
  PolicyName: opt(text(LIMITS.policyName)),
  PolicyId: opt(text(LIMITS.id)),
  Arn: arn,
  Path: opt(text(LIMITS.path)),
  DefaultVersionId: opt(text(LIMITS.versionId)),
  AttachmentCount: opt(z.number()),
  PermissionsBoundaryUsageCount: opt(z.number()),
  IsAttachable: opt(z.boolean()),
  Description: opt(text(LIMITS.description)),
  CreateDate: date,
  UpdateDate: date,
  PolicyVersionList: opt(z.array(z.object({ Document: policyDocument, VersionId: opt(text(LIMITS.versionId)), IsDefaultVersion: opt(z.boolean()), CreateDate: date }))),
});

/** A credential-report row: every cell is text; `user` and `arn` are required. */
export const reportRowSchema = z
  .object({ user: z.string().min(1).max(LIMITS.userName), arn })
  .catchall(z.string().max(LIMITS.arn));

const serviceEntry = z.object({
  ServiceName: opt(text(LIMITS.serviceName)),
  ServiceNamespace: opt(text(LIMITS.serviceNamespace)),
  LastAuthenticated: date,
  LastAuthenticatedEntity: opt(arn),
  LastAuthenticatedRegion: opt(text(LIMITS.region)),
  TotalAuthenticatedEntities: opt(z.number()),
});
export const lastAccessedEntitySchema = z.object({ ServicesLastAccessed: opt(z.array(serviceEntry)), JobCompletionDate: date });

/** `authz.json` from `file:authz.json`; API sources stay as they are. */
export function sourceLabel(source: string): string {
  return source.startsWith('file:') ? source.slice('file:'.length) : source;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function labelOf(raw: unknown, nameKey: string): string | undefined {
  if (raw === null || typeof raw !== 'object') return undefined;
  const r = raw as Record<string, unknown>;
  const name = str(r[nameKey]);
  if (name && name.length <= 256) return name;
  const a = str(r.Arn) ?? str(r.arn);
  return a && a.length <= LIMITS.arn ? nameOfArn(a) || a : undefined;
}

const LISTS = [
  { key: 'UserDetailList', noun: 'user', name: 'UserName', schema: userSchema, impact: 'its grants, group memberships and credentials from the authorization details are missing (the credential report may still list the user)' },
  { key: 'GroupDetailList', noun: 'group', name: 'GroupName', schema: groupSchema, impact: 'its policies do not reach its members' },
  { key: 'RoleDetailList', noun: 'role', name: 'RoleName', schema: roleSchema, impact: 'its trust, grants and last use are missing' },
  { key: 'Policies', noun: 'managed policy', name: 'PolicyName', schema: managedPolicySchema, impact: 'its document is unknown: what it grants is not evaluated' },
] as const;

/**
 * Validate everything read from one account. Returns the data the mapping may trust, and the log of what was skipped.
 * Never throws on any input shape.
 */
export function validateAwsData(data: AwsData, sources: MapSources, log: SkipLog): AwsData {
  const out: AwsData = {};
  const authz = data.authz as unknown;
  if (authz !== undefined && authz !== null) {
    const a: AuthzDetails = {};
    const where = sourceLabel(sources.authz);
    if (typeof authz !== 'object' || Array.isArray(authz)) {
      log.skip({ source: sources.authz, where, list: 'authorization details', at: 'the document', noun: 'document', problem: `is not an object (got ${Array.isArray(authz) ? 'a list' : typeof authz})`, impact: 'no users, groups, roles or policies' });
    } else {
      for (const l of LISTS) {
        const raw = (authz as Record<string, unknown>)[l.key];
        if (raw === undefined || raw === null) continue;
        if (!Array.isArray(raw)) {
          log.skip({ source: sources.authz, where, list: l.key, at: l.key, noun: 'list', problem: `is not a list (got ${typeof raw})`, impact: `no ${l.noun} records` });
          continue;
        }
        const kept: unknown[] = [];
        raw.forEach((rec: unknown, i: number) => {
          const c = checkRecord(l.schema, rec, PLATFORM);
          if (c.ok) kept.push(c.value);
          else log.skip({ source: sources.authz, where, list: l.key, at: `${l.key}[${i}]`, noun: l.noun, label: labelOf(rec, l.name), problem: c.problem, impact: l.impact });
        });
        (a as Record<string, unknown[]>)[l.key] = kept;
      }
    }
    out.authz = a;
  }
  if (data.credentialReport !== undefined && data.credentialReport !== null) {
    const where = sourceLabel(sources.credentialReport);
    const rows: CredentialReportRow[] = [];
    const raw = Array.isArray(data.credentialReport) ? (data.credentialReport as unknown[]) : [];
    raw.forEach((row, i) => {
      const c = checkRecord(reportRowSchema, row, PLATFORM);
      // row numbers as a spreadsheet shows them: the header is row 1
      if (c.ok) rows.push(c.value as CredentialReportRow);
      else log.skip({ source: sources.credentialReport, where, list: 'rows', at: `row ${i + 2}`, noun: 'row', label: labelOf(row, 'user'), problem: c.problem, impact: 'that user\u2019s password, MFA and access keys are unknown' });
    });
    out.credentialReport = rows;
  }
  if (data.accessKeys) out.accessKeys = data.accessKeys;
  const la = data.lastAccessed as unknown;
  if (la !== undefined && la !== null) {
    const where = sourceLabel(sources.lastAccessed);
    const entities: Record<string, ServiceLastAccessedDetails> = {};
    const rawEntities = typeof la === 'object' ? (la as { entities?: unknown }).entities : undefined;
    if (rawEntities !== null && typeof rawEntities === 'object' && !Array.isArray(rawEntities)) {
      for (const [key, value] of Object.entries(rawEntities as Record<string, unknown>)) {
        const at = `entities["${key.length > 80 ? `${key.slice(0, 79)}…` : key}"]`;
        const keyCheck = checkRecord(arn, key, PLATFORM);
        if (!keyCheck.ok) {
          log.skip({ source: sources.lastAccessed, where, list: 'entities', at, noun: 'entity', problem: keyCheck.problem.replace(/^the entry/, 'the key'), impact: 'per-service usage of that principal is unknown' });
          continue;
        }
        const c = checkRecord(lastAccessedEntitySchema, value, PLATFORM);
        if (c.ok) entities[key] = c.value as ServiceLastAccessedDetails;
        else log.skip({ source: sources.lastAccessed, where, list: 'entities', at, noun: 'entity', label: nameOfArn(key), problem: c.problem, impact: 'per-service usage of that principal is unknown' });
      }
    }
    const generatedAt = typeof la === 'object' ? (la as { generatedAt?: unknown }).generatedAt : undefined;
    const result: LastAccessedData = { entities };
    if (typeof generatedAt === 'string' && generatedAt.length <= LIMITS.date) result.generatedAt = generatedAt;
    out.lastAccessed = result;
  }
  return out;
}
