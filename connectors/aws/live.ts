/**
 * The live path: reads one AWS account through @aws-sdk/client-iam and hands what it read to the mapping layer.
 * Every HTTP request (retries included) is counted; what cannot be read becomes a coverage note.
 */
import {
  GenerateCredentialReportCommand,
  GenerateServiceLastAccessedDetailsCommand,
  GetAccessKeyLastUsedCommand,
  GetAccountAuthorizationDetailsCommand,
  GetCredentialReportCommand,
  GetServiceLastAccessedDetailsCommand,
  IAMClient,
  ListAccessKeysCommand,
  type IAMClientConfig,
} from '@aws-sdk/client-iam';
import { fromIni, fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import { parse as parseCsv } from 'csv-parse/sync';
import pLimit from 'p-limit';
import type { CallCounter, ScanContext } from '../../src/engine/types.js';
import type { CoverageNote, CoverageReason, GraphRecord } from '../../src/model/types.js';
import { describeError, NhiError } from '../../src/util/errors.js';
import { CONNECTOR_ID, mapAws, type AuthzDetails, type CredentialReportRow, type LiveAccessKey, type MapSources, type ServiceLastAccessedDetails } from './map.js';
import type { AwsOptions } from './options.js';
import { sleep } from '../../src/util/sleep.js';

export const LIVE_SOURCES: MapSources = {
  authz: 'iam:GetAccountAuthorizationDetails',
  credentialReport: 'iam:GetCredentialReport',
  accessKeys: 'iam:ListAccessKeys',
  accessKeyLastUsed: 'iam:GetAccessKeyLastUsed',
  lastAccessed: 'iam:GetServiceLastAccessedDetails',
};

export const CREDENTIALS_SUGGESTION =
  'run `aws configure` (or `aws sso login`), pass --profile NAME or set AWS_PROFILE, or use --role-arn to assume an audit role; `nhi scan --demo` needs no credentials';

/** One IAM client for the scan: region, endpoint, credentials, retries, and a call counter on every HTTP attempt. */
export function createIamClient(o: AwsOptions, calls?: CallCounter): IAMClient {
  // the SDK warns on stderr about Node 20 support ending in future SDK releases; not actionable for nhi users
  // (the SDK version is pinned) and stderr carries our progress, so opt out unless the user set it themselves
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const region = o.region ?? 'us-east-1';
  const config: IAMClientConfig = { region, maxAttempts: o.maxAttempts, retryMode: 'standard' };
  if (o.endpoint) config.endpoint = o.endpoint;
  if (o.roleArn) {
    config.credentials = fromTemporaryCredentials({
      params: { RoleArn: o.roleArn, RoleSessionName: 'nhi-drift', ...(o.externalId ? { ExternalId: o.externalId } : {}) },
      ...(o.profile ? { masterCredentials: fromIni({ profile: o.profile }) } : {}),
      clientConfig: { region },
    });
  } else if (o.profile) {
    config.credentials = fromIni({ profile: o.profile });
  }
  const client = new IAMClient(config);
  if (calls) {
    // finalizeRequest, low priority: inside the retry middleware, so every attempt is counted
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const name = String((context as { commandName?: string }).commandName ?? 'Unknown').replace(/Command$/, '');
        calls.count(`iam:${name}`);
        return next(args);
      },
      { step: 'finalizeRequest', priority: 'low', name: 'nhiCallCounter' },
    );
  }
  return client;
}

/** Resolve credentials once (no IAM call); a failure is a CREDENTIALS error with what to do next. */
export async function checkCredentials(o: AwsOptions): Promise<void> {
  const client = createIamClient(o);
  try {
    await client.config.credentials();
  } catch (err) {
    throw new NhiError('CREDENTIALS', `no usable AWS credentials: ${describeError(err)}`, { suggestion: CREDENTIALS_SUGGESTION });
  } finally {
    client.destroy();
  }
}

