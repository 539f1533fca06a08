/**
 * `nhi inventory`: the identities and credentials of a snapshot, as aligned text tables or JSON
 * (`{ schemaVersion, summary, principals[], credentials[] }`). Dates: `never` when the platform says so (null),
 * `unknown` when nothing is known (undefined), `none since DATE` when the platform's usage record starts after the
 * identity or credential was created; in JSON null = never (or none since `usageRecordedSince`) and an absent field =
 * unknown.
 *
 * Principals are split the way every report counts them: identities first, then groups and trust anchors (which the
 * scan summary, the JSON report and `nhi snapshots` do not count as identities), so the numbers agree.
 * Text output goes to a terminal: every value from the estate goes through `safeLabel` (no escape sequences, no
 * control characters, bounded width).
 */
import type { IdentityGraph } from '../../src/graph/graph.js';
import type { IdentityNode } from '../../src/model/types.js';
import { safeLabel } from '../../src/util/text.js';
import {
  compareCredentialRows,
  comparePrincipalRows,
  credentialRow,
  dayOrSentinel,
  NON_IDENTITY_TYPES,
  principalRow,
  text,
  type CredentialRow,
  type PrincipalRow,
} from '../shared.js';

export const INVENTORY_SCHEMA_VERSION = '1.2.0';

/** Widest value printed in one text cell (JSON carries the full value). */
const MAX_CELL = 120;

export interface InventoryFilter {
  kind?: 'principal' | 'credential';
  platform?: string;
  /** node type (`iam-user`, `access-key`); for credentials the credential type matches too */
  type?: string;
}

export interface InventoryJson {
  schemaVersion: string;
  /** counts of the rows listed (since 1.2.0): identities are the principals that are not groups or trust anchors */
  summary: { identities: number; principals: number; credentials: number };
  principals: PrincipalRow[];
  credentials: CredentialRow[];
}

const isIdentityRow = (p: PrincipalRow) => !NON_IDENTITY_TYPES.has(p.type);

function matches(n: IdentityNode, f: InventoryFilter): boolean {
  if (f.platform && text(n.platform).toLowerCase() !== f.platform.toLowerCase()) return false;
  if (f.type) {
    const t = f.type.toLowerCase();
    const types = [text(n.type).toLowerCase()];
    if (n.kind === 'credential') types.push(text(n.credentialType).toLowerCase());
    if (!types.includes(t)) return false;
  }
  return true;
}

export function inventory(graph: IdentityGraph, filter: InventoryFilter = {}): InventoryJson {
  const principals =
    filter.kind === 'credential'
      ? []
      : [...graph.principals()].filter((p) => matches(p, filter)).map((p) => principalRow(graph, p)).sort(comparePrincipalRows);
  const credentials =
    filter.kind === 'principal'
      ? []
      : [...graph.credentials()].filter((c) => matches(c, filter)).map((c) => credentialRow(graph, c)).sort(compareCredentialRows);
  const summary = { identities: principals.filter(isIdentityRow).length, principals: principals.length, credentials: credentials.length };
  return { schemaVersion: INVENTORY_SCHEMA_VERSION, summary, principals, credentials };
}

export function renderInventoryJson(graph: IdentityGraph, filter: InventoryFilter = {}): string {
  return `${JSON.stringify(inventory(graph, filter), null, 2)}\n`;
}

/** One line per cell, safe for a terminal: escape sequences and control characters would break the table. */
function cell(v: unknown): string {
  const s = safeLabel(text(v), MAX_CELL);
  return s.trim() === '' ? '-' : s;
}

function table(headers: string[], rows: string[][]): string[] {
  // a reduce, not Math.max(...rows): a spread of a large estate's rows would overflow the call stack
  const widths = headers.map((h, i) => rows.reduce((w, r) => Math.max(w, r[i].length), h.length));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(headers), ...rows.map(line)];
}

/** `out.push(...lines)` without the spread, which overflows the call stack for a large estate. */
function append(out: string[], lines: readonly string[]): void {
  for (const l of lines) out.push(l);
}

function principalTable(rows: PrincipalRow[]): string[] {
  if (rows.length === 0) return ['  none match'];
  return table(
    ['NAME', 'TYPE', 'ACCOUNT TYPE', 'SCOPE', 'CREATED', 'LAST ACTIVITY', 'OWNER', 'CREDENTIALS'],
    rows.map((p) => [
      cell(p.name),
      cell(p.type),
      p.accountType + (p.disabled ? ' (disabled)' : ''),
      cell(p.scope),
      dayOrSentinel(p.createdAt),
      dayOrSentinel(p.lastActivityAt, p.usageRecordedSince),
      cell(p.owner),
      String(p.credentialCount),
    ]),
  );
}

export function renderInventoryText(graph: IdentityGraph, filter: InventoryFilter = {}): string {
  const inv = inventory(graph, filter);
  const out: string[] = [];
  if (filter.kind !== 'credential') {
    const identities = inv.principals.filter(isIdentityRow);
    const others = inv.principals.filter((p) => !isIdentityRow(p));
    out.push(`Identities (${identities.length})`);
    append(out, principalTable(identities));
    if (others.length) {
      out.push('', `Groups and trust anchors (${others.length}, not counted as identities)`);
      append(out, principalTable(others));
    }
  }
  if (filter.kind !== 'principal') {
    if (out.length) out.push('');
    out.push(`Credentials (${inv.credentials.length})`);
    if (inv.credentials.length === 0) out.push('  none match');
    else
      append(
        out,
        table(
          ['NAME', 'TYPE', 'HOLDER', 'ACTIVE', 'CREATED', 'LAST ROTATED', 'LAST USED'],
          inv.credentials.map((c) => [
            cell(c.name),
            cell(c.credentialType),
            c.holder ? `${cell(c.holder.name)} (${cell(c.holder.type)})` : '-',
            c.active ? 'yes' : 'no',
            dayOrSentinel(c.createdAt),
            dayOrSentinel(c.lastRotatedAt),
            dayOrSentinel(c.lastUsedAt, c.usageRecordedSince),
          ]),
        ),
      );
  }
  return `${out.join('\n')}\n`;
}
