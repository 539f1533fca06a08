/**
 * Normalise IAM policy documents (identity policies, permission boundaries, trust policies) into one small shape.
 *
 * IAM accepts a string or an array almost everywhere, a single statement object instead of an array, and
 * `Principal: "*"`; exports may hand us the document as a JSON string or URL-encoded JSON. Everything here turns
 * that into arrays of strings so the evaluators never have to branch on shape again. Problems are collected in
 * `issues` rather than thrown: a malformed statement is skipped, the rest of the document still counts.
 */

export type Effect = 'Allow' | 'Deny';

/** Principals of a statement, grouped by type. `anyone` is true for `"*"` and `{ "AWS": "*" }`. */
export interface PrincipalSet {
  anyone: boolean;
  /** key = principal type as written (`AWS`, `Federated`, `Service`, `CanonicalUser`), values as written */
  byType: Record<string, string[]>;
}

/** Condition block: operator (case kept, e.g. `StringLike`, `ForAnyValue:StringEquals`) → key → values. */
export type Conditions = Record<string, Record<string, string[]>>;

export interface Statement {
  /** position in the document's Statement array (0 for a single statement object) */
  index: number;
  sid?: string;
  effect: Effect;
  actions?: string[];
  notActions?: string[];
  resources?: string[];
  notResources?: string[];
  principals?: PrincipalSet;
  notPrincipals?: PrincipalSet;
  conditions?: Conditions;
}

export interface PolicyDocument {
  version?: string;
  statements: Statement[];
  issues: string[];
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Look a key up case-insensitively (IAM element names such as `Statement`, `Effect` are matched that way by tools). */
function field(obj: Record<string, unknown>, name: string): unknown {
  if (name in obj) return obj[name];
  const lower = name.toLowerCase();
  for (const [k, v] of Object.entries(obj)) if (k.toLowerCase() === lower) return v;
  return undefined;
}

function scalarToString(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}

/** String or array of strings (numbers and booleans become strings, as IAM treats them). */
function stringList(v: unknown, what: string, issues: string[]): string[] | undefined {
  if (v === undefined || v === null) return undefined;
  const arr = Array.isArray(v) ? v : [v];
  const out: string[] = [];
  for (const item of arr) {
    const s = scalarToString(item);
    if (s === undefined) issues.push(`${what}: ignored a value that is not a string`);
    else out.push(s);
  }
  return out;
}

function principalSet(v: unknown, what: string, issues: string[]): PrincipalSet | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') {
    if (v.trim() === '*') return { anyone: true, byType: {} };
    issues.push(`${what}: a string principal other than "*" is not valid IAM`);
    return { anyone: false, byType: { AWS: [v] } };
  }
  if (!isRecord(v)) {
    issues.push(`${what}: expected "*" or an object`);
    return undefined;
  }
  const byType: Record<string, string[]> = {};
  let anyone = false;
  for (const [type, raw] of Object.entries(v)) {
    const values = stringList(raw, `${what}.${type}`, issues) ?? [];
    byType[type] = values;
    if (type.toLowerCase() === 'aws' && values.some((x) => x.trim() === '*')) anyone = true;
  }
  return { anyone, byType };
}

function conditions(v: unknown, what: string, issues: string[]): Conditions | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isRecord(v)) {
    issues.push(`${what}: expected an object`);
    return undefined;
  }
  const out: Conditions = {};
  for (const [op, block] of Object.entries(v)) {
    if (!isRecord(block)) {
      issues.push(`${what}.${op}: expected an object of condition keys`);
      continue;
    }
    const keys: Record<string, string[]> = {};
    for (const [key, raw] of Object.entries(block)) keys[key] = stringList(raw, `${what}.${op}.${key}`, issues) ?? [];
    out[op] = keys;
  }
  return out;
}

