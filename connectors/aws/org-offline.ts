/**
 * `nhi scan --connector aws --from-file DIR` on an organisation export: DIR holds organization.json (the organisation
 * as the Organizations API returns it, see docs/connectors/aws.md) and one sub-folder per account id with that
 * account's export files under well-known names. A bad organization.json stops the scan (usage error, exit 2); an
 * account folder that is missing, unreadable or malformed is a coverage note naming the account, and the other
 * accounts complete.
 */
import path from 'node:path';
import type { ScanContext } from '../../src/engine/types.js';
import type { CoverageNote, GraphRecord } from '../../src/model/types.js';
import { inspectPath, MiB, readBounded } from '../../src/util/bounded-read.js';
import { NhiError } from '../../src/util/errors.js';
import { accountTarget } from './live.js';
import { CONNECTOR_ID, mapAws, type MapSources } from './map.js';
import { readOffline } from './offline.js';
import { isActiveAccount, normaliseOrganization, OrganizationShapeError } from './org-export.js';
import { mapOrganization, type OrganizationExport } from './organization.js';

/** The files of one account folder (`DIR/<account id>/`), by well-known name; any one of them is enough. */
export const ACCOUNT_FILES = {
  authz: 'authorization-details.json',
  credentialReport: 'credential-report.csv',
  lastAccessed: 'last-accessed.json',
} as const;

export const ORGANIZATION_FILE = 'organization.json';
const ORG_HINT = 'see docs/connectors/aws.md, "Organisation", for the commands that write organization.json';
/** Thousands of accounts, OUs and policies with their documents stay far below this. */
const ORG_MAX_BYTES = 64 * MiB;

/** organization.json of an export folder, checked and normalised; anything wrong is a usage error (exit 2). */
export function readOrganizationFolder(dir: string, maxBytes = ORG_MAX_BYTES): OrganizationExport {
  const file = path.join(dir, ORGANIZATION_FILE);
  const r = readBounded(file, { maxBytes });
  if (!r.ok) throw new NhiError('INPUT', `${file}: cannot read (${r.problem === 'missing' ? 'file not found' : r.reason})`, { suggestion: ORG_HINT });
  let data: unknown;
  try {
    data = JSON.parse(r.text);
  } catch (err) {
    throw new NhiError('INPUT', `${file}: not valid JSON (${(err instanceof Error ? err.message : String(err)).split('\n')[0]})`, { suggestion: ORG_HINT });
  }
  try {
    return normaliseOrganization(data, ORGANIZATION_FILE);
  } catch (err) {
    if (err instanceof OrganizationShapeError) throw new NhiError('INPUT', `${path.join(dir, err.message)}`, { suggestion: ORG_HINT });
    throw err;
  }
}

function accountNote(id: string, source: string, message: string, impact: string, incomplete = true): CoverageNote {
  return { connector: CONNECTOR_ID, source, reason: 'invalid-input', message, impact, incomplete, scope: id };
}

