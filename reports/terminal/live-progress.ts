/**
 * Live progress on an interactive stderr, started only when the scan is still running after a short grace period:
 * a scan that finishes quickly never loads ink (whose start-up costs more than a small scan) and never flashes a
 * spinner. Until the view is up, events are folded into the same state the view then starts from.
 */
import type { ProgressEvent } from '../../src/engine/types.js';
import { applyProgress, type ConnectorProgress, type ProgressSink } from './progress-state.js';

export type { ProgressSink } from './progress-state.js';

/** Load the live view (e.g. import ink) and return a function that starts it from the progress so far. */
export type LiveViewLoader = () => Promise<(initial: readonly ConnectorProgress[]) => ProgressSink>;

export function deferredProgress(load: LiveViewLoader, graceMs = 1000): ProgressSink {
  let state: ConnectorProgress[] = [];
  let view: ProgressSink | undefined;
  let stopped = false;
  const timer = setTimeout(() => {
    load().then(
      (start) => {
        if (!stopped) view = start(state);
      },
      // no live view (a broken terminal, a failed import): the scan and its report go on without it
      () => {},
    );
  }, graceMs);
  timer.unref();
  return {
    onProgress(e: ProgressEvent) {
      if (stopped) return;
      if (view) view.onProgress(e);
      else state = applyProgress(state, e);
    },
    stop() {
      if (stopped) return;
      stopped = true;
      clearTimeout(timer);
      view?.stop();
    },
  };
}
