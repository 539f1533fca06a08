/**
 * IAM condition operators and ARN matching, in three-valued logic (false / unknown / true), as AWS documents them
 * ("IAM JSON policy elements: Condition operators", "Creating a condition with multiple keys or values"):
 *
 * - Several values for one key: OR; several keys or operators: AND (the caller combines entries).
 * - Negated operators (`StringNotEquals`, `ArnNotLike`, `NotIpAddress`, ...) hold when the request value matches
 *   none of the policy values.
 * - A key absent from the request: the condition is false, except for negated operators (true), `...IfExists`
 *   (true), `Null` (tests presence), `ForAllValues:` (true: vacuous) and `ForAnyValue:` (false).
 * - `ForAnyValue:` holds when some request value passes; `ForAllValues:` when every request value passes (a negated
 *   base operator is applied per request value).
 * - String operators are case-sensitive except `...IgnoreCase`; `StringLike` and the ARN operators know `*` and `?`;
 *   ARN operators compare the six colon-separated parts of an ARN one by one (the sixth keeps its colons).
 * - Policy variables are substituted in String, ARN and Bool values only.
 *
 * A key's state for a request is either unknown, or known as one or more possible worlds (each: the values, or
 * null when the key is absent). A condition is decided only when every world gives the same answer, so "an IAM
 * user's MultiFactorAuthPresent is absent with access keys and false without MFA" decides `Bool ... true` (false in
 * both) but not `Bool ... false`.
 */
import { BlockList, isIP } from 'node:net';
import { compileGlobParts, GLOB_ONE, GLOB_STAR, type GlobMatcher, type GlobPart } from '../util/glob.js';
import { ANY_VALUE, asGlobParts, literalText, parseTemplate, resolveTemplate, type Template, type Token, type VarValue } from './variables.js';

/** Three-valued truth: 0 false, 1 unknown, 2 true. AND = min, OR = max, NOT = 2 - x. */
export type Tri = 0 | 1 | 2;
export const FALSE: Tri = 0;
export const UNKNOWN: Tri = 1;
export const TRUE: Tri = 2;
export const not3 = (x: Tri): Tri => (2 - x) as Tri;

// ---------------------------------------------------------------------------------------------------------------
// ARN patterns (Resource / NotResource elements and the Arn* operators)

export interface ArnMatcher {
  /** does the value match, taking every unknown variable value as "anything"? */
  test(value: string): boolean;
  /** the pattern holds an unknown variable value: a match is only possible (unknown), never certain */
  readonly uncertain: boolean;
}

const MATCH_ALL: ArnMatcher = { test: (v) => typeof v === 'string', uncertain: false };

/** Split a value into at most six colon-separated fields; the sixth keeps any further colons. */
function splitArn(value: string): string[] {
  const out: string[] = [];
  let from = 0;
  while (out.length < 5) {
    const i = value.indexOf(':', from);
    if (i < 0) break;
    out.push(value.slice(from, i));
    from = i + 1;
  }
  out.push(value.slice(from));
  return out;
}

function splitTokens(tokens: readonly Token[]): GlobPart[][] {
  const fields: GlobPart[][] = [[]];
  for (const t of tokens) {
    if (typeof t !== 'string') {
      fields[fields.length - 1].push(t === ANY_VALUE ? GLOB_STAR : t);
      continue;
    }
    let rest = t;
    while (fields.length < 6) {
      const i = rest.indexOf(':');
      if (i < 0) break;
      if (i > 0) fields[fields.length - 1].push(rest.slice(0, i));
      fields.push([]);
      rest = rest.slice(i + 1);
    }
    if (rest) fields[fields.length - 1].push(rest);
  }
  return fields;
}

/**
 * Match ARNs the way IAM matches Resource entries and ArnLike values: case-sensitive, `*` and `?` inside each of the
 * six colon-separated parts (the resource part keeps its colons, so `*` there spans them). A pattern with fewer
 * parts whose last part ends in `*` (`arn:aws:s3:*`, `*`) lets that star run over the rest of the ARN.
 */
