/**
 * Entry point the CLI calls: one ScanResult in, one report string out. Renderers are pure: they never decide
 * severity, never read the clock and never print secret values or policy documents. The result is normalised once
 * here (reports/shared.ts normalizeInput: well-typed, bounded values whatever the estate held); the JSON, SARIF,
 * Markdown and HTML renderers normalise again when called directly (it is idempotent).
 */
import { renderHtml } from './html/index.js';
import { renderJson } from './json/index.js';
import { renderMarkdown } from './markdown/index.js';
import { renderSarif, renderSarifChunks } from './sarif/index.js';
import { normalizeInput, type ReportInput } from './shared.js';
import { renderText } from './terminal/text.js';

export type ReportFormat = 'terminal' | 'json' | 'sarif' | 'markdown' | 'html';

export interface RenderOptions {
  /** terminal: ANSI colours */
  color?: boolean;
  /** terminal: every finding and all evidence */
  verbose?: boolean;
  /** sarif: runAutomationDetails category */
  category?: string;
}

export function render(format: ReportFormat, input: ReportInput, opts: RenderOptions = {}): string {
  const result = normalizeInput(input);
  switch (format) {
    case 'terminal':
      return renderText(result, { color: opts.color ?? false, verbose: opts.verbose ?? false });
    case 'json':
      return renderJson(result);
    case 'sarif':
      return renderSarif(result, { category: opts.category });
    case 'markdown':
      return renderMarkdown(result);
    case 'html':
      return renderHtml(result);
    default:
      throw new Error(`unknown report format '${String(format)}'`);
  }
}

export type { ReportInput } from './shared.js';
export { renderJsonChunks } from './json/index.js';
export { renderHtml, renderJson, renderMarkdown, renderSarif, renderSarifChunks, renderText };
