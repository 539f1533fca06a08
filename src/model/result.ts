import type { IdentityGraph } from '../graph/graph.js';
import type { RuleMeta } from '../rules/types.js';
import type { CoverageNote, Finding } from './types.js';
import type { Drift } from '../drift/diff.js';

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
  /** offline: the files read; live: e.g. the account id */
  target?: string;
  error?: string;
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
  /** with --baseline: fingerprints of findings already known; the gate only counts findings not in it */
  baseline?: { file: string; fingerprints: string[] };
  /** time spent per phase, for --verbose and the benchmark */
  timings?: { connectorsMs: number; graphMs: number; rulesMs: number; renderMs?: number };
}