export function compileArnPattern(tokens: readonly Token[]): ArnMatcher {
  const uncertain = tokens.includes(ANY_VALUE);
  if (tokens.length === 1 && (tokens[0] === GLOB_STAR || tokens[0] === ANY_VALUE)) return uncertain ? { test: MATCH_ALL.test, uncertain } : MATCH_ALL;
  const literal = literalText(tokens);
  if (literal !== undefined) return { test: (v) => v === literal, uncertain: false };
  const fields = splitTokens(tokens);
  const last = fields[fields.length - 1];
  const spill = fields.length < 6 && last.length > 0 && last[last.length - 1] === GLOB_STAR;
  const matchers: GlobMatcher[] = fields.map((f) => compileGlobParts(f, { caseSensitive: true }));
  const n = fields.length;
  return {
    uncertain,
    test(value: string): boolean {
      if (typeof value !== 'string') return false;
      const vf = splitArn(value);
      if (spill) {
        if (vf.length < n) return false;
        for (let i = 0; i < n - 1; i++) if (!matchers[i].test(vf[i])) return false;
        return matchers[n - 1].test(vf.slice(n - 1).join(':'));
      }
      if (vf.length !== n) return false;
      for (let i = 0; i < n; i++) if (!matchers[i].test(vf[i])) return false;
      return true;
    },
  };
}

type Ch = string | typeof GLOB_STAR | typeof GLOB_ONE;

/** The six fields of an ARN pattern as single characters and wildcards; a spilling short pattern is padded with `*`. */
function arnFields(tokens: readonly Token[]): Ch[][] | undefined {
  if (tokens.includes(ANY_VALUE)) return undefined;
  const fields = splitTokens(tokens).map((f) => f.flatMap((p): Ch[] => (typeof p === 'string' ? [...p] : [p])));
  if (fields.length < 6) {
    const last = fields[fields.length - 1];
    if (last.length === 0 || last[last.length - 1] !== GLOB_STAR) return undefined;
    while (fields.length < 6) fields.push([GLOB_STAR]);
  }
  return fields;
}

/** A string both globs match (stars filled as sparingly as possible, `?` as `x`), or undefined when none exists. */
function intersectField(a: Ch[], b: Ch[]): string | undefined {
  if ((a.length + 1) * (b.length + 1) > 40_000) return undefined;
  const width = b.length + 1;
  const memo = new Map<number, string | null>();
  const char = (x: Ch): string => (x === GLOB_ONE ? 'x' : (x as string));
  const f = (i: number, j: number): string | null => {
    const k = i * width + j;
    const seen = memo.get(k);
    if (seen !== undefined) return seen;
    let r: string | null = null;
    if (i === a.length && j === b.length) r = '';
    else if (i < a.length && a[i] === GLOB_STAR) {
      r = f(i + 1, j);
      if (r === null && j < b.length) {
        if (b[j] === GLOB_STAR) r = f(i, j + 1);
        else {
          const rest = f(i, j + 1);
          if (rest !== null) r = char(b[j]) + rest;
        }
      }
    } else if (j < b.length && b[j] === GLOB_STAR) {
      r = f(i, j + 1);
      if (r === null && i < a.length) {
        const rest = f(i + 1, j);
        if (rest !== null) r = char(a[i]) + rest;
      }
    } else if (i < a.length && j < b.length) {
      const x = a[i];
      const y = b[j];
      const c = x === GLOB_ONE ? char(y) : y === GLOB_ONE || x === y ? (x as string) : null;
      if (c !== null) {
        const rest = f(i + 1, j + 1);
        if (rest !== null) r = c + rest;
      }
    }
    memo.set(k, r);
    return r;
  };
  return f(0, 0) ?? undefined;
}

/**
 * A concrete ARN matched by both ARN patterns (part by part, as compileArnPattern matches), or undefined when they
 * have nothing in common (or hold an unknown variable value). Used to pick a resource of the caller's choosing.
 */
