import pLimit from 'p-limit';
import { IdentityGraph } from '../graph/graph.js';
import { deriveOwnership } from '../graph/derive.js';
import { deriveCiLinks } from '../graph/derive-ci.js';
import type { ConnectorRun, ScanResult } from '../model/result.js';
import type { CoverageNote, Finding, GraphRecord } from '../model/types.js';
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
export async function prepareJobs(jobs: ConnectorJob[], base: Omit<ScanContext, 'options' | 'calls' | 'progress'>): Promise<Array<ConnectorJob & { parsed: Record<string, unknown> }>> {
  const out: Array<ConnectorJob & { parsed: Record<string, unknown> }> = [];
  for (const job of jobs) {
    const schema = job.connector.describe().options;
    const parsed = schema.safeParse(job.options);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new NhiError('USAGE', `${job.connector.id}: ${issue.path.join('.') || 'options'}: ${issue.message}`);
    }
    const options = parsed.data as Record<string, unknown>;
    await job.connector.validate({ ...base, options, calls: new Counter(), progress: () => {} });
    out.push({ ...job, parsed: options });
  }
  return out;
}

async function runOne(
  job: ConnectorJob & { parsed: Record<string, unknown> },
  opts: ScanOptions,
  sink: (r: GraphRecord) => void,
): Promise<ConnectorRun> {
  const { connector } = job;
  const title = connector.describe().title;
  const calls = new Counter();
  const started = Date.now();
  let records = 0;
  let incomplete = false;
  opts.onProgress?.({ type: 'start', connector: connector.id, title });
  const ctx: ScanContext = {
    options: job.parsed,
    now: opts.now,
    log: opts.log,
    calls,
    concurrency: opts.connectorConcurrency ?? 5,
    signal: opts.signal,
    progress: (message) => opts.onProgress?.({ type: 'step', connector: connector.id, message }),
  };
  try {
    for await (const r of connector.scan(ctx)) {
      if (r.type === 'coverage') {
        if (r.coverage.incomplete) incomplete = true;
      }
      records++;
      sink(r);
    }
  } catch (err) {
    // a connector that throws mid-scan keeps what it yielded; the rest becomes a coverage note
    const message = err instanceof NhiError ? err.message : describeError(err);
    const note: CoverageNote = {
      connector: connector.id,
      source: connector.id,
      reason: 'error',
      message: `${title} scan stopped: ${message}`,
      impact: records > 0 ? 'records after the failure point are missing' : 'nothing from this source is in the report',
      incomplete: true,
    };
    sink({ type: 'coverage', coverage: note });
    opts.log.debug(`${connector.id}: ${err instanceof Error && err.stack ? err.stack : message}`);
    opts.onProgress?.({ type: 'failed', connector: connector.id, message });
    return {
      id: connector.id,
      title,
      status: records > 0 ? 'partial' : 'failed',
      apiCalls: calls.total,
      callsByOperation: calls.byOperation(),
      records,
      durationMs: Date.now() - started,
      target: job.target,
      error: message,
    };
  }
  opts.onProgress?.({ type: 'done', connector: connector.id, records, calls: calls.total, incomplete });
  return {
    id: connector.id,
    title,
    status: incomplete ? 'partial' : 'complete',
    apiCalls: calls.total,
    callsByOperation: calls.byOperation(),
    records,
    durationMs: Date.now() - started,
    target: job.target,
  };
}

/**
 * One scan: connectors (bounded concurrency; one failing never stops the others) → merged graph → derived edges →
 * rules → suppressions. The result is not stored here; the caller decides.
 */
export async function runScan(opts: ScanOptions): Promise<ScanResult & { suppressed: Finding[] }> {
  const startedAt = new Date();
  const base = { now: opts.now, log: opts.log, concurrency: opts.connectorConcurrency ?? 5, signal: opts.signal };
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
  const runs = await Promise.all(jobs.map((job) => limit(() => runOne(job, opts, sink))));
  const connectorsMs = performance.now() - t0 - graphMs;

  const tDerive = performance.now();
  deriveOwnership(graph, opts.ownerTagKeys);
  deriveCiLinks(graph);
  graphMs += performance.now() - tDerive;

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
    timings: { connectorsMs: Math.round(connectorsMs), graphMs: Math.round(graphMs), rulesMs: Math.round(rulesMs) },
  };
}
