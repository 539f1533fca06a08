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
} from '@aws-sdk/client-iam';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import { fromIni, fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import { parse as parseCsv } from 'csv-parse/sync';
import pLimit from 'p-limit';
import type { CallCounter, ScanContext } from '../../src/engine/types.js';
import type { CoverageNote, CoverageReason, GraphRecord, ScanTarget } from '../../src/model/types.js';
import { describeError, NhiError } from '../../src/util/errors.js';
import { redactUrl } from '../../src/util/url.js';
import { accountOfArn } from './arn.js';
import { CONNECTOR_ID, mapAws, reportShowsKeys, reportSlotFor, type AuthzDetails, type CredentialReportRow, type LiveAccessKey, type MapSources, type ServiceLastAccessedDetails } from './map.js';
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

/**
 * Timeouts of every attempt (IAM and STS): connecting, waiting for the response headers, and any silence while the
 * body arrives. A timed-out attempt is a `TimeoutError`, which the SDK's standard retry tries again within maxAttempts.
 */
export function requestHandlerOptions(o: AwsOptions) {
  return { connectionTimeout: o.requestTimeoutMs, requestTimeout: o.requestTimeoutMs, throwOnRequestTimeout: true, socketTimeout: o.requestTimeoutMs };
}

/** A 2xx answer of the IAM Query API that is not a whole `<ActionResponse>` with its `<ActionResult>`. */
export class IncompleteResponse extends Error {
  readonly $retryable = {};
  constructor(
    message: string,
    readonly $metadata: { httpStatusCode?: number },
  ) {
    super(message);
    this.name = 'IncompleteResponse';
  }
}

/**
 * Inside the deserializer (so inside the retry): read the whole body, and refuse a 2xx whose body was cut short or
 * is not the action's response document. The SDK's XML reader otherwise turns an empty body, or a document without
 * its result element, into an empty result: an account with no users. Marked retryable, so the SDK tries again.
 */
function checkResponses(client: IAMClient): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const out = await next(args);
      const response = out.response as { statusCode?: number; body?: unknown };
      const action = String((context as { commandName?: string }).commandName ?? '').replace(/Command$/, '');
      const status = response.statusCode ?? 0;
      const body = response.body as AsyncIterable<Uint8Array> | Uint8Array | undefined;
      if (!body || body instanceof Uint8Array || typeof (body as AsyncIterable<Uint8Array>)[Symbol.asyncIterator] !== 'function') return out;
      const chunks: Uint8Array[] = [];
      try {
        for await (const c of body as AsyncIterable<Uint8Array>) chunks.push(typeof c === 'string' ? Buffer.from(c) : c);
      } catch (err) {
        if ((err as { name?: string }).name === 'TimeoutError') throw err;
        throw new IncompleteResponse(`the response body was cut short (${describeError(err)})`, { httpStatusCode: status });
      }
      const buf = Buffer.concat(chunks);
      response.body = buf;
      if (status >= 200 && status < 300 && action) {
        const text = buf.toString('utf8');
        if (!text.includes(`<${action}Result`) || !text.trimEnd().endsWith(`</${action}Response>`)) {
          throw new IncompleteResponse(text.trim() === '' ? 'the response body was empty' : `the response is not a whole ${action}Response document`, { httpStatusCode: status });
        }
      }
      return out;
    },
    { step: 'deserialize', priority: 'low', name: 'nhiResponseCheck' },
  );
}

/** The caller's credentials: --role-arn assumed (from --profile when given), else --profile, else the default chain. */
export function baseCredentials(o: AwsOptions, opts: { withExternalId?: boolean } = {}): AwsCredentialIdentityProvider | undefined {
  const region = o.region ?? 'us-east-1';
  if (o.roleArn) {
    const externalId = opts.withExternalId === false ? undefined : o.externalId;
    return fromTemporaryCredentials({
      params: { RoleArn: o.roleArn, RoleSessionName: 'nhi-drift', ...(externalId ? { ExternalId: externalId } : {}) },
      ...(o.profile ? { masterCredentials: fromIni({ profile: o.profile }) } : {}),
      clientConfig: { region, maxAttempts: o.maxAttempts, requestHandler: requestHandlerOptions(o), ...(o.endpoint && o.organization ? { endpoint: o.endpoint } : {}) },
    });
  }
  return o.profile ? fromIni({ profile: o.profile }) : undefined;
}