const DENIED = new Set(['AccessDenied', 'AccessDeniedException', 'UnauthorizedOperation', 'UnauthorizedAccess']);
const THROTTLED = new Set(['Throttling', 'ThrottlingException', 'TooManyRequestsException', 'RequestLimitExceeded', 'RequestThrottled', 'LimitExceededException']);

interface ErrInfo {
  reason: CoverageReason;
  name: string;
  text: string;
}

export function classifyError(err: unknown): ErrInfo {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
  const name = e?.name ?? 'Error';
  const status = e?.$metadata?.httpStatusCode;
  const reason: CoverageReason = DENIED.has(name) || status === 403 ? 'permission-denied' : THROTTLED.has(name) || status === 429 ? 'throttled' : 'error';
  return { reason, name, text: describeError(err) };
}

function errName(err: unknown): string {
  return (err as { name?: string })?.name ?? '';
}

/** Wait before poll number `attempt` (0-based): short at first, growing to the configured interval. */
export function pollDelay(attempt: number, maxMs: number): number {
  return Math.min(maxMs, 250 * 2 ** attempt);
}


/** Failures of one operation, folded into one coverage note however many calls failed. */
class FailureLog {
  private readonly byOp = new Map<string, { info: ErrInfo; count: number; subjects: string[] }>();
  /** operations denied once: permissions are account-wide, so the remaining calls are skipped */
  readonly denied = new Set<string>();

  record(op: string, subject: string, err: unknown): ErrInfo {
    const info = classifyError(err);
    if (info.reason === 'permission-denied') this.denied.add(op);
    const key = `${op}|${info.reason}`;
    const cur = this.byOp.get(key);
    if (cur) {
      cur.count++;
      if (cur.subjects.length < 3) cur.subjects.push(subject);
    } else this.byOp.set(key, { info, count: 1, subjects: [subject] });
    return info;
  }

  notes(impactFor: (op: string) => { impact: string; incomplete: boolean }, scope?: string): CoverageNote[] {
    const out: CoverageNote[] = [];
    for (const [key, { info, count, subjects }] of this.byOp) {
      const op = key.split('|')[0];
      const what =
        info.reason === 'permission-denied'
          ? `iam:${op} was denied (${info.name}); grant iam:${op} to read it`
          : info.reason === 'throttled'
            ? `iam:${op} stayed throttled after retries (${info.name})`
            : `iam:${op} failed (${info.name}: ${info.text})`;
      const where = count > 1 ? ` for ${count} calls (first: ${subjects.join(', ')})` : subjects[0] ? ` for ${subjects[0]}` : '';
      const { impact, incomplete } = impactFor(op);
      const note: CoverageNote = { connector: CONNECTOR_ID, source: `iam:${op}`, reason: info.reason, message: `${what}${where}`.replace(/\s+/g, ' '), impact, incomplete };
      if (scope) note.scope = scope;
      out.push(note);
    }
    return out;
  }
}

interface LiveState {
  client: IAMClient;
  ctx: ScanContext;
  o: AwsOptions;
  failures: FailureLog;
  extraNotes: CoverageNote[];
}

async function readAuthz(s: LiveState): Promise<AuthzDetails> {
  const out: Required<AuthzDetails> = { UserDetailList: [], GroupDetailList: [], RoleDetailList: [], Policies: [] };
  let marker: string | undefined;
  let pages = 0;
  do {
    let r;
    try {
      r = await s.client.send(new GetAccountAuthorizationDetailsCommand({ MaxItems: 1000, Marker: marker }), { abortSignal: s.ctx.signal });
    } catch (err) {
      const info = classifyError(err);
      const hint = info.reason === 'permission-denied' ? ' (grant iam:GetAccountAuthorizationDetails; see `nhi permissions aws`)' : '';
      throw new NhiError('INTERNAL', `iam:GetAccountAuthorizationDetails failed: ${info.name}: ${info.text}${hint}`, { cause: err });
    }
    pages++;
    out.UserDetailList.push(...(r.UserDetailList ?? []));
    out.GroupDetailList.push(...(r.GroupDetailList ?? []));
    out.RoleDetailList.push(...(r.RoleDetailList ?? []));
    out.Policies.push(...(r.Policies ?? []));
    marker = r.IsTruncated ? r.Marker : undefined;
    s.ctx.log.debug(`aws: authorization details page ${pages}: ${out.UserDetailList.length} users, ${out.RoleDetailList.length} roles so far`);
  } while (marker);
  return out;
}

