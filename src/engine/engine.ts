import pLimit from 'p-limit';
import { IdentityGraph } from '../graph/graph.js';
import { deriveOwnership } from '../graph/derive.js';
import { deriveCiLinks } from '../graph/derive-ci.js';
import { graphAnalysis } from '../paths/index.js';
import type { ConnectorRun, ScanResult, ShardRecord } from '../model/result.js';
import type { CoverageNote, Finding, GraphRecord, ScanTarget } from '../model/types.js';
import { runRules, type RuleSettings } from '../rules/runner.js';
import { applySuppressions } from '../rules/suppress.js';
import type { Rule } from '../rules/types.js';
import type { Suppression } from '../config/config.js';
import { describeError, NhiError } from '../util/errors.js';
import { TOOL_NAME, VERSION } from '../version.js';
import type { CallCounter, Connector, Logger, ProgressEvent, ScanContext } from './types.js';

export interface ConnectorJob {
  connector: Connector;
  /** raw options, validated here with the connector's schema */
  options: Record<string, unknown>;
  /** shown in the report: what this job scans (an account, a file) */
  target?: string;
  /** nhi merge: the shard the job reads, recorded on its run as is */
  shard?: ShardRecord;
}

export interface ScanOptions {
  jobs: ConnectorJob[];
  now: Date;
  rules: readonly Rule<any>[];
  ruleSettings?: Record<string, RuleSettings>;
  ownerTagKeys?: string[];
  suppressions?: Suppression[];
  /** connectors run at once */
  concurrency?: number;
  /** API calls in flight per connector */
  connectorConcurrency?: number;
  log: Logger;
  onProgress?: (e: ProgressEvent) => void;
  signal?: AbortSignal;
  /**
   * Whole-scan deadline (--timeout) in milliseconds, from the start of runScan. When it passes, every connector's
   * signal aborts and whatever has not finished ends as a `timeout` coverage note; what was read is kept.
   */
  deadlineMs?: number;
}

/** How long a connector may go on yielding after its signal aborted (requests are cancelling; data read is kept). */
export const ABORT_GRACE_MS = 1000;

/** The reason a scan signal carries when the --timeout deadline passed. */
export class DeadlineExceeded extends Error {
  constructor(readonly ms: number) {
    super(`the scan deadline (--timeout ${Math.round(ms / 1000)} s) passed`);
    this.name = 'DeadlineExceeded';
  }
}

/** Resolves (never rejects) when `signal` aborts; `undefined` signal: never. */
function whenAborted(signal: AbortSignal | undefined): Promise<'aborted'> {
  return new Promise((resolve) => {
    if (!signal) return;
    if (signal.aborted) return resolve('aborted');
    signal.addEventListener('abort', () => resolve('aborted'), { once: true });
  });
}

function timeoutNote(connectorId: string, title: string, signal: AbortSignal, records: number): CoverageNote {
  const reason = signal.reason;
  const deadline = reason instanceof DeadlineExceeded;
  return {
    connector: connectorId,
    source: connectorId,
    reason: deadline ? 'timeout' : 'error',
    message: deadline ? `${title} scan stopped: ${reason.message}` : `${title} scan stopped: the scan was cancelled`,
    impact: records > 0 ? 'records after that point are missing' : 'nothing from this source is in the report',
    incomplete: true,
  };
}

