/**
 * `nhi inventory`: the identities and credentials of a snapshot, as an aligned text table or JSON
 * (`{ schemaVersion, principals[], credentials[] }`). Dates: `never` when the platform says so (null), `unknown` when
 * nothing is known (undefined), `none since DATE` when the platform's usage record starts after the identity or
 * credential was created; in JSON null = never (or none since `usageRecordedSince`) and an absent field = unknown.
 */
import type { IdentityGraph } from '../../src/graph/graph.js';
import type { IdentityNode } from '../../src/model/types.js';
import {
  compareCredentialRows,
  comparePrincipalRows,
  credentialRow,
  dayOrSentinel,
  oneLine,
  principalRow,
  type CredentialRow,
  type PrincipalRow,
} from '../shared.js';

export const INVENTORY_SCHEMA_VERSION = '1.1.0';

export interface InventoryFilter {
  kind?: 'principal' | 'credential';
  platform?: string;
  /** node type (`iam-user`, `access-key`); for credentials the credential type matches too */
  type?: string;
}

export interface InventoryJson {
  schemaVersion: string;
  principals: PrincipalRow[];
  credentials: CredentialRow[];
}

function matches(n: IdentityNode, f: InventoryFilter): boolean {
  if (f.platform && n.platform.toLowerCase() !== f.platform.toLowerCase()) return false;
  if (f.type) {
    const t = f.type.toLowerCase();
    const types = [n.type.toLowerCase()];
    if (n.kind === 'credential') types.push(String(n.credentialType).toLowerCase());
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
  return { schemaVersion: INVENTORY_SCHEMA_VERSION, principals, credentials };
}

export function renderInventoryJson(graph: IdentityGraph, filter: InventoryFilter = {}): string {
  return `${JSON.stringify(inventory(graph, filter), null, 2)}\n`;
}

/** One line per cell: control characters would break the table. */
function cell(v: string | undefined): string {
  if (v === undefined || v === '') return '-';
  return oneLine(v);
}

function table(headers: string[], rows: string[][]): string[] {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(headers), ...rows.map(line)];
}

export function renderInventoryText(graph: IdentityGraph, filter: InventoryFilter = {}): string {
  const inv = inventory(graph, filter);
  const out: string[] = [];
  if (filter.kind !== 'credential') {
    out.push(`Principals (${inv.principals.length})`);
    if (inv.principals.length === 0) out.push('  none match');
    else
      out.push(
        ...table(
          ['NAME', 'TYPE', 'ACCOUNT TYPE', 'SCOPE', 'CREATED', 'LAST ACTIVITY', 'OWNER', 'CREDENTIALS'],
          inv.principals.map((p) => [
            cell(p.name),
            cell(p.type),
            p.accountType + (p.disabled ? ' (disabled)' : ''),
            cell(p.scope),
            dayOrSentinel(p.createdAt),
            dayOrSentinel(p.lastActivityAt, p.usageRecordedSince),
            cell(p.owner),
            String(p.credentialCount),
          ]),
        ),
      );
  }
  if (filter.kind !== 'principal') {
    if (out.length) out.push('');
    out.push(`Credentials (${inv.credentials.length})`);
    if (inv.credentials.length === 0) out.push('  none match');
    else
      out.push(
        ...table(
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
