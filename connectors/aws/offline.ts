/** Offline inputs: export files read from disk, checked for shape, handed to the mapping layer. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { NhiError } from '../../src/util/errors.js';
import type { AuthzDetails, CredentialReportRow, LastAccessedData, MapSources } from './map.js';
import type { AwsOptions } from './options.js';

export interface OfflineInputs {
  authz?: AuthzDetails;
  credentialReport?: CredentialReportRow[];
  lastAccessed?: LastAccessedData;
}

const AUTHZ_HINT = 'pass the JSON printed by `aws iam get-account-authorization-details --output json`';
const REPORT_HINT = 'pass the decoded CSV: `aws iam get-credential-report --query Content --output text | base64 -d > report.csv`';
const LAST_ACCESSED_HINT = 'see docs/connectors/aws.md for the last-accessed file format';

function oneLine(s: string): string {
  return s.split('\n')[0].trim();
}

function readText(file: string, hint: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'file not found' : code === 'EISDIR' ? 'is a directory' : code ?? 'cannot be read';
    throw new NhiError('INPUT', `${file}: cannot read (${why})`, { suggestion: hint });
  }
}

function readJson(file: string, hint: string): unknown {
  const text = readText(file, hint).replace(/^\uFEFF/, '');
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new NhiError('INPUT', `${file}: not valid JSON (${oneLine(err instanceof Error ? err.message : String(err))})`, { suggestion: hint });
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const AUTHZ_LISTS = ['UserDetailList', 'GroupDetailList', 'RoleDetailList', 'Policies'] as const;

export function readAuthzFile(file: string): AuthzDetails {
  const data = readJson(file, AUTHZ_HINT);
  if (!isObject(data)) {
    throw new NhiError('INPUT', `${file}: expected a JSON object with UserDetailList and RoleDetailList arrays (get-account-authorization-details output)`, { suggestion: AUTHZ_HINT });
  }
  for (const k of AUTHZ_LISTS) {
    if (data[k] !== undefined && !Array.isArray(data[k])) {
      throw new NhiError('INPUT', `${file}: ${k} should be an array, got ${typeof data[k]}`, { suggestion: AUTHZ_HINT });
    }
  }
  if (!Array.isArray(data.UserDetailList) && !Array.isArray(data.RoleDetailList)) {
    throw new NhiError('INPUT', `${file}: no UserDetailList or RoleDetailList array: not get-account-authorization-details output`, { suggestion: AUTHZ_HINT });
  }
  return data as AuthzDetails;
}

/**
 * The credential report as a decoded CSV. Also accepted: the base64 `Content` on its own, or the JSON that
 * `aws iam get-credential-report` prints.
 */
export function readCredentialReportFile(file: string): CredentialReportRow[] {
  let text = readText(file, REPORT_HINT).replace(/^\uFEFF/, '');
  const trimmed = text.trim();
  if (trimmed.startsWith('{')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch (err) {
      throw new NhiError('INPUT', `${file}: not valid JSON (${oneLine(err instanceof Error ? err.message : String(err))})`, { suggestion: REPORT_HINT });
    }
    const content = isObject(parsed) ? parsed.Content : undefined;
    if (typeof content !== 'string') throw new NhiError('INPUT', `${file}: JSON without a Content field: not a credential report`, { suggestion: REPORT_HINT });
    text = Buffer.from(content, 'base64').toString('utf8');
  } else if (/^[A-Za-z0-9+/=\s]+$/.test(trimmed) && !trimmed.includes(',')) {
    text = Buffer.from(trimmed, 'base64').toString('utf8');
  }
  let rows: unknown;
  try {
    rows = parseCsv(text, { columns: true, skip_empty_lines: true, trim: true });
  } catch (err) {
    throw new NhiError('INPUT', `${file}: not a valid CSV (${oneLine(err instanceof Error ? err.message : String(err))})`, { suggestion: REPORT_HINT });
  }
  const list = rows as CredentialReportRow[];
  if (!Array.isArray(list) || (list.length > 0 && (!('user' in list[0]) || !('arn' in list[0])))) {
    throw new NhiError('INPUT', `${file}: expected the IAM credential report CSV (columns user, arn, password_enabled, access_key_1_active, ...)`, { suggestion: REPORT_HINT });
  }
  return list;
}

export function readLastAccessedFile(file: string): LastAccessedData {
  const data = readJson(file, LAST_ACCESSED_HINT);
  if (!isObject(data) || !isObject(data.entities)) {
    throw new NhiError('INPUT', `${file}: expected { "generatedAt": ISO date, "entities": { "<principal arn>": <get-service-last-accessed-details output> } }`, { suggestion: LAST_ACCESSED_HINT });
  }
  for (const [arn, v] of Object.entries(data.entities)) {
    if (!isObject(v) || (v.ServicesLastAccessed !== undefined && !Array.isArray(v.ServicesLastAccessed))) {
      throw new NhiError('INPUT', `${file}: entities["${arn}"] should be an object with a ServicesLastAccessed array`, { suggestion: LAST_ACCESSED_HINT });
    }
  }
  if (data.generatedAt !== undefined && typeof data.generatedAt !== 'string') {
    throw new NhiError('INPUT', `${file}: generatedAt should be an ISO date string`, { suggestion: LAST_ACCESSED_HINT });
  }
  return data as unknown as LastAccessedData;
}

export function readOffline(o: Pick<AwsOptions, 'fromFile' | 'credentialReport' | 'lastAccessed'>): OfflineInputs {
  return {
    authz: o.fromFile ? readAuthzFile(o.fromFile) : undefined,
    credentialReport: o.credentialReport ? readCredentialReportFile(o.credentialReport) : undefined,
    lastAccessed: o.lastAccessed ? readLastAccessedFile(o.lastAccessed) : undefined,
  };
}

export function offlineSources(o: Pick<AwsOptions, 'fromFile' | 'credentialReport' | 'lastAccessed'>): MapSources {
  const f = (p: string | undefined, fallback: string) => (p ? `file:${path.basename(p)}` : fallback);
  const report = f(o.credentialReport, 'file:credential-report');
  return {
    authz: f(o.fromFile, 'file:authorization-details'),
    credentialReport: report,
    accessKeys: report,
    accessKeyLastUsed: report,
    lastAccessed: f(o.lastAccessed, 'file:last-accessed'),
  };
}