export function arnWitness(a: readonly Token[], b: readonly Token[]): string | undefined {
  const fa = arnFields(a);
  const fb = arnFields(b);
  if (!fa || !fb || fa.length !== fb.length) return undefined;
  const out: string[] = [];
  for (let i = 0; i < fa.length; i++) {
    const w = intersectField(fa[i], fb[i]);
    if (w === undefined) return undefined;
    out.push(w);
  }
  return out.join(':');
}

// ---------------------------------------------------------------------------------------------------------------
// Operators

export type Family = 'string' | 'stringIgnoreCase' | 'stringLike' | 'numeric' | 'date' | 'bool' | 'binary' | 'ip' | 'arn' | 'null';
export type Comparison = 'eq' | 'lt' | 'lte' | 'gt' | 'gte';

export interface Operator {
  family: Family;
  cmp: Comparison;
  negated: boolean;
  ifExists: boolean;
  qualifier?: 'any' | 'all';
}

const BASE_OPERATORS: Record<string, Omit<Operator, 'ifExists' | 'qualifier'>> = {
  stringequals: { family: 'string', cmp: 'eq', negated: false },
  stringnotequals: { family: 'string', cmp: 'eq', negated: true },
  stringequalsignorecase: { family: 'stringIgnoreCase', cmp: 'eq', negated: false },
  stringnotequalsignorecase: { family: 'stringIgnoreCase', cmp: 'eq', negated: true },
  stringlike: { family: 'stringLike', cmp: 'eq', negated: false },
  stringnotlike: { family: 'stringLike', cmp: 'eq', negated: true },
  numericequals: { family: 'numeric', cmp: 'eq', negated: false },
  numericnotequals: { family: 'numeric', cmp: 'eq', negated: true },
  numericlessthan: { family: 'numeric', cmp: 'lt', negated: false },
  numericlessthanequals: { family: 'numeric', cmp: 'lte', negated: false },
  numericgreaterthan: { family: 'numeric', cmp: 'gt', negated: false },
  numericgreaterthanequals: { family: 'numeric', cmp: 'gte', negated: false },
  dateequals: { family: 'date', cmp: 'eq', negated: false },
  datenotequals: { family: 'date', cmp: 'eq', negated: true },
  datelessthan: { family: 'date', cmp: 'lt', negated: false },
  datelessthanequals: { family: 'date', cmp: 'lte', negated: false },
  dategreaterthan: { family: 'date', cmp: 'gt', negated: false },
  dategreaterthanequals: { family: 'date', cmp: 'gte', negated: false },
  bool: { family: 'bool', cmp: 'eq', negated: false },
  binaryequals: { family: 'binary', cmp: 'eq', negated: false },
  ipaddress: { family: 'ip', cmp: 'eq', negated: false },
  notipaddress: { family: 'ip', cmp: 'eq', negated: true },
  arnequals: { family: 'arn', cmp: 'eq', negated: false },
  arnlike: { family: 'arn', cmp: 'eq', negated: false },
  arnnotequals: { family: 'arn', cmp: 'eq', negated: true },
  arnnotlike: { family: 'arn', cmp: 'eq', negated: true },
  null: { family: 'null', cmp: 'eq', negated: false },
};

/** Parse an operator name (`ForAnyValue:StringLikeIfExists`); undefined when IAM has no such operator. */
export function parseOperator(name: string): Operator | undefined {
  let rest = name.trim();
  let qualifier: Operator['qualifier'];
  const colon = rest.indexOf(':');
  if (colon >= 0) {
    const q = rest.slice(0, colon).toLowerCase();
    if (q === 'foranyvalue') qualifier = 'any';
    else if (q === 'forallvalues') qualifier = 'all';
    else return undefined;
    rest = rest.slice(colon + 1);
  }
  let lower = rest.toLowerCase();
  let ifExists = false;
  if (lower.endsWith('ifexists')) {
    ifExists = true;
    lower = lower.slice(0, -'ifexists'.length);
  }
  const base = BASE_OPERATORS[lower];
  if (!base || (base.family === 'null' && ifExists)) return undefined;
  const op: Operator = { ...base, ifExists };
  if (qualifier) op.qualifier = qualifier;
  return op;
}

