/**
 * One path finding as a picture: identity → method → identity → … → policy or target, laid out by dagre at render
 * time and written as static inline SVG (no script is needed to see it). Every label is untrusted text: it is made
 * one safe line (`safeLabel`: no control or bidirectional-override characters), cut to a few short lines, and
 * HTML-escaped by the caller's `esc` wherever it is written (SVG <text>, <title>, attributes).
 */
import dagre from '@dagrejs/dagre';
import stringWidth from 'string-width';
import type { IdentityGraph } from '../../src/graph/graph.js';
import type { Finding } from '../../src/model/types.js';
import { methodById } from '../../src/paths/index.js';
import { adminSinkName } from '../../src/paths/types.js';
import { safeLabel } from '../../src/util/text.js';
import { identityRef, text } from '../shared.js';

export type PictureNodeKind = 'identity' | 'method' | 'policy' | 'target';

export interface PictureNode {
  kind: PictureNodeKind;
  /** small first line: what the node is (`aws iam-role`, `method`, `policy`) */
  caption: string;
  /** the name, whole (the tooltip) */
  full: string;
  /** the name as drawn: at most a few short lines, the last one ending in `…` when the name was cut */
  lines: string[];
  /** a node that explains the end of the path (why it is admin) rather than a position of it */
  explains?: boolean;
}

export interface PictureModel {
  nodes: PictureNode[];
  /** edges between node indexes, in path order */
  edges: Array<[number, number]>;
}

/** Longest drawn line of a label, in terminal-style columns (wide characters count twice). */
const LINE_COLUMNS = 30;
const NAME_LINES = 3;
const METHOD_LINES = 3;
const WHY_LINES = 4;

/**
 * `value` cut into at most `maxLines` lines of about `columns` characters, preferring to break after a space, `/`,
 * `.`, `:`, `@`, `-` or `_`; the last line ends in `…` when something was left out.
 */
export function wrapLabel(value: string, columns = LINE_COLUMNS, maxLines = NAME_LINES): string[] {
  const chars = Array.from(value);
  const lines: string[] = [];
  let i = 0;
  while (i < chars.length && lines.length < maxLines) {
    let end = Math.min(i + columns, chars.length);
    if (end < chars.length) {
      for (let j = end; j > i + Math.floor(columns / 2); j--) {
        if (/[\s/.:@_-]/.test(chars[j - 1])) {
          end = j;
          break;
        }
      }
    }
    lines.push(chars.slice(i, end).join('').trim());
    i = end;
    while (i < chars.length && chars[i] === ' ') i++;
  }
  if (i < chars.length && lines.length > 0) {
    const last = Array.from(lines[lines.length - 1]);
    lines[lines.length - 1] = `${last.slice(0, Math.max(0, columns - 1)).join('')}…`;
  }
  return lines.length ? lines : [''];
}

const rec = (v: unknown): Record<string, unknown> | undefined => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined);

/** The node a path position stands for. */
function pathNode(graph: IdentityGraph, id: string, last: boolean): PictureNode {
  if (id.startsWith('meta:admin:')) {
    const [, , platform = '', ...scope] = id.split(':');
    const full = safeLabel(adminSinkName(platform, scope.join(':')), 1_000);
    return { kind: 'target', caption: 'target', full, lines: wrapLabel(full) };
  }
  const ref = identityRef(graph, id);
  const full = safeLabel(ref.name, 1_000);
  const caption = safeLabel([ref.platform, ref.type].filter(Boolean).join(' ') || 'identity', LINE_COLUMNS);
  const kind: PictureNodeKind =
    ref.kind === 'entitlement' ? 'policy' : ref.kind === 'resource' && last ? 'target' : 'identity';
  return { kind, caption, full: ref.id && ref.id !== ref.name ? `${full} (${safeLabel(ref.id, 1_000)})` : full, lines: wrapLabel(full) };
}

/**
 * The picture of a path finding: one node per position of `finding.path`; between two positions, a method node when
 * the finding's evidence names the hop (`data.from`, `data.to`, `data.method`, as privilege-escalation writes
 * them), with the policies that grant it in its tooltip; after the last position, the reason it is admin when the
 * evidence gives one (`data.admin`). Undefined for a finding without a path of two or more positions.
 */
