/**
 * Record-level validation shared by the connectors that read exports (and API answers) with zod schemas: a record that
 * does not fit is skipped with a coverage note that names it (file, list, index, name when one is readable, what was
 * wrong), everything else is kept. Many records skipped for the same reason fold into one note with a count and the
 * first few names, so a damaged export of 50,000 users gives a handful of notes, not 50,000.
 */
import { z } from 'zod';
import type { CoverageNote } from '../src/model/types.js';
import { safeLabel } from '../src/util/text.js';

/** An optional field: absent, or `null` (as JSON exports and some client libraries write "absent"), read as absent. */
export function opt<T extends z.ZodType>(schema: T) {
  return schema.nullish().transform((v) => (v === null ? undefined : v) as Exclude<z.output<T>, null>);
}

/** Whether a JSON value nests at most `max` levels of objects and lists (checked without recursion). */
export function depthWithin(v: unknown, max: number): boolean {
  const stack: Array<[unknown, number]> = [[v, 1]];
  while (stack.length > 0) {
    const [x, d] = stack.pop()!;
    if (x === null || typeof x !== 'object') continue;
    if (d > max) return false;
    for (const c of Object.values(x as Record<string, unknown>)) if (c !== null && typeof c === 'object') stack.push([c, d + 1]);
  }
  return true;
}

/** What kind of value `v` is, in words (`null`, `a number`, `a list`, ...): never the value itself. */
export function kindOf(v: unknown): string {
  if (v === null) return 'null';
  if (v === undefined) return 'nothing';
  if (Array.isArray(v)) return 'a list';
  if (v instanceof Date) return 'a date';
  switch (typeof v) {
    case 'string':
      return 'a string';
    case 'number':
      return 'a number';
    case 'boolean':
      return 'true/false';
    case 'object':
      return 'an object';
    default:
      return typeof v;
  }
}

const EXPECTED: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  object: 'an object',
  array: 'a list',
  date: 'a date',
  record: 'an object',
};

/** `Tags[0].Value`; keys that are not plain identifiers are quoted and cut. */
export function pathText(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const k of path) {
    if (typeof k === 'number') out += `[${k}]`;
    else if (typeof k === 'string' && /^[A-Za-z_][A-Za-z0-9_-]{0,63}$/.test(k)) out += out ? `.${k}` : k;
    else out += `["${safeLabel(String(k), 40)}"]`;
  }
  return out;
}

function valueAt(root: unknown, path: ReadonlyArray<PropertyKey>): unknown {
  let v = root;
  for (const k of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[k];
  }
  return v;
}

function count(n: number): string {
  return n.toLocaleString('en-US');
}

/**
 * One zod issue as a short sentence about the input: `RoleName is not a string (got a number)`,
 * `Arn is 1,048,576 characters long, more than AWS allows (2,048)`. `platform` names whose limits apply.
 */
export function describeIssue(issue: z.core.$ZodIssue, root: unknown, platform: string): string {
  const where = pathText(issue.path) || 'the entry';
  const value = valueAt(root, issue.path);
  switch (issue.code) {
    case 'invalid_type': {
      const expected = EXPECTED[issue.expected] ?? issue.expected;
      return `${where} is not ${expected} (got ${kindOf(value)})`;
    }
    case 'too_big': {
      const max = Number(issue.maximum);
      if (issue.origin === 'string' && typeof value === 'string') return `${where} is ${count(value.length)} characters long, more than ${platform} allows (${count(max)})`;
      if (issue.origin === 'array' && Array.isArray(value)) return `${where} has ${count(value.length)} entries, more than ${platform} allows (${count(max)})`;
      return `${where} is larger than ${platform} allows (${count(max)})`;
    }
    case 'too_small':
      return issue.origin === 'string' ? `${where} is empty` : `${where} is too small`;
    case 'invalid_union':
      return `${where} has an unexpected shape (got ${kindOf(value)})`;
    default:
      // our own messages (regex and refinements) are written to follow the field name
      return `${where} ${safeLabel(issue.message, 160)}`;
  }
}

export type Checked<T> = { ok: true; value: T } | { ok: false; problem: string };

/** Parse one record; on failure, the first problem in words. */
export function checkRecord<S extends z.ZodType>(schema: S, value: unknown, platform: string): Checked<z.output<S>> {
  const r = schema.safeParse(value);
  if (r.success) return { ok: true, value: r.data };
  return { ok: false, problem: describeIssue(r.error.issues[0], value, platform) };
}

