/**
 * Progress on an interactive stderr: the ink view (one spinner per connector) from reports/terminal.
 * Loaded only when stderr is a TTY, so non-interactive runs never load ink.
 */
import type { ProgressEvent } from '../engine/types.js';
import { startInkProgress as startView } from '../../reports/terminal/ink.js';

export function startInkProgress(): { onProgress(e: ProgressEvent): void; stop(): void } {
  return startView();
}