function statement(raw: unknown, index: number, issues: string[]): Statement | undefined {
  const where = `Statement[${index}]`;
  if (!isRecord(raw)) {
    issues.push(`${where}: not an object, skipped`);
    return undefined;
  }
  const effectRaw = scalarToString(field(raw, 'Effect'))?.trim().toLowerCase();
  if (effectRaw !== 'allow' && effectRaw !== 'deny') {
    issues.push(`${where}: Effect must be Allow or Deny, skipped`);
    return undefined;
  }
  const st: Statement = { index, effect: effectRaw === 'allow' ? 'Allow' : 'Deny' };
  const sid = scalarToString(field(raw, 'Sid'));
  if (sid !== undefined && sid !== '') st.sid = sid;
  const actions = stringList(field(raw, 'Action'), `${where}.Action`, issues);
  const notActions = stringList(field(raw, 'NotAction'), `${where}.NotAction`, issues);
  if (actions) st.actions = actions.map((a) => a.trim());
  if (notActions) st.notActions = notActions.map((a) => a.trim());
  if (actions && notActions) issues.push(`${where}: both Action and NotAction`);
  const resources = stringList(field(raw, 'Resource'), `${where}.Resource`, issues);
  const notResources = stringList(field(raw, 'NotResource'), `${where}.NotResource`, issues);
  if (resources) st.resources = resources.map((r) => r.trim());
  if (notResources) st.notResources = notResources.map((r) => r.trim());
  const principals = principalSet(field(raw, 'Principal'), `${where}.Principal`, issues);
  const notPrincipals = principalSet(field(raw, 'NotPrincipal'), `${where}.NotPrincipal`, issues);
  if (principals) st.principals = principals;
  if (notPrincipals) st.notPrincipals = notPrincipals;
  const conds = conditions(field(raw, 'Condition'), `${where}.Condition`, issues);
  if (conds && Object.keys(conds).length > 0) st.conditions = conds;
  return st;
}

/** Decode a document given as a string: plain JSON or URL-encoded JSON (as the IAM API returns it). */
function decodeString(s: string, issues: string[]): unknown {
  const text = s.trim();
  if (text === '') {
    issues.push('empty policy document');
    return undefined;
  }
  const attempts = text.startsWith('{') || text.startsWith('[') ? [text] : [];
  if (text.includes('%')) {
    try {
      attempts.push(decodeURIComponent(text.replace(/\+/g, ' ')));
    } catch {
      // not URL-encoded after all
    }
    try {
      attempts.push(decodeURIComponent(text));
    } catch {
      // ignore
    }
  }
  if (attempts.length === 0) attempts.push(text);
  for (const candidate of attempts) {
    try {
      return JSON.parse(candidate) as unknown;
    } catch {
      // try the next form
    }
  }
  issues.push('policy document is not valid JSON (plain or URL-encoded)');
  return undefined;
}

const objectCache = new WeakMap<object, PolicyDocument>();
const stringCache = new Map<string, PolicyDocument>();
const STRING_CACHE_MAX = 5000;

/**
 * Normalise a policy document. Results are memoised per document object (and per string), so callers may call
 * this freely for documents shared by many principals. Treat the result as read-only.
 */
export function parsePolicy(input: unknown): PolicyDocument {
  if (isRecord(input) || Array.isArray(input)) {
    const cached = objectCache.get(input);
    if (cached) return cached;
    const doc = build(input);
    objectCache.set(input, doc);
    return doc;
  }
  if (typeof input === 'string') {
    const cached = stringCache.get(input);
    if (cached) return cached;
    const issues: string[] = [];
    const decoded = decodeString(input, issues);
    const doc = decoded === undefined ? { statements: [], issues } : build(decoded, issues);
    if (stringCache.size >= STRING_CACHE_MAX) stringCache.clear();
    stringCache.set(input, doc);
    return doc;
  }
  if (input === undefined || input === null) return { statements: [], issues: ['no policy document'] };
  return { statements: [], issues: ['policy document is neither an object nor a string'] };
}

function build(decoded: unknown, issues: string[] = []): PolicyDocument {
  let rawStatements: unknown;
  let version: string | undefined;
  if (Array.isArray(decoded)) {
    // tolerate a bare statement list
    rawStatements = decoded;
  } else if (isRecord(decoded)) {
    version = scalarToString(field(decoded, 'Version'));
    rawStatements = field(decoded, 'Statement');
    if (rawStatements === undefined) issues.push('no Statement element');
  } else {
    issues.push('policy document is not a JSON object');
  }
  const list = rawStatements === undefined ? [] : Array.isArray(rawStatements) ? rawStatements : [rawStatements];
  const statements: Statement[] = [];
  list.forEach((raw, i) => {
    const st = statement(raw, i, issues);
    if (st) statements.push(st);
  });
  const doc: PolicyDocument = { statements, issues };
  if (version !== undefined) doc.version = version;
  return doc;
}

/** True when a Resource list covers every resource (`*`). NotResource statements are handled by the caller. */
export function coversAllResources(st: Pick<Statement, 'resources' | 'notResources'>): boolean {
  if (st.notResources) return false;
  return (st.resources ?? []).some((r) => r === '*' || r === 'arn:*' || r === 'arn:aws:*:*:*:*' || r === 'arn:*:*:*:*:*');
}

export { globRegExp } from '../util/glob.js';
