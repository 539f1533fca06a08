/**
 * Globs (`*` any run of characters, `?` one character), matched without regular expressions. Case-insensitive by
 * default (IAM actions, trust `sub` patterns, flags); `{ caseSensitive: true }` for IAM resource ARNs and the
 * case-sensitive condition operators (`StringLike`, `ArnLike`).
 *
 * A glob compiled to a backtracking RegExp takes exponential time on patterns such as `iam:*?*?*?*?*?*?*?*?Q`
 * (a valid IAM action), and the patterns come from policies, trust conditions, flags and config files that nhi does
 * not control. Here the pattern is split at its stars into literal segments (`?` matches any one character inside a
 * segment); the first segment must match at the start, the last at the end, and each middle segment is found at its
 * leftmost place after the previous one. Leftmost placement is always safe for `*`-separated segments, so there is no
 * backtracking: time is at most (value length × pattern length) character comparisons, and usually linear.
 */
export interface GlobMatcher {
  readonly source: string;
  test(value: string): boolean;
}

export interface GlobOptions {
  /** compare characters exactly (default: fold case with toLowerCase) */
  caseSensitive?: boolean;
}

/** A `*` in a pattern given as parts (see compileGlobParts). */
export const GLOB_STAR: unique symbol = Symbol('glob *');
/** A `?` in a pattern given as parts. */
export const GLOB_ONE: unique symbol = Symbol('glob ?');
/** Literal text (a `*` or `?` inside it is an ordinary character), or a wildcard. */
export type GlobPart = string | typeof GLOB_STAR | typeof GLOB_ONE;

interface Segment {
  /** literal text between stars (lower-cased when folding case) */
  text: string;
  /** positions of one-character wildcards in `text` (1 = wildcard), or null when there is none */
  one: Uint8Array | null;
}

interface Compiled {
  segments: Segment[];
  /** the pattern had no star at all: the single segment must match the whole value */
  exact: boolean;
  fold: boolean;
}

function segmentOf(chunks: Array<{ text: string; wild: boolean }>): Segment {
  let text = '';
  const wild: number[] = [];
  for (const c of chunks) {
    if (c.wild) {
      wild.push(text.length);
      text += '?';
    } else text += c.text;
  }
  if (wild.length === 0) return { text, one: null };
  const one = new Uint8Array(text.length);
  for (const i of wild) one[i] = 1;
  return { text, one };
}

function compileString(pattern: string, fold: boolean): Compiled {
  const p = fold ? pattern.toLowerCase() : pattern;
  const segments = p.split('*').map((s) => {
    if (!s.includes('?')) return { text: s, one: null };
    const one = new Uint8Array(s.length);
    for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) === 63 /* ? */) one[i] = 1;
    return { text: s, one };
  });
  return { segments, exact: segments.length === 1, fold };
}

function compileParts(parts: readonly GlobPart[], fold: boolean): Compiled {
  const segments: Segment[] = [];
  let chunks: Array<{ text: string; wild: boolean }> = [];
  for (const part of parts) {
    if (part === GLOB_STAR) {
      segments.push(segmentOf(chunks));
      chunks = [];
    } else if (part === GLOB_ONE) chunks.push({ text: '', wild: true });
    else chunks.push({ text: fold ? part.toLowerCase() : part, wild: false });
  }
  segments.push(segmentOf(chunks));
  return { segments, exact: segments.length === 1, fold };
}

/** Where `seg` ends when placed at `at` in `value`, or -1. */
function matchesAt(seg: Segment, value: string, at: number): number {
  const { text, one } = seg;
  if (at + text.length > value.length) return -1;
  for (let i = 0; i < text.length; i++) {
    if (one !== null && one[i] === 1) continue;
    if (text.charCodeAt(i) !== value.charCodeAt(at + i)) return -1;
  }
  return at + text.length;
}

function run(c: Compiled, raw: string): boolean {
  const value = c.fold ? raw.toLowerCase() : raw;
  const { segments } = c;
  if (c.exact) return value.length === segments[0].text.length && matchesAt(segments[0], value, 0) >= 0;
  const last = segments[segments.length - 1];
  let pos = matchesAt(segments[0], value, 0);
  if (pos < 0) return false;
  // the last segment ends exactly at the end of the value
  const tailStart = value.length - last.text.length;
  if (tailStart < pos || matchesAt(last, value, tailStart) < 0) return false;
  // each middle segment at its leftmost place that still leaves room for the tail
  for (let i = 1; i < segments.length - 1; i++) {
    const seg = segments[i];
    if (seg.text === '') continue;
    let found = -1;
    for (let at = pos; at + seg.text.length <= tailStart; at++) {
      if (matchesAt(seg, value, at) >= 0) {
        found = at + seg.text.length;
        break;
      }
    }
    if (found < 0) return false;
    pos = found;
  }
  return true;
}

/** Compile once, test many values. */
export function compileGlob(pattern: string, opts: GlobOptions = {}): GlobMatcher {
  const c = compileString(pattern, !opts.caseSensitive);
  return { source: pattern, test: (value: string) => typeof value === 'string' && run(c, value) };
}

/**
 * Compile a pattern given as parts: literal strings (no character in them is a wildcard) and GLOB_STAR / GLOB_ONE.
 * Used where a pattern mixes wildcards with escaped literal `*` / `?` (IAM's `${*}` and `${?}`). Same time bound.
 */
export function compileGlobParts(parts: readonly GlobPart[], opts: GlobOptions = {}): GlobMatcher {
  const c = compileParts(parts, !opts.caseSensitive);
  const source = parts.map((p) => (p === GLOB_STAR ? '*' : p === GLOB_ONE ? '?' : p)).join('');
  return { source, test: (value: string) => typeof value === 'string' && run(c, value) };
}

/**
 * Kept for existing callers that do `globRegExp(p).test(v)`: it returns a linear-time matcher with the same `test`,
 * not a RegExp.
 */
export const globRegExp = (pattern: string): GlobMatcher => compileGlob(pattern);

/** Does `value` match the glob `pattern` (case-insensitive unless told otherwise)? */
export function globMatch(pattern: string, value: string, opts: GlobOptions = {}): boolean {
  return compileGlob(pattern, opts).test(value);
}
