/**
 * Progress on an interactive stderr: the ink view (one line per connector) from reports/terminal.
 * Imported only when a scan on an interactive stderr outlasts its grace period, so other runs never load ink.
 */
import type { ConnectorProgress, ProgressSink } from '../../reports/terminal/progress-state.js';
import { startInkProgress as startView } from '../../reports/terminal/ink.js';
import { colorEnabled } from './io.js';

export function startInkProgress(initial: readonly ConnectorProgress[] = []): ProgressSink {
  return startView({ color: colorEnabled(process.stderr), stream: process.stderr, initial });
}