/** One account's folder: its records, or the note saying why it is not in the scan. */
function readAccount(dir: string, id: string, ctx: ScanContext): { records: GraphRecord[]; notes: CoverageNote[] } | { failed: CoverageNote } {
  const folder = path.join(dir, id);
  const entry = inspectPath(folder);
  const gone = 'the identities of that account are not in the scan';
  if (entry.kind !== 'directory') {
    const why = entry.kind === 'missing' ? 'has no folder in the export' : entry.kind === 'file' ? 'is a file, not a folder' : entry.kind === 'special' ? `is ${entry.what}, not a folder` : 'cannot be read';
    return { failed: accountNote(id, `file:${id}`, `account ${id} ${why}: not scanned`, gone) };
  }
  const present = (name: string) => inspectPath(path.join(folder, name)).kind !== 'missing';
  const files = {
    fromFile: present(ACCOUNT_FILES.authz) ? path.join(folder, ACCOUNT_FILES.authz) : undefined,
    credentialReport: present(ACCOUNT_FILES.credentialReport) ? path.join(folder, ACCOUNT_FILES.credentialReport) : undefined,
    lastAccessed: present(ACCOUNT_FILES.lastAccessed) ? path.join(folder, ACCOUNT_FILES.lastAccessed) : undefined,
  };
  if (!files.fromFile && !files.credentialReport && !files.lastAccessed) {
    return { failed: accountNote(id, `file:${id}`, `account ${id}: the folder holds none of ${Object.values(ACCOUNT_FILES).join(', ')}: not scanned`, gone) };
  }
  let inputs;
  try {
    inputs = readOffline(files);
  } catch (err) {
    // the file names a path inside the export; the message is one line already
    const message = err instanceof NhiError ? err.message.replace(`${folder}${path.sep}`, `${id}/`) : String(err);
    return { failed: accountNote(id, `file:${id}`, `account ${id} was not scanned: ${message}`, gone) };
  }
  const src = (name: string) => `file:${id}/${name}`;
  const sources: MapSources = {
    authz: src(ACCOUNT_FILES.authz),
    credentialReport: src(ACCOUNT_FILES.credentialReport),
    accessKeys: src(ACCOUNT_FILES.credentialReport),
    accessKeyLastUsed: src(ACCOUNT_FILES.credentialReport),
    lastAccessed: src(ACCOUNT_FILES.lastAccessed),
  };
  const records = mapAws(inputs, { now: ctx.now, sources });
  const notes: CoverageNote[] = inputs.notes.map((n) => ({ ...n, scope: n.scope ?? id }));
  const missing: Array<[string, string]> = [];
  if (!files.fromFile) missing.push([ACCOUNT_FILES.authz, 'roles, groups and policies are not in the scan']);
  if (!files.credentialReport) missing.push([ACCOUNT_FILES.credentialReport, 'no credential checks; users show accountType unknown']);
  if (!files.lastAccessed) missing.push([ACCOUNT_FILES.lastAccessed, 'unused-service checks do not run']);
  for (const [name, impact] of missing) notes.push(accountNote(id, src(name), `account ${id}: no ${name}`, impact, false));
  return { records, notes };
}

export async function* scanOrganizationOffline(ctx: ScanContext, dir: string): AsyncGenerator<GraphRecord> {
  ctx.progress(`reading ${ORGANIZATION_FILE}`);
  const org = readOrganizationFolder(dir);
  const active = org.Accounts.filter(isActiveAccount);
  const scanned: string[] = [];
  const notes: CoverageNote[] = [];
  let done = 0;
  for (const a of active) {
    const r = readAccount(dir, a.Id, ctx);
    done++;
    // a target only for an account that was read: one that failed keeps its previous snapshot's identities for drift
    if ('failed' in r) {
      yield { type: 'coverage', coverage: r.failed };
      ctx.progress(`account ${a.Id}: not scanned [${done}/${active.length}]`, { milestone: true });
      continue;
    }
    scanned.push(a.Id);
    yield { type: 'target', target: accountTarget(a.Id) };
    for (const rec of r.records) yield rec;
    for (const n of r.notes) yield { type: 'coverage', coverage: n };
    ctx.progress(`account ${a.Id}: ${r.records.length} records [${done}/${active.length}]`, { milestone: true });
  }
  const inactive = org.Accounts.length - active.length;
  if (inactive > 0) notes.push({ connector: CONNECTOR_ID, source: `file:${ORGANIZATION_FILE}`, reason: 'unsupported', message: `organisation: ${inactive} account(s) are not ACTIVE and were not scanned`, impact: 'their identities are not in the scan', incomplete: false });
  const mapped = mapOrganization(org, { now: ctx.now, source: `file:${ORGANIZATION_FILE}`, scannedAccounts: scanned });
  for (const r of mapped.records) yield r;
  for (const n of [...notes, ...mapped.notes]) yield { type: 'coverage', coverage: n };
}
