/** Labels for the diagram formats: a node's name and what it is, one line, cut to a length (untrusted text). */
import { safeLabel } from '../util/text.js';
import type { ExportEdge, ExportNode } from './model.js';

export function nodeLabel(n: ExportNode): string {
  const name = safeLabel(n.properties.name ?? n.id, 80);
  const what = safeLabel(`${n.properties.platform ?? ''} ${n.properties.type ?? ''}`.trim(), 40);
  return what ? `${name} (${what})` : name;
}

export function edgeLabel(e: ExportEdge): string {
  const text = typeof e.properties.method === 'string' ? e.properties.method : typeof e.properties.type === 'string' ? e.properties.type : e.kind;
  return safeLabel(`${text}${e.properties.decision === 'conditional' ? ' (conditional)' : ''}`, 60);
}

/** Short ids for the diagram languages (names never become ids): n0, n1, ... in the order nodes come. */
export function shortIds(nodes: Iterable<ExportNode>): { list: ExportNode[]; id: Map<string, string> } {
  const list = [...nodes];
  return { list, id: new Map(list.map((n, i) => [n.id, `n${i}`])) };
}