/** Families whose values may hold policy variables. */
function takesVariables(f: Family): boolean {
  return f === 'string' || f === 'stringIgnoreCase' || f === 'stringLike' || f === 'arn' || f === 'bool';
}

// ---------------------------------------------------------------------------------------------------------------
// Values

const NUMBER_RE = /^\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*$/;

export function parseNumber(s: string): number | undefined {
  return NUMBER_RE.test(s) ? Number(s) : undefined;
}

const ISO_RE = /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?)?)?\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?$/;

/**
 * A date as IAM accepts it: a W3C profile of ISO 8601 (`2026`, `2026-05`, `2026-05-01`, `2026-05-01T10:00Z`,
 * `2026-05-01T10:00:00.123+02:00`; no zone = UTC) or epoch seconds (`1767225600`, `1767225600.5`). Milliseconds, or
 * undefined when unparseable. Four digits alone are read as a year.
 */
export function parseDate(raw: string): number | undefined {
  const s = raw.trim();
  const m = ISO_RE.exec(s);
  if (m && (s.length === 4 || m[2] !== undefined)) {
    const [, y, mo, d, h, mi, sec, frac, zone] = m;
    const month = mo ? Number(mo) : 1;
    const day = d ? Number(d) : 1;
    if (month < 1 || month > 12 || day < 1 || day > 31) return undefined;
    let ms = Date.UTC(Number(y), month - 1, day, h ? Number(h) : 0, mi ? Number(mi) : 0, sec ? Number(sec) : 0, frac ? Math.round(Number(`0.${frac}`) * 1000) : 0);
    if (zone && zone !== 'Z' && zone !== 'z') {
      const sign = zone[0] === '-' ? -1 : 1;
      const digits = zone.slice(1).replace(':', '');
      const offset = Number(digits.slice(0, 2)) * 60 + (digits.length > 2 ? Number(digits.slice(2)) : 0);
      ms -= sign * offset * 60_000;
    }
    return Number.isFinite(ms) ? ms : undefined;
  }
  if (/^\d+(\.\d+)?$/.test(s)) return Math.round(Number(s) * 1000);
  return undefined;
}

function compare(cmp: Comparison, request: number, policy: number): boolean {
  switch (cmp) {
    case 'eq':
      return request === policy;
    case 'lt':
      return request < policy;
    case 'lte':
      return request <= policy;
    case 'gt':
      return request > policy;
    case 'gte':
      return request >= policy;
  }
}

function ipFamily(addr: string): 'ipv4' | 'ipv6' | undefined {
  const v = isIP(addr);
  return v === 4 ? 'ipv4' : v === 6 ? 'ipv6' : undefined;
}

/** A CIDR block (`203.0.113.0/24`, `2001:db8::/32`; a bare address is /32 or /128), or undefined when invalid. */
export function parseCidr(raw: string): { list: BlockList; family: 'ipv4' | 'ipv6' } | undefined {
  const s = raw.trim();
  const slash = s.indexOf('/');
  const addr = slash < 0 ? s : s.slice(0, slash);
  const family = ipFamily(addr);
  if (!family) return undefined;
  const max = family === 'ipv4' ? 32 : 128;
  const prefix = slash < 0 ? max : Number(s.slice(slash + 1));
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > max) return undefined;
  const list = new BlockList();
  list.addSubnet(addr, prefix, family);
  return { list, family };
}

function decodeBase64(s: string): Buffer | undefined {
  const t = s.trim();
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(t) || t.length % 4 === 1) return undefined;
  return Buffer.from(t, 'base64');
}

// ---------------------------------------------------------------------------------------------------------------
// Compiled conditions

/** One (operator, key, values) entry of a Condition block, compiled once per document. */
export interface CompiledCondition {
  /** as written */
  operator: string;
  key: string;
  keyLower: string;
  values: string[];
  /** undefined: IAM has no such operator (the entry is unknown, never true) */
  op?: Operator;
  /** String / ARN / Bool values, with their variables */
  templates: Template[];
  /** the values use variables (resolved per principal) */
  hasVars: boolean;
  /** pre-resolved value matchers when there are no variables */
  fixed?: ValueMatcher[];
}