/** The configuration every AWS client of a scan shares: region, endpoint, timeouts, retries, credentials. */
export interface AwsClientConfig {
  region: string;
  maxAttempts: number;
  retryMode: 'standard';
  requestHandler: ReturnType<typeof requestHandlerOptions>;
  endpoint?: string;
  credentials?: AwsCredentialIdentityProvider;
}

export function clientConfig(o: AwsOptions, credentials?: AwsCredentialIdentityProvider): AwsClientConfig {
  // the SDK warns on stderr about Node 20 support ending in future SDK releases; not actionable for nhi users
  // (the SDK version is pinned) and stderr carries our progress, so opt out unless the user set it themselves
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const config: AwsClientConfig = { region: o.region ?? 'us-east-1', maxAttempts: o.maxAttempts, retryMode: 'standard', requestHandler: requestHandlerOptions(o) };
  if (o.endpoint) config.endpoint = o.endpoint;
  const creds = credentials ?? baseCredentials(o, { withExternalId: !o.organization });
  if (creds) config.credentials = creds;
  return config;
}

/** Count every HTTP attempt of a client (`iam:GetAccountAuthorizationDetails`, `organizations:ListAccounts`). */
export function countCalls(client: { middlewareStack: IAMClient['middlewareStack'] }, service: string, calls: CallCounter): void {
  // finalizeRequest, low priority: inside the retry middleware, so every attempt is counted
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const name = String((context as { commandName?: string }).commandName ?? 'Unknown').replace(/Command$/, '');
      calls.count(`${service}:${name}`);
      return next(args);
    },
    { step: 'finalizeRequest', priority: 'low', name: 'nhiCallCounter' },
  );
}

/**
 * One IAM client for the scan: region, endpoint, credentials, timeouts, retries, and a call counter on every HTTP
 * attempt. `credentials`: another account's (an organisation scan's member role), instead of the caller's.
 */
export function createIamClient(o: AwsOptions, calls?: CallCounter, credentials?: AwsCredentialIdentityProvider): IAMClient {
  const client = new IAMClient(clientConfig(o, credentials));
  checkResponses(client);
  if (calls) countCalls(client, 'iam', calls);
  return client;
}

/**
 * The account a scan reads, from the ARNs IAM returned (users, roles, groups, customer managed policies): the one
 * most of them name (ties: the one seen first), the same rule the mapping uses for exports.
 */
export function accountOfAuthz(authz: AuthzDetails): string | undefined {
  const arns = [
    ...(authz.UserDetailList ?? []).map((u) => u?.Arn),
    ...(authz.RoleDetailList ?? []).map((r) => r?.Arn),
    ...(authz.GroupDetailList ?? []).map((g) => g?.Arn),
    ...(authz.Policies ?? []).map((p) => p?.Arn).filter((a) => typeof a === 'string' && !a.startsWith('arn:aws:iam::aws:')),
  ];
  const votes = new Map<string, number>();
  for (const arn of arns) {
    const acct = typeof arn === 'string' ? accountOfArn(arn) : undefined;
    if (acct) votes.set(acct, (votes.get(acct) ?? 0) + 1);
  }
  let best: string | undefined;
  for (const [acct, n] of votes) if (best === undefined || n > votes.get(best)!) best = acct;
  return best;
}