const REPORT_NOT_READY = new Set(['CredentialReportNotReadyException', 'CredentialReportNotPresentException', 'CredentialReportExpiredException', 'ReportInProgress', 'ReportNotPresent', 'ReportExpired']);

async function readCredentialReport(s: LiveState): Promise<CredentialReportRow[] | undefined> {
  const { client, ctx, o } = s;
  const deadline = Date.now() + o.pollTimeoutMs;
  for (let attempt = 0; ; attempt++) {
    let state: string | undefined;
    try {
      state = (await client.send(new GenerateCredentialReportCommand({}), { abortSignal: ctx.signal })).State;
    } catch (err) {
      s.failures.record('GenerateCredentialReport', 'the account', err);
      return undefined;
    }
    ctx.log.debug(`aws: credential report ${state ?? 'unknown state'}`);
    if (state === 'COMPLETE') {
      try {
        const r = await client.send(new GetCredentialReportCommand({}), { abortSignal: ctx.signal });
        if (!r.Content) throw new Error('the report has no content');
        const text = Buffer.from(r.Content).toString('utf8');
        return parseCsv(text, { columns: true, skip_empty_lines: true, trim: true }) as CredentialReportRow[];
      } catch (err) {
        if (!REPORT_NOT_READY.has(errName(err))) {
          s.failures.record('GetCredentialReport', 'the account', err);
          return undefined;
        }
      }
    }
    if (Date.now() + pollDelay(attempt, o.pollIntervalMs) > deadline) {
      s.extraNotes.push({
        connector: CONNECTOR_ID,
        source: 'iam:GetCredentialReport',
        reason: 'unavailable',
        message: `the credential report was not ready after ${Math.round(o.pollTimeoutMs / 1000)} s (${attempt + 1} polls)`,
        impact: 'access keys, console passwords and MFA status come only from what other calls return; users show accountType unknown',
        incomplete: true,
      });
      return undefined;
    }
    await sleep(pollDelay(attempt, o.pollIntervalMs), ctx.signal);
  }
}

async function readAccessKeys(s: LiveState, users: Array<{ UserName?: string; Arn?: string }>): Promise<Map<string, LiveAccessKey[]>> {
  const { client, ctx, failures } = s;
  const limit = pLimit(ctx.concurrency);
  const result = new Map<string, LiveAccessKey[]>();
  await Promise.all(
    users.map((u) =>
      limit(async () => {
        if (!u.UserName || !u.Arn || failures.denied.has('ListAccessKeys')) return;
        const keys: LiveAccessKey[] = [];
        let marker: string | undefined;
        try {
          do {
            const r = await client.send(new ListAccessKeysCommand({ UserName: u.UserName, Marker: marker }), { abortSignal: ctx.signal });
            for (const k of r.AccessKeyMetadata ?? []) if (k.AccessKeyId) keys.push({ AccessKeyId: k.AccessKeyId, Status: k.Status, CreateDate: k.CreateDate });
            marker = r.IsTruncated ? r.Marker : undefined;
          } while (marker);
        } catch (err) {
          if (errName(err) === 'NoSuchEntity' || errName(err) === 'NoSuchEntityException') {
            ctx.log.debug(`aws: user ${u.UserName} disappeared during the scan`);
            return;
          }
          failures.record('ListAccessKeys', u.UserName, err);
          return;
        }
        result.set(u.Arn, keys);
      }),
    ),
  );
  const all = [...result.values()].flat();
  if (all.length) ctx.progress(`reading last use of ${all.length} access keys`);
  await Promise.all(
    all.map((k) =>
      limit(async () => {
        if (failures.denied.has('GetAccessKeyLastUsed')) return;
        try {
          const r = await client.send(new GetAccessKeyLastUsedCommand({ AccessKeyId: k.AccessKeyId }), { abortSignal: ctx.signal });
          k.lastUsed = { LastUsedDate: r.AccessKeyLastUsed?.LastUsedDate, ServiceName: r.AccessKeyLastUsed?.ServiceName, Region: r.AccessKeyLastUsed?.Region };
        } catch (err) {
          failures.record('GetAccessKeyLastUsed', k.AccessKeyId, err);
        }
      }),
    ),
  );
  return result;
}

