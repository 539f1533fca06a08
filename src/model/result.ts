import type { IdentityGraph } from '../graph/graph.js';
import type { RuleMeta } from '../rules/types.js';
import type { CoverageNote, Finding, ScanTarget } from './types.js';
import type { Drift, DriftUnavailable } from '../drift/diff.js';

export interface ConnectorRun {
  id: string;
  title: string;
  /** complete: everything read; partial: coverage notes say what was missed; failed: nothing usable */
  status: 'complete' | 'partial' | 'failed';
  /** platform API calls made (0 for offline files) */
  apiCalls: number;
  callsByOperation: Record<string, number>;
  records: number;
  durationMs: number;
  /** a label for people: the files read, the profile, the org (untrusted text) */
  target?: string;
  /** what the run really scanned, as the platform identifies it (deduplicated, sorted by id); empty when the run
   * failed before it could tell (such a snapshot is never used as a drift baseline) */
  targets: ScanTarget[];
  error?: string;
  /** nhi merge: the shard this run read (the newest snapshot of another store), recorded with the merged snapshot */
  shard?: ShardRecord;
}

/** A shard of a merged snapshot, as `nhi snapshots` and the JSON report show it. */
export interface ShardRecord {
  /** the shard store's file name, never its folder */
  file: string;
  /** the shard store's snapshot that was merged (its newest) */
  snapshotId: number;
  /** that snapshot's as-of time */
  asOf: string;
  /** what that snapshot scanned, as its store records it (the merged snapshot's targets are these, keyed `shard`) */
  targets: Array<ScanTarget & { connector: string }>;
}

/** What the configuration file changed about this scan: always shown, so a pull request cannot quietly turn its own
 * gate off. */
export interface ConfigEffect {
  /** the file, as given or found (undefined: no file, or --no-config) */
  file?: string;
  /** --no-config was given */
  ignored?: boolean;
  /** rules switched off by the file */
  disabledRules: string[];
  /** rules whose severity the file changed: id -> new severity */
  severityOverrides: Record<string, string>;
  /** `ignore:` entries in the file, and how many of them are still in force (not past `until`) */
  ignoreEntries: number;
  activeIgnoreEntries: number;
  /** findings dropped by those entries in this scan */
  suppressedFindings: number;
  /** failOn taken from the file (when --fail-on was not given) */
  failOn?: string;
}

/** Everything a renderer needs. Renderers are pure functions of this (+ their own options). */
export interface ScanResult {
  tool: { name: string; version: string };
  /** snapshot id in the store, when stored */
  snapshotId?: number;
  startedAt: string;
  finishedAt: string;
  /** the evaluation time rules used */
  asOf: string;
  connectors: ConnectorRun[];
  /** true when any coverage note is incomplete or a connector failed (exit code 3) */
  incomplete: boolean;
  graph: IdentityGraph;
  findings: Finding[];
  coverage: CoverageNote[];
  /** metadata of the rules that ran (for SARIF rules[] and docs links) */
  rules: RuleMeta[];
  /** what changed since the previous stored snapshot of the same targets (absent on the first scan or with --no-store) */
  drift?: Drift;
  /** when a snapshot store was used but there is no drift section: why (first snapshot, no earlier snapshot of the same
   * targets, a scan that could not identify its targets, an unreadable store); show it as `drift: <message>` */
  driftUnavailable?: DriftUnavailable;
  /** with --baseline: fingerprints of findings already known; the gate only counts findings not in it, and every
   * format marks findings as new (SARIF baselineState new/unchanged, JSON `baselineState`) */
  baseline?: { file: string; fingerprints: string[] };
  /** what the configuration file did to this scan (absent when no file was read) */
  config?: ConfigEffect;
  /** --timeout: the whole-scan deadline in seconds, when one was set */
  deadlineSeconds?: number;
  /** time spent per phase, for --verbose and the benchmark */
  timings?: { connectorsMs: number; graphMs: number; pathsMs?: number; rulesMs: number; renderMs?: number };
}
