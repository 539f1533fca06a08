/**
 * The state of live progress, without ink: one entry per connector in the order they started. Kept apart from the
 * ink view so the CLI can collect progress before (and without ever) loading ink.
 */
import type { ProgressEvent } from '../../src/engine/types.js';
import { safeLine } from '../../src/util/text.js';

/** What a progress display offers the scan. */
export interface ProgressSink {
  onProgress(e: ProgressEvent): void;
  /** end the display (clears live output); safe to call twice */
  stop(): void;
}

export interface ConnectorProgress {
  id: string;
  title: string;
  status: 'running' | 'done' | 'failed';
  message?: string;
  records?: number;
  calls?: number;
  incomplete?: boolean;
}

/**
 * Pure state update for the progress view: one row per connector, in the order they started; every title and
 * message made safe for one terminal line.
 */
export function applyProgress(state: readonly ConnectorProgress[], e: ProgressEvent): ConnectorProgress[] {
  const i = state.findIndex((c) => c.id === e.connector);
  const current: ConnectorProgress = i >= 0 ? state[i] : { id: e.connector, title: safeLine(e.connector), status: 'running' };
  let next: ConnectorProgress;
  switch (e.type) {
    case 'start':
      next = { id: e.connector, title: safeLine(e.title), status: 'running' };
      break;
    case 'step':
      next = { ...current, message: safeLine(e.message) };
      break;
    case 'done':
      next = { ...current, status: 'done', records: e.records, calls: e.calls, incomplete: e.incomplete };
      break;
    case 'failed':
      next = { ...current, status: 'failed', message: safeLine(e.message) };
      break;
    default:
      return [...state];
  }
  return i >= 0 ? state.map((c, k) => (k === i ? next : c)) : [...state, next];
}