/**
 * Service last-accessed data for many principals. All jobs are started first (bounded concurrency), then polled in
 * rounds, so the waiting overlaps: the scan waits about as long as the slowest job, not the sum of all jobs.
 */
async function readLastAccessed(s: LiveState, arns: string[]): Promise<Record<string, ServiceLastAccessedDetails>> {
  const { client, ctx, o, failures } = s;
  const limit = pLimit(o.lastAccessedConcurrency);
  const denied = () => failures.denied.has('GenerateServiceLastAccessedDetails') || failures.denied.has('GetServiceLastAccessedDetails');
  const jobs = new Map<string, string>(); // arn -> job id
  await Promise.all(
    arns.map((arn) =>
      limit(async () => {
        if (denied()) return;
        try {
          const r = await client.send(new GenerateServiceLastAccessedDetailsCommand({ Arn: arn, Granularity: 'SERVICE_LEVEL' }), { abortSignal: ctx.signal });
          if (r.JobId) jobs.set(arn, r.JobId);
        } catch (err) {
          if (errName(err) !== 'NoSuchEntity' && errName(err) !== 'NoSuchEntityException') failures.record('GenerateServiceLastAccessedDetails', arn, err);
        }
      }),
    ),
  );
  const out: Record<string, ServiceLastAccessedDetails> = {};
  const deadline = Date.now() + o.pollTimeoutMs;
  let pending = [...jobs.entries()];
  let round = 0;
  while (pending.length > 0 && !denied()) {
    if (round > 0) await sleep(pollDelay(round - 1, o.pollIntervalMs), ctx.signal);
    round++;
    const still: Array<[string, string]> = [];
    await Promise.all(
      pending.map(([arn, jobId]) =>
        limit(async () => {
          if (denied()) return;
          try {
            let r = await client.send(new GetServiceLastAccessedDetailsCommand({ JobId: jobId }), { abortSignal: ctx.signal });
            if (r.JobStatus === 'COMPLETED') {
              const services = [...(r.ServicesLastAccessed ?? [])];
              while (r.IsTruncated && r.Marker) {
                r = await client.send(new GetServiceLastAccessedDetailsCommand({ JobId: jobId, Marker: r.Marker }), { abortSignal: ctx.signal });
                services.push(...(r.ServicesLastAccessed ?? []));
              }
              out[arn] = { ServicesLastAccessed: services, JobCompletionDate: r.JobCompletionDate };
            } else if (r.JobStatus === 'FAILED') {
              const e = new Error(r.Error?.Message ?? 'the job failed');
              e.name = r.Error?.Code ?? 'JobFailed';
              failures.record('GetServiceLastAccessedDetails', arn, e);
            } else {
              still.push([arn, jobId]);
            }
          } catch (err) {
            failures.record('GetServiceLastAccessedDetails', arn, err);
          }
        }),
      ),
    );
    pending = still;
    if (pending.length > 0) ctx.progress(`service last accessed: ${jobs.size - pending.length}/${jobs.size} jobs complete`);
    if (pending.length > 0 && Date.now() + pollDelay(round - 1, o.pollIntervalMs) > deadline) {
      for (const [arn, jobId] of pending) {
        const e = new Error(`job ${jobId} still in progress after ${Math.round(o.pollTimeoutMs / 1000)} s`);
        e.name = 'Timeout';
        failures.record('GetServiceLastAccessedDetails', arn, e);
      }
      break;
    }
  }
  return out;
}

