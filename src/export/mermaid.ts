/**
 * A Mermaid flowchart of a focused export. Names are untrusted: every character but letters, digits and a few punctuation marks is
 * written as a Mermaid entity code (`#34;`), so no name can close a label, start a link or inject markup.
 */
import { edgeLabel, nodeLabel, shortIds } from './labels.js';
import { isBecomeKind, META_KIND, type ExportModel } from './model.js';

const SAFE = /[\p{L}\p{N} .,:/@_=+()-]/u;

export function mermaidText(text: string): string {
  let out = '';
  for (const ch of text) out += SAFE.test(ch) ? ch : `#${ch.codePointAt(0)};`;
  return out;
}

export function* renderMermaid(model: ExportModel): Iterable<string> {
  const { list, id } = shortIds(model.nodes());
  yield 'flowchart LR\n';
  for (const n of list) yield `  ${id.get(n.id)}["${mermaidText(nodeLabel(n))}"]\n`;
  for (const e of model.edges()) {
    const from = id.get(e.from);
    const to = id.get(e.to);
    if (!from || !to) continue;
    const arrow = isBecomeKind(e.kind) ? '==>' : '-->';
    yield `  ${from} ${arrow}|"${mermaidText(edgeLabel(e))}"| ${to}\n`;
  }
  yield '  classDef focus stroke-width:3px\n  classDef admin fill:#fdd,stroke:#c00\n';
  const admins = list.filter((n) => n.properties.admin === true || n.kinds[0] === META_KIND.adminSink).map((n) => id.get(n.id));
  if (admins.length) yield `  class ${admins.join(',')} admin\n`;
  if (model.focus && id.has(model.focus)) yield `  class ${id.get(model.focus)} focus\n`;
}
