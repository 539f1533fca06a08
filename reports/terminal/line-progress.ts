import type { ProgressEvent } from '../../src/engine/types.js';
import { plural } from '../shared.js';

function ellipsis(message: string): string {
  const m = message.trim();
  return /(\.\.\.|…|[.!?:])$/.test(m) ? m : `${m}…`;
}

/**
 * Quiet one-line progress for non-interactive stderr (CI logs, pipes): one line per start / step / end, consecutive
 * repeats of the same step dropped.
 *   aws: reading authorization details…
 *   aws: done, 412 records, 37 API calls
 */
export function createLineProgress(write: (s: string) => void): (e: ProgressEvent) => void {
  const last = new Map<string, string>();
  const emit = (connector: string, text: string) => {
    if (last.get(connector) === text) return;
    last.set(connector, text);
    write(`${connector}: ${text}\n`);
  };
  return (e) => {
    switch (e.type) {
      case 'start':
        emit(e.connector, ellipsis(`scanning ${e.title}`));
        break;
      case 'step':
        emit(e.connector, ellipsis(e.message));
        break;
      case 'done':
        emit(e.connector, `${e.incomplete ? 'done with gaps' : 'done'}, ${plural(e.records, 'record')}, ${plural(e.calls, 'API call')}`);
        break;
      case 'failed':
        emit(e.connector, `failed: ${e.message}`);
        break;
    }
  };
}
