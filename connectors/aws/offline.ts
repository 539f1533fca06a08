/** Offline inputs: export files read from disk (bounded, regular files only), checked for shape, handed to the mapping layer. */
import path from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import type { CoverageNote } from '../../src/model/types.js';
import { MiB, readBounded } from '../../src/util/bounded-read.js';
import { NhiError } from '../../src/util/errors.js';
import { SkipLog } from '../validation.js';
import { CONNECTOR_ID, type AuthzDetails, type CredentialReportRow, type LastAccessedData, type MapSources } from './map.js';
import type { AwsOptions } from './options.js';

export interface OfflineInputs {
  authz?: AuthzDetails;
  credentialReport?: CredentialReportRow[];
  lastAccessed?: LastAccessedData;
  /** what the files lacked or could not give (an empty or cut credential report, unparsable rows) */
  notes: CoverageNote[];
}

/**
 * Size caps of the input files, checked before anything is read. The authorization details of the largest accounts
 * (5,000 roles and users with their policies) stay well below 256 MiB; a larger file could not even be held as one
 * JavaScript string (V8 stops at 512 MiB), so it is refused up front instead of failing half-way. A credential report
 * has one short line per user (at most 5,000): 64 MiB is generous. Internal only: tests pass smaller ones.
 */
export const INPUT_LIMITS = {
  authzBytes: 256 * MiB,
  credentialReportBytes: 64 * MiB,
  lastAccessedBytes: 256 * MiB,
};
export type InputLimits = typeof INPUT_LIMITS;

const AUTHZ_HINT = 'pass the JSON printed by `aws iam get-account-authorization-details --output json`';
const REPORT_HINT = 'pass the decoded CSV: `aws iam get-credential-report --query Content --output text | base64 -d > report.csv`';
const LAST_ACCESSED_HINT = 'see docs/connectors/aws.md for the last-accessed file format';

function oneLine(s: string): string {
  return s.split('\n')[0].trim();
}

function readText(file: string, hint: string, maxBytes: number): string {
  const r = readBounded(file, { maxBytes });
  if (!r.ok) {
    const why = r.problem === 'missing' ? 'file not found' : r.problem === 'directory' ? 'is a directory' : r.reason;
    throw new NhiError('INPUT', `${file}: cannot read (${why})`, { suggestion: hint });
  }
  return r.text;
}

