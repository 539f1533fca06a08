import type { z } from 'zod';
import type { CoverageNote, GraphRecord } from '../model/types.js';

export interface Logger {
  /** shown with --verbose only, on stderr */
  debug(msg: string): void;
  /** shown unless --quiet, on stderr */
  info(msg: string): void;
  warn(msg: string): void;
}

/** Counts platform API calls (one per HTTP request, retries included) for `--verbose` and the benchmark. */
export interface CallCounter {
  count(operation: string): void;
  readonly total: number;
  byOperation(): Record<string, number>;
}

export type ProgressEvent =
  | { type: 'start'; connector: string; title: string }
  /** `milestone`: a step a log should always show (one account of an organisation done), whatever the rate limit */
  | { type: 'step'; connector: string; message: string; milestone?: boolean }
  | { type: 'done'; connector: string; records: number; calls: number; incomplete: boolean }
  | { type: 'failed'; connector: string; message: string };

export interface ScanContext {
  /** the connector's options, already validated by `describe().options` */
  options: Record<string, unknown>;
  /** evaluation / observation time */
  now: Date;
  log: Logger;
  calls: CallCounter;
  /** `milestone`: always printed by line progress (one line per account of an organisation scan) */
  progress(message: string, opts?: { milestone?: boolean }): void;
  /** bound for the connector's own parallel API calls */
  concurrency: number;
  signal?: AbortSignal;
}

export interface ConnectorDescription {
  title: string;
  /** one line per permission / API the live scan needs (`iam:GetAccountAuthorizationDetails`) */
  requiredPermissions: string[];
  /** optional permissions that unlock more data, with what they unlock */
  optionalPermissions?: Array<{ permission: string; unlocks: string }>;
  /** a ready-to-use least-privilege policy document for `nhi permissions <id>` (platform format) */
  permissionsDocument?: unknown;
  /** zod schema of the connector's options (validated before validate()/scan()) */
  options: z.ZodType;
}

/**
 * A connector reads one platform and yields records. It holds no global state, never imports rules or reports,
 * and turns what it cannot read into coverage records instead of throwing (throwing = the whole source failed).
 */
export interface Connector {
  id: string;
  describe(): ConnectorDescription;
  /** Are the credentials / inputs usable? Throws NhiError with a suggestion if not. */
  validate(ctx: ScanContext): Promise<void>;
  scan(ctx: ScanContext): AsyncIterable<GraphRecord>;
  /**
   * Optional: a job that stands for several (`--github-enterprise SLUG`: every organisation of the enterprise). Called
   * once per job, after validate() and before any job runs; undefined when the job is already one job. The jobs it
   * returns replace it (validated again with `describe().options`); `notes` are coverage notes of the listing itself
   * (a listing cut short), reported with the first of them. Throws NhiError when nothing can be listed.
   */
  expand?(ctx: ScanContext): Promise<ExpandedJobs | undefined>;
}

export interface ExpandedJobs {
  jobs: Array<{ options: Record<string, unknown>; target?: string }>;
  notes?: CoverageNote[];
}