export function pictureModel(graph: IdentityGraph, finding: Finding): PictureModel | undefined {
  const path = finding.path ?? [];
  if (path.length < 2) return undefined;
  const hops = new Map<string, Record<string, unknown>>();
  let adminWhy: string | undefined;
  for (const e of finding.evidence) {
    const d = rec(e.data);
    if (!d) continue;
    if (typeof d.from === 'string' && typeof d.to === 'string' && typeof d.method === 'string') hops.set(`${d.from}\u0000${d.to}`, d);
    if (d.admin === path[path.length - 1] && typeof e.description === 'string') {
      const at = e.description.indexOf(' is admin: ');
      adminWhy = at >= 0 ? e.description.slice(at + ' is admin: '.length) : e.description;
    }
  }
  const nodes: PictureNode[] = [];
  const edges: Array<[number, number]> = [];
  const add = (n: PictureNode) => {
    if (nodes.length > 0) edges.push([nodes.length - 1, nodes.length]);
    nodes.push(n);
  };
  path.forEach((id, i) => {
    if (i > 0) {
      const hop = hops.get(`${path[i - 1]}\u0000${id}`);
      if (hop) {
        const method = text(hop.method, '', 200);
        const title = safeLabel(methodById(method)?.title ?? method, 500);
        const statements = Array.isArray(hop.statements)
          ? hop.statements.map((s) => text(rec(s)?.policyName, '', 300)).filter((s) => s !== '')
          : [];
        const conditional = hop.decision === 'conditional' ? ' (conditional)' : '';
        const granted = statements.length ? `; granted by ${safeLabel([...new Set(statements)].join(', '), 1_000)}` : '';
        add({ kind: 'method', caption: `method${conditional}`, full: `${title}${granted}`, lines: wrapLabel(title, LINE_COLUMNS, METHOD_LINES) });
      }
    }
    add(pathNode(graph, id, i === path.length - 1));
  });
  if (adminWhy !== undefined) {
    const why = safeLabel(adminWhy, 1_000);
    add({ kind: 'policy', caption: 'is admin because', full: why, lines: wrapLabel(why, LINE_COLUMNS, WHY_LINES), explains: true });
  }
  return { nodes, edges };
}

// -----------------------------------------------------------------------------------------------------------------
// Layout and SVG

/** Drawing constants (px): a 12px monospace font, so a label's width follows from its column count. */
const CHAR_W = 7.4;
const LINE_H = 15;
const PAD_X = 10;
const PAD_Y = 7;

export interface PlacedNode extends PictureNode {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface PictureLayout {
  width: number;
  height: number;
  nodes: PlacedNode[];
  edges: Array<{ points: Array<{ x: number; y: number }> }>;
}

function nodeSize(n: PictureNode): { width: number; height: number } {
  const columns = Math.max(stringWidth(n.caption), ...n.lines.map((l) => stringWidth(l)), 4);
  return { width: Math.ceil(columns * CHAR_W + 2 * PAD_X), height: (n.lines.length + 1) * LINE_H + 2 * PAD_Y };
}

/** Left to right for short paths, top to bottom once a row would get too wide to read. */
export function layoutPicture(model: PictureModel): PictureLayout {
  const g = new dagre.graphlib.Graph();
  g.setGraph({ rankdir: model.nodes.length <= 5 ? 'LR' : 'TB', nodesep: 24, ranksep: 36, marginx: 8, marginy: 8 });
  g.setDefaultEdgeLabel(() => ({}));
  model.nodes.forEach((n, i) => g.setNode(String(i), nodeSize(n)));
  for (const [a, b] of model.edges) g.setEdge(String(a), String(b));
  dagre.layout(g);
  const graph = g.graph() as { width?: number; height?: number };
  const nodes = model.nodes.map((n, i) => {
    const l = g.node(String(i)) as { x: number; y: number; width: number; height: number };
    return { ...n, x: l.x, y: l.y, width: l.width, height: l.height };
  });
  const edges = model.edges.map(([a, b]) => ({ points: ((g.edge(String(a), String(b)) as { points?: Array<{ x: number; y: number }> }).points ?? []).slice() }));
  return { width: Math.ceil(graph.width ?? 0), height: Math.ceil(graph.height ?? 0), nodes, edges };
}

const num = (v: number) => (Number.isFinite(v) ? String(Math.round(v * 10) / 10) : '0');

/**
 * The layout as an inline <svg> element (XML-well-formed, so the page also parses as XHTML). `esc` escapes text
 * for element content and attribute values; `key` makes the arrowhead marker id unique in the page.
 */
export function pictureSvg(layout: PictureLayout, key: string, summary: string, esc: (s: string) => string): string {
  const out: string[] = [];
  const marker = `arrow-${key}`;
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" class="path-svg" viewBox="0 0 ${layout.width} ${layout.height}" width="${layout.width}" height="${layout.height}" role="img">`,
    `<title>${esc(summary)}</title>`,
    `<defs><marker id="${marker}" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse"><path d="M0,0L10,5L0,10z" class="arrowhead"/></marker></defs>`,
  );
  for (const e of layout.edges) {
    if (e.points.length < 2) continue;
    const d = e.points.map((p, i) => `${i === 0 ? 'M' : 'L'}${num(p.x)},${num(p.y)}`).join('');
    out.push(`<path class="edge" d="${d}" marker-end="url(#${marker})"/>`);
  }
  for (const n of layout.nodes) {
    const left = n.x - n.width / 2;
    const top = n.y - n.height / 2;
    const rx = n.kind === 'method' ? n.height / 2 : 4;
    out.push(`<g class="node ${n.kind}"><title>${esc(`${n.caption}: ${n.full}`)}</title>`);
    out.push(`<rect x="${num(left)}" y="${num(top)}" width="${num(n.width)}" height="${num(n.height)}" rx="${num(Math.min(rx, 14))}"/>`);
    out.push(`<text x="${num(n.x)}" y="${num(top + PAD_Y + LINE_H - 3)}" class="caption">${esc(n.caption)}</text>`);
    n.lines.forEach((line, i) => {
      out.push(`<text x="${num(n.x)}" y="${num(top + PAD_Y + (i + 2) * LINE_H - 3)}" class="label">${esc(line)}</text>`);
    });
    out.push('</g>');
  }
  out.push('</svg>');
  return out.join('');
}