export interface Skip {
  /** provenance-style source of the note (`file:authz.json`, `iam:GetAccountAuthorizationDetails`) */
  source: string;
  /** the input as people know it, first in the message (`authz.json`, `acme-prod/keys/x.json`) */
  where: string;
  /** what to group by and name in a summary (`RoleDetailList`, `rows`; '' when the input itself is the list) */
  list: string;
  /** this record's place (`RoleDetailList[3]`, `line 7`, `[3]` right after `where`; '' for the input as a whole) */
  at: string;
  /** `role`, `user`, `row`, `service account` */
  noun: string;
  /** a readable name of the record, if it has one (untrusted: cut and made safe here) */
  label?: string;
  /** what was wrong, one clause */
  problem: string;
  scope?: string;
  /** what the report misses for one such record */
  impact: string;
}

interface Group {
  first: Skip;
  count: number;
  examples: string[];
}

const MAX_EXAMPLES = 3;
const MAX_GROUPS_PER_SOURCE = 10;

function plural(noun: string, n: number): string {
  if (n === 1) return noun;
  if (noun.endsWith('y') && !/[aeiou]y$/.test(noun)) return `${noun.slice(0, -1)}ies`;
  if (/(s|x|ch|sh)$/.test(noun)) return `${noun}es`;
  return `${noun}s`;
}

/** Problems with the indices taken out, so the same defect in different records groups together. */
function kindKey(problem: string): string {
  return problem.replace(/\[\d+\]/g, '[]');
}

/** Collects skipped records; `notes()` folds them into a bounded number of coverage notes. */
export class SkipLog {
  private readonly groups = new Map<string, Group>();
  private readonly overflow = new Map<string, { count: number; first: Skip }>();
  private readonly perSource = new Map<string, number>();
  private total = 0;

  constructor(private readonly connector: string) {}

  get size(): number {
    return this.total;
  }

  skip(s: Skip): void {
    this.total++;
    const label = s.label !== undefined && s.label !== '' ? safeLabel(s.label, 60) : undefined;
    const example = label !== undefined ? `${s.at} '${label}'`.trim() : s.at;
    const key = `${s.source}\u0000${s.where}\u0000${s.list}\u0000${s.noun}\u0000${kindKey(s.problem)}`;
    const g = this.groups.get(key);
    if (g) {
      g.count++;
      if (g.examples.length < MAX_EXAMPLES) g.examples.push(example);
      return;
    }
    const groupsHere = this.perSource.get(s.source) ?? 0;
    if (groupsHere >= MAX_GROUPS_PER_SOURCE) {
      const o = this.overflow.get(s.source);
      if (o) o.count++;
      else this.overflow.set(s.source, { count: 1, first: s });
      return;
    }
    this.perSource.set(s.source, groupsHere + 1);
    this.groups.set(key, { first: { ...s, label }, count: 1, examples: [example] });
  }

  notes(): CoverageNote[] {
    const out: CoverageNote[] = [];
    for (const { first: s, count: n, examples } of this.groups.values()) {
      const place = s.at === '' ? s.where : s.at.startsWith('[') ? `${s.where}${s.at}` : `${s.where}: ${s.at}`;
      const message =
        n === 1
          ? `${place}${s.label !== undefined ? ` (${s.noun} '${s.label}')` : ''}: ${s.problem}; this ${s.noun} is skipped`
          : `${s.where}${s.list ? `: ${s.list}` : ''}: ${count(n)} ${plural(s.noun, n)} skipped because ${kindKey(s.problem)} (first: ${examples.join(', ')})`;
      out.push(this.note(s, message, n === 1 ? s.impact : `${count(n)} ${plural(s.noun, n)} are missing from the report: ${s.impact}`));
    }
    for (const [, { count: n, first: s }] of this.overflow) {
      out.push(this.note(s, `${s.where}: ${count(n)} more ${n === 1 ? 'record' : 'records'} skipped for other problems (first: ${s.at ? `${s.at}: ` : ''}${s.problem})`, 'the skipped records are missing from the report'));
    }
    return out;
  }

  private note(s: Skip, message: string, impact: string): CoverageNote {
    const note: CoverageNote = { connector: this.connector, source: s.source, reason: 'invalid-input', message: safeLabel(message, 600), impact, incomplete: true };
    if (s.scope) note.scope = s.scope;
    return note;
  }
}
