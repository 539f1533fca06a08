/**
 * A Graphviz DOT digraph of a focused export. Labels are double-quoted DOT strings with `\` and `"` escaped, after
 * control characters are removed (a name cannot end the string, start an HTML label or use DOT's `\N`-style escapes).
 */
import { edgeLabel, nodeLabel, shortIds } from './labels.js';
import { isBecomeKind, META_KIND, type ExportModel } from './model.js';

export function dotString(text: string): string {
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

export function* renderDot(model: ExportModel): Iterable<string> {
  const { list, id } = shortIds(model.nodes());
  yield 'digraph nhi {\n  rankdir=LR;\n  node [shape=box, fontname="Helvetica"];\n  edge [fontname="Helvetica", fontsize=10];\n';
  for (const n of list) {
    const attrs = [`label=${dotString(nodeLabel(n))}`];
    if (n.properties.admin === true || n.kinds[0] === META_KIND.adminSink) attrs.push('color="#cc0000"', 'style=filled', 'fillcolor="#ffdddd"');
    if (n.id === model.focus) attrs.push('penwidth=3');
    yield `  ${id.get(n.id)} [${attrs.join(', ')}];\n`;
  }
  for (const e of model.edges()) {
    const from = id.get(e.from);
    const to = id.get(e.to);
    if (!from || !to) continue;
    const style = isBecomeKind(e.kind) ? ', style=bold, color="#cc0000"' : '';
    yield `  ${from} -> ${to} [label=${dotString(edgeLabel(e))}${style}];\n`;
  }
  yield '}\n';
}
