/**
 * Terminal output: the plain-text report (pipes, CI, files), the ink view of the same report (interactive TTY),
 * and line progress for a non-interactive stderr. ink is loaded lazily so JSON / SARIF / plain-text runs never pay
 * for it; the ink components themselves (ReportView, ProgressView, startInkProgress) live in ./ink.tsx and are used by
 * src/cli/progress.tsx.
 */
import type { ReportInput } from '../shared.js';

export { renderText, palette, type TextOptions } from './text.js';
export { buildModel, type ReportModel } from './model.js';
export { createLineProgress } from './line-progress.js';

/** Draw the report with ink on stdout (render once, then unmount); resolves when ink has finished. */
export async function renderInk(result: ReportInput, opts: { verbose?: boolean } = {}): Promise<void> {
  const { renderReportInk } = await import('./ink.js');
  await renderReportInk(result, opts);
}