function readJson(file: string, hint: string, maxBytes: number): unknown {
  const text = readText(file, hint, maxBytes);
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

/**
 * The authorization details as a whole: a file that is not that export at all is a usage error (exit 2). The
 * records inside are validated one by one by the mapping (a bad one is skipped with a note, exit 3).
 */
export function readAuthzFile(file: string, maxBytes = INPUT_LIMITS.authzBytes): AuthzDetails {
  const data = readJson(file, AUTHZ_HINT, maxBytes);
  if (!isObject(data)) {
    throw new NhiError('INPUT', `${file}: expected a JSON object with UserDetailList and RoleDetailList arrays (get-account-authorization-details output)`, { suggestion: AUTHZ_HINT });
  }
  for (const k of AUTHZ_LISTS) {
    if (data[k] !== undefined && !Array.isArray(data[k])) {
      throw new NhiError('INPUT', `${file}: ${k} should be an array, got ${data[k] === null ? 'null' : typeof data[k]}`, { suggestion: AUTHZ_HINT });
    }
  }
  if (!Array.isArray(data.UserDetailList) && !Array.isArray(data.RoleDetailList)) {
    throw new NhiError('INPUT', `${file}: no UserDetailList or RoleDetailList array: not get-account-authorization-details output`, { suggestion: AUTHZ_HINT });
  }
  return data as AuthzDetails;
}

function reportNote(file: string, message: string, impact: string, incomplete: boolean): CoverageNote {
  return { connector: CONNECTOR_ID, source: `file:${path.basename(file)}`, reason: 'invalid-input', message, impact, incomplete };
}

/**
 * The credential report as a decoded CSV. Also accepted: the base64 `Content` on its own, or the JSON that
 * `aws iam get-credential-report` prints. A file that is not a credential report at all is a usage error; an empty,
 * header-only or cut-short report is read as far as it goes, with coverage notes saying what is missing.
 */
export function readCredentialReportFile(file: string, maxBytes = INPUT_LIMITS.credentialReportBytes): { rows: CredentialReportRow[]; notes: CoverageNote[] } {
  const name = path.basename(file);
  let text = readText(file, REPORT_HINT, maxBytes);
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
  if (text.trim() === '') {
    return {
      rows: [],
      notes: [reportNote(file, `${name} is empty: it holds no credential report`, 'passwords, MFA, access keys and the root user are unknown: no credential checks', true)],
    };
  }
  const unparsable: Array<{ line: number; what: string }> = [];
  let records: Array<{ record: string[]; info: { lines: number } }>;
  try {
    records = parseCsv(text, {
      skip_empty_lines: true,
      trim: true,
      relax_column_count: true,
      skip_records_with_error: true,
      info: true,
      on_skip: (err: { lines?: number; message?: string } | undefined) => {
        unparsable.push({ line: err?.lines ?? 0, what: oneLine(err?.message ?? 'not valid CSV') });
      },
    }) as unknown as Array<{ record: string[]; info: { lines: number } }>;
  } catch (err) {
    throw new NhiError('INPUT', `${file}: not a valid CSV (${oneLine(err instanceof Error ? err.message : String(err))})`, { suggestion: REPORT_HINT });
  }
  const header = records[0]?.record ?? [];
  if (!header.includes('user') || !header.includes('arn')) {
    throw new NhiError('INPUT', `${file}: expected the IAM credential report CSV (columns user, arn, password_enabled, access_key_1_active, ...)`, { suggestion: REPORT_HINT });
  }
  const notes: CoverageNote[] = [];
  const log = new SkipLog(CONNECTOR_ID);
  const source = `file:${name}`;
  const rows: CredentialReportRow[] = [];
  for (const { record, info } of records.slice(1)) {
    if (record.length !== header.length) {
      const userAt = header.indexOf('user');
      log.skip({
        source,
        where: name,
        list: 'rows',
        at: `line ${info.lines}`,
        noun: 'row',
        label: record[userAt],
        problem: record.length < header.length ? `has ${record.length} of the ${header.length} columns (the file looks cut short)` : `has ${record.length} columns, the header ${header.length}`,
        impact: 'that user\u2019s password, MFA and access keys are unknown',
      });
      continue;
    }
    const row: CredentialReportRow = {};
    header.forEach((h, i) => {
      row[h] = record[i];
    });
    rows.push(row);
  }
  if (unparsable.length > 0) {
    const first = unparsable[0];
    notes.push(reportNote(file, `${name}: ${unparsable.length} ${unparsable.length === 1 ? 'record is' : 'records are'} not valid CSV and were skipped (first at line ${first.line}: ${first.what})`, 'the users on those lines have no password, MFA or access key data', true));
  }
  notes.push(...log.notes());
  if (records.length === 1 && unparsable.length === 0) {
    notes.push(reportNote(file, `${name} has the header but no rows: the report is empty or was cut short (AWS always lists the root user)`, 'passwords, MFA, access keys and the root user are unknown: no credential checks', true));
  } else if (!rows.some((r) => r.user === '<root_account>')) {
    notes.push(reportNote(file, `${name} has no <root_account> row: AWS always lists the root user first, so the report may have been cut or filtered`, 'root user checks (root access keys, root MFA) do not run', false));
  }
  return { rows, notes };
}

/** The last-accessed file as a whole; its entities are validated one by one by the mapping. */
export function readLastAccessedFile(file: string, maxBytes = INPUT_LIMITS.lastAccessedBytes): LastAccessedData {
  const data = readJson(file, LAST_ACCESSED_HINT, maxBytes);
  if (!isObject(data) || !isObject(data.entities)) {
    throw new NhiError('INPUT', `${file}: expected { "generatedAt": ISO date, "entities": { "<principal arn>": <get-service-last-accessed-details output> } }`, { suggestion: LAST_ACCESSED_HINT });
  }
  if (data.generatedAt !== undefined && typeof data.generatedAt !== 'string') {
    throw new NhiError('INPUT', `${file}: generatedAt should be an ISO date string`, { suggestion: LAST_ACCESSED_HINT });
  }
  return data as unknown as LastAccessedData;
}

export function readOffline(o: Pick<AwsOptions, 'fromFile' | 'credentialReport' | 'lastAccessed'>, limits: InputLimits = INPUT_LIMITS): OfflineInputs {
  const report = o.credentialReport ? readCredentialReportFile(o.credentialReport, limits.credentialReportBytes) : undefined;
  return {
    authz: o.fromFile ? readAuthzFile(o.fromFile, limits.authzBytes) : undefined,
    credentialReport: report?.rows,
    lastAccessed: o.lastAccessed ? readLastAccessedFile(o.lastAccessed, limits.lastAccessedBytes) : undefined,
    notes: report?.notes ?? [],
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

/** Informational notes for the export files a scan was not given. */
export function offlineNotes(o: Pick<AwsOptions, 'fromFile' | 'credentialReport' | 'lastAccessed'>): CoverageNote[] {
  const notes: CoverageNote[] = [];
  if (!o.fromFile) {
    notes.push({
      connector: CONNECTOR_ID,
      source: 'file:authorization-details',
      reason: 'invalid-input',
      message: 'no authorization details file (--from-file): roles, groups and policies are not in the scan',
      impact: 'only users and credentials from the credential report; no grants, no trust policies',
      incomplete: false,
    });
  }
  if (!o.credentialReport) {
    notes.push({
      connector: CONNECTOR_ID,
      source: 'file:credential-report',
      reason: 'invalid-input',
      message: 'no credential report file (--credential-report): access keys, passwords and MFA are unknown',
      impact: 'no credential checks; users show accountType unknown',
      incomplete: false,
    });
  }
  if (!o.lastAccessed) {
    notes.push({
      connector: CONNECTOR_ID,
      source: 'file:last-accessed',
      reason: 'invalid-input',
      message: 'no service last-accessed file (--last-accessed): per-service usage is unknown',
      impact: 'unused-service checks do not run',
      incomplete: false,
    });
  }
  return notes;
}
