/**
 * IAM policy variables (`${aws:username}`, `${aws:PrincipalTag/team, 'none'}`, the `${*}` `${?}` `${$}` escapes) in
 * Resource / NotResource ARNs and in String, ARN and Bool condition values.
 *
 * AWS's rules, as documented in "IAM policy elements: Variables and tags":
 * - variables are recognised only in documents with `"Version": "2012-10-17"`; otherwise `${...}` is literal text;
 * - a variable whose key has no value makes the element not match: a Resource (or NotResource) entry that uses it
 *   matches no resource, and a condition value that uses it matches nothing (so negated operators hold);
 * - `${key, 'default'}` uses the default when the key has no value;
 * - `${*}`, `${?}` and `${$}` stand for a literal `*`, `?` and `$`.
 * A key the scan cannot know (a role's `aws:userid`, a source IP) is neither present nor absent: the caller gets
 * the unknown keys back and decides `conditional`, never a silent match.
 */
import { GLOB_ONE, GLOB_STAR, type GlobPart } from '../util/glob.js';

/** Unknown variable value: matches any text (including `:`), and makes a match only possible, not certain. */
export const ANY_VALUE: unique symbol = Symbol('unknown variable value');
export type Token = GlobPart | typeof ANY_VALUE;

export type TemplatePart =
  | { kind: 'text'; text: string }
  | { kind: 'escape'; char: string }
  | { kind: 'var'; key: string; keyLower: string; fallback?: string };

export interface Template {
  raw: string;
  parts: TemplatePart[];
  /** uses at least one variable that needs a value (escapes do not count) */
  hasVars: boolean;
  /** lower-case keys of the variables used */
  keys: string[];
}

/** What a key resolves to for one request: a single value, known to be absent, or unknown to the scan. */
export type VarValue = { kind: 'value'; value: string } | { kind: 'absent' } | { kind: 'unknown' };

export type Resolved =
  /** tokens after substitution; `unknownKeys` names the variables left as ANY_VALUE */
  | { kind: 'tokens'; tokens: Token[]; unknownKeys: string[] }
  /** a variable without value and without default: the element matches nothing */
  | { kind: 'never'; key: string };

const ESCAPES: Record<string, string> = { '*': '*', '?': '?', $: '$' };

/** Split a policy string into text, escapes and variables. With `enabled` false (old Version) it is all text. */
export function parseTemplate(raw: string, enabled: boolean): Template {
  const parts: TemplatePart[] = [];
  const keys: string[] = [];
  if (!enabled || !raw.includes('${')) return { raw, parts: [{ kind: 'text', text: raw }], hasVars: false, keys };
  let text = '';
  let i = 0;
  while (i < raw.length) {
    const start = raw.indexOf('${', i);
    if (start < 0) {
      text += raw.slice(i);
      break;
    }
    const end = raw.indexOf('}', start + 2);
    if (end < 0) {
      text += raw.slice(i);
      break;
    }
    text += raw.slice(i, start);
    const inner = raw.slice(start + 2, end);
    const escaped = ESCAPES[inner.trim()];
    const variable = escaped === undefined ? parseVariable(inner) : undefined;
    if (escaped !== undefined || variable) {
      if (text) parts.push({ kind: 'text', text });
      text = '';
      if (escaped !== undefined) parts.push({ kind: 'escape', char: escaped });
      else {
        parts.push(variable!);
        keys.push(variable!.keyLower);
      }
    } else {
      // not a variable after all (`${}` or a malformed default): keep it as written
      text += raw.slice(start, end + 1);
    }
    i = end + 1;
  }
  if (text) parts.push({ kind: 'text', text });
  return { raw, parts, hasVars: keys.length > 0, keys };
}

function parseVariable(inner: string): Extract<TemplatePart, { kind: 'var' }> | undefined {
  const comma = inner.indexOf(',');
  const key = (comma < 0 ? inner : inner.slice(0, comma)).trim();
  // tag keys may hold spaces (`aws:PrincipalTag/cost center`); an empty name is not a variable
  if (!key) return undefined;
  if (comma < 0) return { kind: 'var', key, keyLower: key.toLowerCase() };
  const rest = inner.slice(comma + 1).trim();
  const m = /^'([^']*)'$/.exec(rest);
  if (!m) return undefined;
  return { kind: 'var', key, keyLower: key.toLowerCase(), fallback: m[1] };
}

/**
 * Substitute the variables of a template. `wildcards`: the operator gives `*` and `?` in the policy text their
 * wildcard meaning (Resource, StringLike, ArnLike); otherwise every character is literal (StringEquals, Bool).
 */
export function resolveTemplate(t: Template, wildcards: boolean, lookup: (keyLower: string) => VarValue): Resolved {
  const tokens: Token[] = [];
  const unknownKeys: string[] = [];
  for (const part of t.parts) {
    if (part.kind === 'text') {
      if (wildcards) pushWildText(tokens, part.text);
      else tokens.push(part.text);
    } else if (part.kind === 'escape') tokens.push(part.char);
    else {
      const v = lookup(part.keyLower);
      if (v.kind === 'value') tokens.push(v.value);
      else if (v.kind === 'absent') {
        if (part.fallback === undefined) return { kind: 'never', key: part.key };
        tokens.push(part.fallback);
      } else {
        tokens.push(ANY_VALUE);
        if (!unknownKeys.includes(part.key)) unknownKeys.push(part.key);
      }
    }
  }
  return { kind: 'tokens', tokens: mergeText(tokens), unknownKeys };
}

function pushWildText(tokens: Token[], text: string): void {
  let lit = '';
  for (const ch of text) {
    if (ch === '*' || ch === '?') {
      if (lit) tokens.push(lit);
      lit = '';
      tokens.push(ch === '*' ? GLOB_STAR : GLOB_ONE);
    } else lit += ch;
  }
  if (lit) tokens.push(lit);
}

/** Join adjacent literal strings (keeps later splitting and matching simple). */
function mergeText(tokens: Token[]): Token[] {
  const out: Token[] = [];
  for (const t of tokens) {
    const last = out[out.length - 1];
    if (typeof t === 'string' && typeof last === 'string') out[out.length - 1] = last + t;
    else if (t !== '') out.push(t);
  }
  return out;
}

/** The tokens as glob parts: an unknown value may be anything, so it becomes a star. */
export function asGlobParts(tokens: readonly Token[]): GlobPart[] {
  return tokens.map((t) => (t === ANY_VALUE ? GLOB_STAR : t));
}

/** The tokens are plain text (no wildcard, no unknown value): their concatenation. */
export function literalText(tokens: readonly Token[]): string | undefined {
  let s = '';
  for (const t of tokens) {
    if (typeof t !== 'string') return undefined;
    s += t;
  }
  return s;
}