/** Does one request value match one policy value? (unknown only through an unknown variable value) */
type ValueMatcher = (requestValue: string) => Tri;

export function compileCondition(operator: string, key: string, values: string[], variablesEnabled: boolean): CompiledCondition {
  const op = parseOperator(operator);
  const c: CompiledCondition = { operator, key, keyLower: key.toLowerCase(), values, templates: [], hasVars: false };
  if (!op) return c;
  c.op = op;
  if (takesVariables(op.family)) {
    c.templates = values.map((v) => parseTemplate(v, variablesEnabled));
    c.hasVars = c.templates.some((t) => t.hasVars);
  }
  if (!c.hasVars) c.fixed = valueMatchers(c, () => ({ kind: 'unknown' }));
  return c;
}

/** Lower-case keys of the variables the condition's values use. */
export function conditionVariableKeys(c: CompiledCondition): string[] {
  return c.templates.flatMap((t) => t.keys);
}

const NEVER: ValueMatcher = () => FALSE;

function valueMatchers(c: CompiledCondition, lookup: (keyLower: string) => VarValue, unknownKeys?: string[]): ValueMatcher[] {
  const op = c.op!;
  switch (op.family) {
    case 'string':
    case 'stringIgnoreCase':
    case 'stringLike':
    case 'arn':
    case 'bool': {
      const wild = op.family === 'stringLike' || op.family === 'arn';
      return c.templates.map((t) => {
        const r = resolveTemplate(t, wild, lookup);
        if (r.kind === 'never') return NEVER;
        if (unknownKeys) for (const k of r.unknownKeys) if (!unknownKeys.includes(k)) unknownKeys.push(k);
        return tokenMatcher(op.family, r.tokens);
      });
    }
    case 'numeric':
      return c.values.map((v) => {
        const p = parseNumber(v);
        if (p === undefined) return NEVER;
        return (req) => {
          const n = parseNumber(req);
          return n !== undefined && compare(op.cmp, n, p) ? TRUE : FALSE;
        };
      });
    case 'date':
      return c.values.map((v) => {
        const p = parseDate(v);
        if (p === undefined) return NEVER;
        // the request value is nearly always the same (aws:CurrentTime): remember the last one parsed
        let lastReq: string | undefined;
        let lastMs: number | undefined;
        return (req) => {
          if (req !== lastReq) {
            lastReq = req;
            lastMs = parseDate(req);
          }
          return lastMs !== undefined && compare(op.cmp, lastMs, p) ? TRUE : FALSE;
        };
      });
    case 'binary':
      return c.values.map((v) => {
        const p = decodeBase64(v);
        if (!p) return NEVER;
        return (req) => {
          const b = decodeBase64(req);
          return b && b.equals(p) ? TRUE : FALSE;
        };
      });
    case 'ip':
      return c.values.map((v) => {
        const cidr = parseCidr(v);
        if (!cidr) return NEVER;
        return (req) => {
          const fam = ipFamily(req.trim());
          return fam === cidr.family && cidr.list.check(req.trim(), fam) ? TRUE : FALSE;
        };
      });
    case 'null':
      return [];
  }
}

function tokenMatcher(family: Family, tokens: Token[]): ValueMatcher {
  const uncertain = tokens.includes(ANY_VALUE);
  const hit: Tri = uncertain ? UNKNOWN : TRUE;
  const literal = literalText(tokens);
  switch (family) {
    case 'string':
      if (literal !== undefined) return (req) => (req === literal ? TRUE : FALSE);
      return globMatcher(tokens, true, hit);
    case 'stringIgnoreCase':
      if (literal !== undefined) {
        const lower = literal.toLowerCase();
        return (req) => (req.toLowerCase() === lower ? TRUE : FALSE);
      }
      return globMatcher(tokens, false, hit);
    case 'bool':
      if (literal !== undefined) {
        const lower = literal.trim().toLowerCase();
        return (req) => (req.trim().toLowerCase() === lower ? TRUE : FALSE);
      }
      return globMatcher(tokens, false, hit);
    case 'stringLike':
      return globMatcher(tokens, true, hit);
    case 'arn': {
      const m = compileArnPattern(tokens);
      return (req) => (m.test(req) ? hit : FALSE);
    }
    default:
      return NEVER;
  }
}