/** Targets deduplicated by id, sorted by id. */
export function normaliseTargets(targets: Iterable<ScanTarget>): ScanTarget[] {
  const byId = new Map<string, ScanTarget>();
  for (const t of targets) if (t && typeof t.id === 'string' && t.id) byId.set(t.id, t);
  return [...byId.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

export class Counter implements CallCounter {
  private readonly counts = new Map<string, number>();
  private n = 0;
  count(operation: string): void {
    this.n++;
    this.counts.set(operation, (this.counts.get(operation) ?? 0) + 1);
  }
  get total(): number {
    return this.n;
  }
  byOperation(): Record<string, number> {
    return Object.fromEntries([...this.counts.entries()].sort(([a], [b]) => a.localeCompare(b)));
  }
}

/**
 * Validate every job's options and inputs before anything runs: a bad flag or a malformed file is a usage error
 * (exit 2) for the whole scan, not a partial result.
 */
type PreparedJob = ConnectorJob & { parsed: Record<string, unknown>; timedOut?: boolean; notes?: CoverageNote[] };

function parseOptions(job: ConnectorJob): Record<string, unknown> {
  const schema = job.connector.describe().options;
  const result = schema.safeParse(job.options);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new NhiError('USAGE', `${job.connector.id}: ${issue.path.join('.') || 'options'}: ${issue.message}`);
  }
  return result.data as Record<string, unknown>;
}

/**
 * Jobs that stand for several (a connector's optional `expand`, e.g. an enterprise's organisations) become those
 * jobs, in place; the listings run at once. A listing the deadline cuts leaves its job to end as a timeout note.
 */
async function expandJobs(jobs: ConnectorJob[], parsed: Record<string, unknown>[], base: Omit<ScanContext, 'options' | 'calls' | 'progress'>): Promise<PreparedJob[]> {
  if (!jobs.some((j) => j.connector.expand)) return jobs.map((job, i) => ({ ...job, parsed: parsed[i] }));
  const aborted = whenAborted(base.signal);
  const settled = await Promise.allSettled(
    jobs.map(async (job, i): Promise<PreparedJob[]> => {
      const expand = job.connector.expand;
      if (!expand) return [{ ...job, parsed: parsed[i] }];
      const ctx: ScanContext = { ...base, options: parsed[i], calls: new Counter(), progress: () => {} };
      const listing = job.connector.validate(ctx).then(() => expand.call(job.connector, ctx));
      const outcome = base.signal ? await Promise.race([listing, aborted]) : await listing;
      if (outcome === 'aborted') {
        listing.catch(() => {});
        return [{ ...job, parsed: parsed[i], timedOut: true }];
      }
      if (!outcome) return [{ ...job, parsed: parsed[i] }];
      return outcome.jobs.map((j, k) => {
        const next: ConnectorJob = { connector: job.connector, options: j.options, target: j.target };
        return { ...next, parsed: parseOptions(next), ...(k === 0 && outcome.notes?.length ? { notes: outcome.notes } : {}) };
      });
    }),
  );
  const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  return settled.flatMap((r) => (r as PromiseFulfilledResult<PreparedJob[]>).value);
}

export async function prepareJobs(jobs: ConnectorJob[], base: Omit<ScanContext, 'options' | 'calls' | 'progress'>): Promise<PreparedJob[]> {
  // options first, in order, so the first bad flag is the one reported; then the jobs that stand for several are
  // listed; then every credential check at once, so their waits overlap instead of adding up
  const expanded = await expandJobs(jobs, jobs.map(parseOptions), base);
  const aborted = whenAborted(base.signal);
  const settled = await Promise.allSettled(
    expanded.map(async (job) => {
      if (job.timedOut) return 'aborted' as const;
      const validated = job.connector.validate({ ...base, options: job.parsed, calls: new Counter(), progress: () => {} }).then(() => 'ok' as const);
      // a credential check that never answers must not outlive the deadline: the job then ends as a timeout note
      const outcome = base.signal ? await Promise.race([validated, aborted]) : await validated;
      if (outcome === 'aborted') validated.catch(() => {});
      return outcome;
    }),
  );
  // the first failure in job order, so the message does not depend on which check answered first
  const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  const outcomes = settled.map((r) => (r as PromiseFulfilledResult<'ok' | 'aborted'>).value);
  return expanded.map((job, i) => (outcomes[i] === 'aborted' ? { ...job, timedOut: true } : job));
}

async function runOne(
  job: PreparedJob,
  opts: ScanOptions,
  signal: AbortSignal | undefined,
  sink: (r: GraphRecord) => void,
): Promise<ConnectorRun> {
  const { connector } = job;
  const title = connector.describe().title;
  const calls = new Counter();
  const started = Date.now();
  let records = 0;
  let incomplete = false;
  const targets: ScanTarget[] = [];
  opts.onProgress?.({ type: 'start', connector: connector.id, title });
  const ctx: ScanContext = {
    options: job.parsed,
    now: opts.now,
    log: opts.log,
    calls,
    concurrency: opts.connectorConcurrency ?? 5,
    signal,
    progress: (message, o) => opts.onProgress?.({ type: 'step', connector: connector.id, message, ...(o?.milestone ? { milestone: true } : {}) }),
  };
  const run = (status: ConnectorRun['status'], error?: string): ConnectorRun => ({
    id: connector.id,
    title,
    status,
    apiCalls: calls.total,
    callsByOperation: calls.byOperation(),
    records,
    durationMs: Date.now() - started,
    target: job.target,
    targets: normaliseTargets(targets),
    ...(error !== undefined ? { error } : {}),
    ...(job.shard ? { shard: job.shard } : {}),
  });
  /** the source ended early (it threw, or the deadline cut it): what it yielded is kept */
  const ended = (note: CoverageNote, message: string): ConnectorRun => {
    sink({ type: 'coverage', coverage: note });
    opts.onProgress?.({ type: 'failed', connector: connector.id, message });
    return run(records > 0 ? 'partial' : 'failed', message);
  };
  const stopped = (): ConnectorRun => {
    const note = timeoutNote(connector.id, title, signal!, records);
    return ended(note, note.message);
  };
  // what the job's own listing could not read (an enterprise's organisation list cut short)
  for (const n of job.notes ?? []) {
    if (n.incomplete) incomplete = true;
    records++;
    sink({ type: 'coverage', coverage: n });
  }
  if (job.timedOut) return stopped();
  // after the signal aborts, a connector gets a short grace period to hand on what it has read (its requests are
  // aborting); one stuck on a call that ignores the signal must still not hold the scan past it
  // (not Promise.race against one long-lived promise per record: every race would leave a reaction on it, one per
  // record for the whole scan; here each wait is a fresh promise the grace timer can settle)
  let graceOver = false;
  let wake: ((v: 'aborted') => void) | undefined;
  const startGrace = () =>
    setTimeout(() => {
      graceOver = true;
      wake?.('aborted');
    }, ABORT_GRACE_MS).unref();
  if (signal?.aborted) startGrace();
  else signal?.addEventListener('abort', startGrace, { once: true });
  let iterator: AsyncIterator<GraphRecord> | undefined;
  try {
    iterator = connector.scan(ctx)[Symbol.asyncIterator]();
    for (;;) {
      const it = iterator;
      const next: IteratorResult<GraphRecord> | 'aborted' = graceOver
        ? 'aborted'
        : signal
          ? await new Promise<IteratorResult<GraphRecord> | 'aborted'>((resolve, reject) => {
              wake = resolve;
              it.next().then(resolve, reject);
            })
          : await it.next();
      wake = undefined;
      if (next === 'aborted') {
        void Promise.resolve()
          .then(() => it.return?.())
          .catch(() => {});
        return stopped();
      }
      if (next.done) {
        if (signal?.aborted) return stopped(); // ended early because of the abort: what it yielded is partial
        break;
      }
      const r = next.value;
      if (r.type === 'target') {
        targets.push(r.target);
        continue;
      }
      if (r.type === 'coverage') {
        if (r.coverage.incomplete) incomplete = true;
      }
      records++;
      sink(r);
    }
  } catch (err) {
    if (signal?.aborted) return stopped();
    // a connector that throws mid-scan keeps what it yielded; the rest becomes a coverage note
    const message = err instanceof NhiError ? err.message : describeError(err);
    const timedOut = err instanceof Error && (err.name === 'TimeoutError' || (err as NodeJS.ErrnoException).code === 'ETIMEDOUT');
    const note: CoverageNote = {
      connector: connector.id,
      source: connector.id,
      reason: timedOut ? 'timeout' : 'error',
      message: `${title} scan stopped: ${message}`,
      impact: records > 0 ? 'records after the failure point are missing' : 'nothing from this source is in the report',
      incomplete: true,
    };
    opts.log.debug(`${connector.id}: ${process.env.NHI_DEBUG && err instanceof Error && err.stack ? err.stack : message}`);
    return ended(note, message);
  }
  opts.onProgress?.({ type: 'done', connector: connector.id, records, calls: calls.total, incomplete });
  return run(incomplete ? 'partial' : 'complete');
}

/**
 * One scan: connectors (bounded concurrency; one failing never stops the others) → merged graph → derived edges →
 * rules → suppressions. The result is not stored here; the caller decides.
 */
export async function runScan(opts: ScanOptions): Promise<ScanResult & { suppressed: Finding[] }> {
  const startedAt = new Date();
  const controller = new AbortController();
  const signal = opts.signal ? AbortSignal.any([opts.signal, controller.signal]) : controller.signal;
  const timer = opts.deadlineMs !== undefined ? setTimeout(() => controller.abort(new DeadlineExceeded(opts.deadlineMs!)), opts.deadlineMs) : undefined;
  try {
    return await scanWithin(opts, signal, startedAt);
  } finally {
    if (timer) clearTimeout(timer);
  }
}

async function scanWithin(opts: ScanOptions, signal: AbortSignal, startedAt: Date): Promise<ScanResult & { suppressed: Finding[] }> {
  const base = { now: opts.now, log: opts.log, concurrency: opts.connectorConcurrency ?? 5, signal };
  const jobs = await prepareJobs(opts.jobs, base);

  const t0 = performance.now();
  const graph = new IdentityGraph();
  let graphMs = 0;
  const sink = (r: GraphRecord) => {
    const t = performance.now();
    graph.add(r);
    graphMs += performance.now() - t;
  };
  const limit = pLimit(opts.concurrency ?? 4);
  const runs = await Promise.all(jobs.map((job) => limit(() => (signal.aborted && !job.timedOut ? runOne({ ...job, timedOut: true }, opts, signal, sink) : runOne(job, opts, signal, sink)))));
  const connectorsMs = performance.now() - t0 - graphMs;

  const tDerive = performance.now();
  deriveOwnership(graph, opts.ownerTagKeys);
  deriveCiLinks(graph);
  graphMs += performance.now() - tDerive;

  // the escalation analysis (authorization engine and "can become" paths), computed once and shared by the rules
  const tPaths = performance.now();
  graphAnalysis(graph, opts.now);
  const pathsMs = performance.now() - tPaths;

  const tRules = performance.now();
  const all = runRules(graph, opts.rules, { now: opts.now, settings: opts.ruleSettings });
  const { kept, suppressed } = applySuppressions(all, graph, opts.suppressions ?? [], opts.now);
  const rulesMs = performance.now() - tRules;

  const ran = opts.rules.filter((r) => opts.ruleSettings?.[r.meta.id]?.enabled !== false).map((r) => r.meta);
  const incomplete = runs.some((r) => r.status !== 'complete') || graph.coverage.some((c) => c.incomplete);
  return {
    tool: { name: TOOL_NAME, version: VERSION },
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    asOf: opts.now.toISOString(),
    connectors: runs,
    incomplete,
    graph,
    findings: kept,
    suppressed,
    coverage: graph.coverage,
    rules: ran,
    timings: { connectorsMs: Math.round(connectorsMs), graphMs: Math.round(graphMs), pathsMs: Math.round(pathsMs), rulesMs: Math.round(rulesMs) },
    ...(opts.deadlineMs !== undefined ? { deadlineSeconds: Math.round(opts.deadlineMs / 1000) } : {}),
  };
}
