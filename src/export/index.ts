/**
 * `nhi export`: the renderers, one module per format, each a generator of text pieces over an ExportModel, so a
 * large graph is written as it is rendered (docs/commands/export.md).
 */
import { renderCypher } from './cypher.js';
import { renderDot } from './dot.js';
import { renderGraphml } from './graphml.js';
import { renderOpenGraphExtension, renderOpenGraphKinds } from './kinds.js';
import { renderMermaid } from './mermaid.js';
import type { ExportModel } from './model.js';
import { renderOpenGraph } from './opengraph.js';

export const EXPORT_FORMATS = ['opengraph', 'opengraph-extension', 'opengraph-kinds', 'cypher', 'mermaid', 'dot', 'graphml'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** Diagram formats draw one identity's neighbourhood: they need --focus. */
export const NEEDS_FOCUS: ReadonlySet<ExportFormat> = new Set(['mermaid', 'dot']);

const RENDERERS: Record<ExportFormat, (model: ExportModel) => Iterable<string>> = {
  opengraph: renderOpenGraph,
  'opengraph-extension': renderOpenGraphExtension,
  'opengraph-kinds': renderOpenGraphKinds,
  cypher: (m) => renderCypher(m),
  mermaid: renderMermaid,
  dot: renderDot,
  graphml: renderGraphml,
};

/** Pieces joined into writes of about `size` characters (fewer system calls, never the whole text at once). */
export function* coalesce(pieces: Iterable<string>, size = 64 * 1024): Iterable<string> {
  let buf: string[] = [];
  let len = 0;
  for (const p of pieces) {
    buf.push(p);
    len += p.length;
    if (len >= size) {
      yield buf.join('');
      buf = [];
      len = 0;
    }
  }
  if (len > 0) yield buf.join('');
}

export function renderExport(format: ExportFormat, model: ExportModel): Iterable<string> {
  return coalesce(RENDERERS[format](model));
}

export { FOCUS_MAX_NODES, focusModel, wholeModel, type ExportModel } from './model.js';