function globMatcher(tokens: Token[], caseSensitive: boolean, hit: Tri): ValueMatcher {
  const m = compileGlobParts(asGlobParts(tokens), { caseSensitive });
  return (req) => (m.test(req) ? hit : FALSE);
}

/** The state of a condition key for one request. */
export type KeyState =
  | { kind: 'unknown' }
  /** each world: the key's values in that world, or null when the key is absent there */
  | { kind: 'known'; worlds: ReadonlyArray<readonly string[] | null> };

export const UNKNOWN_KEY: KeyState = { kind: 'unknown' };
export const ABSENT_KEY: KeyState = { kind: 'known', worlds: [null] };
export function keyValues(values: readonly string[]): KeyState {
  return { kind: 'known', worlds: [values.length === 0 ? null : values] };
}

export interface ConditionResult {
  outcome: Tri;
  /** keys that made it unknown: the condition's key, or the variables in its values */
  unknownKeys: string[];
}

/**
 * Evaluate one condition entry for a request. `lookup` gives the value of a key used as a variable in the policy
 * values (single-valued keys only).
 */
export function evaluateCondition(c: CompiledCondition, state: KeyState, lookup: (keyLower: string) => VarValue): ConditionResult {
  if (!c.op) return { outcome: UNKNOWN, unknownKeys: [c.key] };
  if (state.kind === 'unknown') {
    // an IfExists / ForAllValues test on a key that may be absent still needs the value when it is present
    return { outcome: UNKNOWN, unknownKeys: [c.key] };
  }
  const varKeys: string[] = [];
  const matchers = c.fixed ?? valueMatchers(c, lookup, varKeys);
  let outcome: Tri | undefined;
  let split = false;
  for (const world of state.worlds) {
    const r = inWorld(c.op, c.values, matchers, world);
    if (outcome === undefined) outcome = r;
    else if (outcome !== r) {
      split = true;
      outcome = UNKNOWN;
    }
  }
  const o = outcome ?? UNKNOWN;
  if (o !== UNKNOWN) return { outcome: o, unknownKeys: [] };
  const keys = split || varKeys.length === 0 ? [c.key] : [];
  for (const k of varKeys) if (!keys.includes(k)) keys.push(k);
  return { outcome: UNKNOWN, unknownKeys: keys };
}

function inWorld(op: Operator, rawValues: readonly string[], matchers: ValueMatcher[], values: readonly string[] | null): Tri {
  if (op.family === 'null') {
    const absent = values === null;
    for (const v of rawValues) {
      const want = v.trim().toLowerCase();
      if ((want === 'true' && absent) || (want === 'false' && !absent)) return TRUE;
    }
    return FALSE;
  }
  if (values === null) {
    if (op.ifExists) return TRUE;
    if (op.qualifier === 'all') return TRUE;
    if (op.qualifier === 'any') return FALSE;
    return op.negated ? TRUE : FALSE;
  }
  const perValue = (v: string): Tri => {
    let m: Tri = FALSE;
    for (const match of matchers) {
      const r = match(v);
      if (r > m) m = r;
      if (m === TRUE) break;
    }
    return op.negated ? not3(m) : m;
  };
  if (op.qualifier === 'any') {
    let out: Tri = FALSE;
    for (const v of values) {
      const r = perValue(v);
      if (r > out) out = r;
      if (out === TRUE) break;
    }
    return out;
  }
  if (op.qualifier === 'all') {
    let out: Tri = TRUE;
    for (const v of values) {
      const r = perValue(v);
      if (r < out) out = r;
      if (out === FALSE) break;
    }
    return out;
  }
  // a single-valued operator on a request with several values: AWS documents set operators for that case; the
  // engine does not guess how the plain operator treats the set
  if (values.length !== 1) return UNKNOWN;
  return perValue(values[0]);
}