export function accountTarget(account: string): ScanTarget {
  return { id: `aws:account:${account}`, platform: 'aws', kind: 'account', name: account };
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
  const e = err as { name?: string; code?: string; $metadata?: { httpStatusCode?: number } };
  const name = e?.name ?? 'Error';
  const status = e?.$metadata?.httpStatusCode;
  const reason: CoverageReason =
    name === 'TimeoutError' || e?.code === 'ETIMEDOUT'
      ? 'timeout'
      : DENIED.has(name) || status === 403
        ? 'permission-denied'
        : THROTTLED.has(name) || status === 429
          ? 'throttled'
          : 'error';
  // URLs in SDK messages (endpoints) lose user info and query strings
  const text = describeError(err).replace(/\bhttps?:\/\/[^\s"'<>]+/gi, (u) => redactUrl(u));
  return { reason, name, text };
}

/** How many attempts the SDK made, when more than one. */
export function attemptsOf(err: unknown): string {
  const n = (err as { $metadata?: { attempts?: number } })?.$metadata?.attempts;
  return n && n > 1 ? `, ${n} attempts` : '';
}

export function errName(err: unknown): string {
  return (err as { name?: string })?.name ?? '';
}

/**
 * Send options of one call: the scan's signal, through a signal of its own (the HTTP handler adds an abort listener
 * per request; on the shared scan signal, a few dozen calls in flight would trip Node's listener-leak warning).
 */
export function callOptions(ctx: ScanContext): { abortSignal?: AbortSignal } {
  return ctx.signal ? { abortSignal: AbortSignal.any([ctx.signal]) } : {};
}

/** Progress with counts for a phase of `total` steps: about twenty messages, and the last one. */
function counter(ctx: ScanContext, what: (done: number, total: number) => string, total: number): () => void {
  let done = 0;
  const every = Math.max(1, Math.ceil(total / 20));
  return () => {
    done++;
    if (done % every === 0 || done === total) ctx.progress(what(done, total));
  };
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
  constructor(private readonly signal?: AbortSignal) {}

  record(op: string, subject: string, err: unknown): ErrInfo {
    // cancelled or past the deadline: stop here (the engine writes the note) instead of failing every call
    if (this.signal?.aborted) throw this.signal.reason ?? err;
    const info = classifyError(err);
    if (info.reason === 'timeout' || info.name === 'IncompleteResponse') info.text += attemptsOf(err);
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
            : info.reason === 'timeout'
              ? `iam:${op} timed out (${info.text})`
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
  timing: JobTiming;
}

/**
 * What the scan learnt of how long IAM's last-accessed jobs take (ms), shared by the accounts of an organisation
 * scan: each account has few jobs, so learning it anew per account would poll most of them twice.
 */
export interface JobTiming {
  settle: number;
}

async function readAuthz(s: LiveState): Promise<AuthzDetails> {
  const out: Required<AuthzDetails> = { UserDetailList: [], GroupDetailList: [], RoleDetailList: [], Policies: [] };
  let marker: string | undefined;
  let pages = 0;
  do {
    let r;
    try {
      r = await s.client.send(new GetAccountAuthorizationDetailsCommand({ MaxItems: 1000, Marker: marker }), callOptions(s.ctx));
    } catch (err) {
      if (s.ctx.signal?.aborted) throw s.ctx.signal.reason ?? err;
      const info = classifyError(err);
      const hint = info.reason === 'permission-denied' ? ' (grant iam:GetAccountAuthorizationDetails; see `nhi permissions aws`)' : '';
      throw new NhiError('INTERNAL', `iam:GetAccountAuthorizationDetails failed: ${info.name}: ${info.text}${attemptsOf(err)}${hint}`, { cause: err });
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

/** GetCredentialReport: the report is still being generated (poll again) */
const REPORT_IN_PROGRESS = new Set(['CredentialReportNotReadyException', 'ReportInProgress']);
/** GetCredentialReport: there is no report, or it is older than 4 h (generate one) */
const REPORT_ABSENT = new Set(['CredentialReportNotPresentException', 'CredentialReportExpiredException', 'ReportNotPresent', 'ReportExpired']);

/**
 * GenerateCredentialReport once, then GetCredentialReport: at once when the state is COMPLETE, after a wait when it
 * is STARTED or INPROGRESS; a Get that says the report is still in progress is tried again with back-off. Generate is
 * called again only when Get says there is no report (absent or expired).
 */
async function readCredentialReport(s: LiveState): Promise<CredentialReportRow[] | undefined> {
  const { client, ctx, o } = s;
  const deadline = Date.now() + o.pollTimeoutMs;
  let generate = true;
  for (let attempt = 0; ; attempt++) {
    let ready = true;
    if (generate) {
      let state: string | undefined;
      try {
        state = (await client.send(new GenerateCredentialReportCommand({}), callOptions(ctx))).State;
      } catch (err) {
        s.failures.record('GenerateCredentialReport', 'the account', err);
        return undefined;
      }
      ctx.log.debug(`aws: credential report ${state ?? 'unknown state'}`);
      generate = false;
      ready = state === 'COMPLETE';
    }
    if (ready) {
      try {
        const r = await client.send(new GetCredentialReportCommand({}), callOptions(ctx));
        if (!r.Content) throw new Error('the report has no content');
        const text = Buffer.from(r.Content).toString('utf8');
        return parseCsv(text, { columns: true, skip_empty_lines: true, trim: true }) as CredentialReportRow[];
      } catch (err) {
        if (REPORT_ABSENT.has(errName(err))) generate = true;
        else if (!REPORT_IN_PROGRESS.has(errName(err))) {
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

/**
 * Access keys of the users. With a credential report, only users whose row shows a key (or who have no row: created
 * since the report) are listed, and GetAccessKeyLastUsed is called only for keys the report cannot answer for beyond
 * doubt (reportSlotFor); the mapping takes the others' last use from their report slot. Without a report, every
 * user is listed and every key's last use is read.
 */
async function readAccessKeys(s: LiveState, users: Array<{ UserName?: string; Arn?: string }>, report: CredentialReportRow[] | undefined): Promise<Map<string, LiveAccessKey[]>> {
  const { client, ctx, failures } = s;
  const limit = pLimit(ctx.concurrency);
  const result = new Map<string, LiveAccessKey[]>();
  const rows = new Map<string, CredentialReportRow>();
  for (const r of report ?? []) if (r.arn) rows.set(r.arn, r);
  const toList = report ? users.filter((u) => !u.Arn || !rows.has(u.Arn) || reportShowsKeys(rows.get(u.Arn)!)) : users;
  if (report) ctx.log.debug(`aws: ${toList.length} of ${users.length} users have access keys in the credential report (or no row)`);
  const listed = counter(ctx, (d, t) => `access keys listed for ${d}/${t} users`, toList.length);
  await Promise.all(
    toList.map((u) =>
      limit(async () => {
        listed();
        if (!u.UserName || !u.Arn || failures.denied.has('ListAccessKeys')) return;
        const keys: LiveAccessKey[] = [];
        let marker: string | undefined;
        try {
          do {
            const r = await client.send(new ListAccessKeysCommand({ UserName: u.UserName, Marker: marker }), callOptions(ctx));
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
  const unanswered: LiveAccessKey[] = [];
  for (const [arn, keys] of result) for (const k of keys) if (!reportSlotFor(k, keys, rows.get(arn))) unanswered.push(k);
  if (unanswered.length) ctx.progress(`access keys read 0/${unanswered.length}`);
  const read = counter(ctx, (d, t) => `access keys read ${d}/${t}`, unanswered.length);
  await Promise.all(
    unanswered.map((k) =>
      limit(async () => {
        read();
        if (failures.denied.has('GetAccessKeyLastUsed')) return;
        try {
          const r = await client.send(new GetAccessKeyLastUsedCommand({ AccessKeyId: k.AccessKeyId }), callOptions(ctx));
          k.lastUsed = { LastUsedDate: r.AccessKeyLastUsed?.LastUsedDate, ServiceName: r.AccessKeyLastUsed?.ServiceName, Region: r.AccessKeyLastUsed?.Region };
        } catch (err) {
          failures.record('GetAccessKeyLastUsed', k.AccessKeyId, err);
        }
      }),
    ),
  );
  return result;
}

interface LastAccessedJob {
  arn: string;
  jobId: string;
  /** when GenerateServiceLastAccessedDetails answered */
  startedAt: number;
  /** polls that found it still in progress */
  polls: number;
  /** not before this time (retries only) */
  due: number;
}

/**
 * Service last-accessed data for many principals. All jobs are started first (bounded concurrency), then each is
 * read once it is likely complete, in the order started: a job is first polled when it is `settle` ms old, where
 * `settle` starts at the first poll delay and grows to the age at which a job that was found IN_PROGRESS completed
 * (so jobs started later wait about as long as the slow one needed); a job still in progress is polled again with
 * back-off. The common case is one Get per job, and the scan waits about as long as the slowest job.
 */
async function readLastAccessed(s: LiveState, arns: string[]): Promise<Record<string, ServiceLastAccessedDetails>> {
  const { client, ctx, o, failures } = s;
  const limit = pLimit(o.lastAccessedConcurrency);
  const denied = () => failures.denied.has('GenerateServiceLastAccessedDetails') || failures.denied.has('GetServiceLastAccessedDetails');
  const jobs: LastAccessedJob[] = [];
  const started = counter(ctx, (d, t) => `service last-accessed jobs started ${d}/${t}`, arns.length);
  await Promise.all(
    arns.map((arn) =>
      limit(async () => {
        started();
        if (denied()) return;
        try {
          const r = await client.send(new GenerateServiceLastAccessedDetailsCommand({ Arn: arn, Granularity: 'SERVICE_LEVEL' }), callOptions(ctx));
          if (r.JobId) jobs.push({ arn, jobId: r.JobId, startedAt: Date.now(), polls: 0, due: 0 });
        } catch (err) {
          if (errName(err) !== 'NoSuchEntity' && errName(err) !== 'NoSuchEntityException') failures.record('GenerateServiceLastAccessedDetails', arn, err);
        }
      }),
    ),
  );
  const out: Record<string, ServiceLastAccessedDetails> = {};
  const deadline = Date.now() + o.pollTimeoutMs;
  const timing = s.timing;
  timing.settle = Math.max(timing.settle, pollDelay(0, o.pollIntervalMs));
  const fresh = jobs; // in the order started: first polls
  let next = 0;
  const retries: LastAccessedJob[] = []; // sorted by due
  const dueOf = (j: LastAccessedJob) => (j.polls === 0 ? j.startedAt + timing.settle : Math.max(j.due, j.startedAt + timing.settle));
  const done = counter(ctx, (d, t) => `service last-accessed jobs ${d}/${t}`, jobs.length);
  const take = (): LastAccessedJob | undefined => {
    const a = next < fresh.length ? fresh[next] : undefined;
    const b = retries[0];
    if (a && (!b || dueOf(a) <= dueOf(b))) {
      next++;
      return a;
    }
    return b ? retries.shift() : undefined;
  };
  const poll = async (job: LastAccessedJob): Promise<void> => {
    const { arn, jobId } = job;
    try {
      let r = await client.send(new GetServiceLastAccessedDetailsCommand({ JobId: jobId }), callOptions(ctx));
      if (r.JobStatus === 'COMPLETED') {
        const services = [...(r.ServicesLastAccessed ?? [])];
        while (r.IsTruncated && r.Marker) {
          r = await client.send(new GetServiceLastAccessedDetailsCommand({ JobId: jobId, Marker: r.Marker }), callOptions(ctx));
          services.push(...(r.ServicesLastAccessed ?? []));
        }
        out[arn] = { ServicesLastAccessed: services, JobCompletionDate: r.JobCompletionDate };
        // found in progress before: jobs take about this long, so younger jobs are first polled at this age
        if (job.polls > 0) timing.settle = Math.max(timing.settle, Math.min(Date.now() - job.startedAt, o.pollTimeoutMs / 2));
      } else if (r.JobStatus === 'FAILED') {
        const e = new Error(r.Error?.Message ?? 'the job failed');
        e.name = r.Error?.Code ?? 'JobFailed';
        failures.record('GetServiceLastAccessedDetails', arn, e);
      } else {
        const now = Date.now();
        job.due = now + pollDelay(job.polls, o.pollIntervalMs);
        job.polls++;
        if (job.due > deadline) {
          const e = new Error(`job ${jobId} still in progress after ${Math.round(o.pollTimeoutMs / 1000)} s`);
          e.name = 'Timeout';
          failures.record('GetServiceLastAccessedDetails', arn, e);
        } else {
          let i = retries.length;
          while (i > 0 && retries[i - 1].due > job.due) i--;
          retries.splice(i, 0, job);
          return;
        }
      }
    } catch (err) {
      failures.record('GetServiceLastAccessedDetails', arn, err);
    }
    done();
  };
  const worker = async (): Promise<void> => {
    for (let job = take(); job && !denied(); job = take()) {
      const wait = dueOf(job) - Date.now();
      if (wait > 0) await sleep(wait, ctx.signal);
      if (denied()) return;
      await poll(job);
    }
  };
  // a worker that found nothing to take while others' jobs may come back as retries: keep workers until all settle
  const workers = async (): Promise<void> => {
    while ((next < fresh.length || retries.length > 0) && !denied()) {
      await Promise.all(Array.from({ length: Math.min(o.lastAccessedConcurrency, fresh.length - next + retries.length) }, worker));
    }
  };
  await workers();
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

/** One account, through IAM. `credentials`: a member account's in an organisation scan (default: the caller's). */
export async function* scanLive(ctx: ScanContext, o: AwsOptions, credentials?: AwsCredentialIdentityProvider, timing: JobTiming = { settle: 0 }): AsyncGenerator<GraphRecord> {
  const client = createIamClient(o, ctx.calls, credentials);
  const s: LiveState = { client, ctx, o, failures: new FailureLog(ctx.signal), extraNotes: [], timing };
  try {
    ctx.progress('reading account authorization details');
    const authz = await readAuthz(s);
    // the account, as soon as it is known: it stays with the run even when the deadline stops it
    let account = accountOfAuthz(authz);
    if (account) yield { type: 'target', target: accountTarget(account) };
    const users = authz.UserDetailList ?? [];
    const roles = authz.RoleDetailList ?? [];
    const groups = authz.GroupDetailList ?? [];
    ctx.progress(`${users.length} users, ${roles.length} roles, ${groups.length} groups, ${(authz.Policies ?? []).length} managed policies`);

    // the credential report, the access keys and the last-accessed jobs do not depend on each other: their waits overlap
    ctx.progress('credential report, access keys and service last-accessed jobs');
    const lastAccessedArns = o.serviceLastAccessed ? [...users, ...roles, ...groups].map((p) => p.Arn).filter((a): a is string => Boolean(a)) : [];
    // the credential report first tells which users hold keys and answers their last use
    const reportAndKeys = async () => {
      const report = await readCredentialReport(s);
      return [report, await readAccessKeys(s, users, report)] as const;
    };
    const [[credentialReport, accessKeys], entities] = await Promise.all([
      reportAndKeys(),
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
    const accountNode = records.find((r) => r.type === 'node' && r.node.type === 'account' && r.node.attributes?.inScan === true);
    const scope = accountNode?.type === 'node' ? accountNode.node.name : undefined;
    // an account with no users, roles, groups or policies: the credential report's root row names it
    if (!account && scope && /^\d{12}$/.test(scope)) {
      account = scope;
      yield { type: 'target', target: accountTarget(account) };
    }
    for (const r of records) yield r;
    for (const n of s.failures.notes((op) => impactOf(op, Boolean(credentialReport)), scope)) yield { type: 'coverage', coverage: n };
    for (const n of s.extraNotes) yield { type: 'coverage', coverage: { ...n, ...(scope ? { scope } : {}) } };
  } finally {
    client.destroy();
  }
}