function impactOf(op: string, haveReport: boolean): { impact: string; incomplete: boolean } {
  switch (op) {
    case 'GenerateCredentialReport':
    case 'GetCredentialReport':
      return { impact: 'console passwords, MFA status, signing certificates and report-based key data are missing; users show accountType unknown', incomplete: true };
    case 'ListAccessKeys':
      return haveReport
        ? { impact: 'access keys of the affected users appear by credential-report slot (no key id)', incomplete: true }
        : { impact: 'access keys of the affected users are not in the report', incomplete: true };
    case 'GetAccessKeyLastUsed':
      return haveReport
        ? { impact: 'last use of the affected keys comes from the credential report instead', incomplete: false }
        : { impact: 'last use of the affected access keys is unknown', incomplete: true };
    case 'GenerateServiceLastAccessedDetails':
    case 'GetServiceLastAccessedDetails':
      return { impact: 'per-service last access of the affected principals is missing (unused-service checks cannot run for them)', incomplete: true };
    default:
      return { impact: 'some data is missing', incomplete: true };
  }
}

export async function* scanLive(ctx: ScanContext, o: AwsOptions): AsyncGenerator<GraphRecord> {
  const client = createIamClient(o, ctx.calls);
  const s: LiveState = { client, ctx, o, failures: new FailureLog(), extraNotes: [] };
  try {
    ctx.progress('reading account authorization details');
    const authz = await readAuthz(s);
    const users = authz.UserDetailList ?? [];
    const roles = authz.RoleDetailList ?? [];
    const groups = authz.GroupDetailList ?? [];
    ctx.progress(`${users.length} users, ${roles.length} roles, ${groups.length} groups, ${(authz.Policies ?? []).length} managed policies`);

    // the credential report, the access keys and the last-accessed jobs do not depend on each other: their waits overlap
    ctx.progress('credential report, access keys and service last-accessed jobs');
    const lastAccessedArns = o.serviceLastAccessed ? [...users, ...roles, ...groups].map((p) => p.Arn).filter((a): a is string => Boolean(a)) : [];
    const [credentialReport, accessKeys, entities] = await Promise.all([
      readCredentialReport(s),
      readAccessKeys(s, users),
      o.serviceLastAccessed ? readLastAccessed(s, lastAccessedArns) : Promise.resolve(undefined),
    ]);
    if (!o.serviceLastAccessed) {
      s.extraNotes.push({
        connector: CONNECTOR_ID,
        source: 'iam:GenerateServiceLastAccessedDetails',
        reason: 'unsupported',
        message: 'service last-accessed jobs were skipped (--no-last-accessed)',
        impact: 'no per-service usage: unused-service checks do not run',
        incomplete: false,
      });
    }

    ctx.progress('mapping');
    const records = mapAws(
      { authz, credentialReport, accessKeys, lastAccessed: entities ? { generatedAt: ctx.now.toISOString(), entities } : undefined },
      { now: ctx.now, sources: LIVE_SOURCES },
    );
    const account = records.find((r) => r.type === 'node' && r.node.type === 'account' && r.node.attributes?.inScan === true);
    const scope = account?.type === 'node' ? account.node.name : undefined;
    for (const r of records) yield r;
    for (const n of s.failures.notes((op) => impactOf(op, Boolean(credentialReport)), scope)) yield { type: 'coverage', coverage: n };
    for (const n of s.extraNotes) yield { type: 'coverage', coverage: { ...n, ...(scope ? { scope } : {}) } };
  } finally {
    client.destroy();
  }
}
