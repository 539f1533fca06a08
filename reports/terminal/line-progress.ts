import type { ProgressEvent } from '../../src/engine/types.js';
import { safeLine } from '../../src/util/text.js';
import { plural } from '../shared.js';

function ellipsis(message: string): string {
  const m = message.trim();
  return /(\.\.\.|…|[.!?:])$/.test(m) ? m : `${m}…`;
}

export interface LineProgressOptions {
  /** least time between two step lines of one connector (default 5000 ms); start, done and failed always print */
  stepIntervalMs?: number;
  /** the clock (tests pass their own) */
  now?: () => number;
}

/**
 * Quiet one-line progress for non-interactive stderr (CI logs, pipes): a line when a connector starts, ends or
 * fails, and its latest step at most every `stepIntervalMs` (the first step right away), so a long phase such as
 * `service last-accessed jobs 120/400` shows it is moving without flooding the log. Consecutive repeats are dropped;
 * every connector id, title and message is made safe for one terminal line. A milestone step (one account of an
 * organisation scanned) always prints.
 *   aws: reading authorization details…
 *   aws: service last-accessed jobs 120/400…
 *   aws: done, 412 records, 37 API calls
 */
export function createLineProgress(write: (s: string) => void, opts: LineProgressOptions = {}): (e: ProgressEvent) => void {
  const interval = opts.stepIntervalMs ?? 5000;
  const now = opts.now ?? Date.now;
  const last = new Map<string, string>();
  /** when each connector's last step line was printed */
  const lastStepAt = new Map<string, number>();
  const emit = (connector: string, text: string): boolean => {
    const line = `${safeLine(connector)}: ${text}`;
    if (last.get(connector) === line) return false;
    last.set(connector, line);
    write(`${line}\n`);
    return true;
  };
  return (e) => {
    switch (e.type) {
      case 'start':
        lastStepAt.delete(e.connector);
        emit(e.connector, ellipsis(`scanning ${safeLine(e.title)}`));
        break;
      case 'step': {
        const t = now();
        const prev = lastStepAt.get(e.connector);
        if (prev !== undefined && t - prev < interval && !e.milestone) break;
        // a milestone is something finished: no ellipsis
        if (emit(e.connector, e.milestone ? safeLine(e.message) : ellipsis(safeLine(e.message)))) lastStepAt.set(e.connector, t);
        break;
      }
      case 'done':
        emit(e.connector, `${e.incomplete ? 'done with gaps' : 'done'}, ${plural(e.records, 'record')}, ${plural(e.calls, 'API call')}`);
        break;
      case 'failed':
        emit(e.connector, `failed: ${safeLine(e.message)}`);
        break;
    }
  };
}
