/**
 * Terminal output: the report as static text (the same text piped, in CI, in a file and on a terminal, where it is
 * wrapped to the width and coloured unless NO_COLOR), and progress on stderr: line progress when stderr is not
 * interactive, the ink view (./ink.tsx, loaded lazily by src/cli/progress.tsx) when it is.
 */
export { renderText, palette, type TextOptions } from './text.js';
export { buildModel, configText, targetsText, type ReportModel } from './model.js';
export { createLineProgress, type LineProgressOptions } from './line-progress.js';

/** The width to wrap the report to on this stream: its columns when it is a terminal, else none (no wrapping). */
export function terminalWidth(stream: { isTTY?: boolean; columns?: number }): number | undefined {
  return stream.isTTY && stream.columns && stream.columns > 0 ? stream.columns : undefined;
}
export { deferredProgress, type LiveViewLoader, type ProgressSink } from './live-progress.js';
