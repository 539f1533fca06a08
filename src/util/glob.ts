/**
 * Case-insensitive globs (`*` any run of characters, `?` one character), matched without regular expressions.
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

interface Compiled {
  /** literal segments between stars, lower-cased; `?` is kept as the one-character wildcard */
  segments: string[];
  /** the pattern had no star at all: the single segment must match the whole value */
  exact: boolean;
}

function compile(pattern: string): Compiled {
  const lower = pattern.toLowerCase();
  const segments = lower.split('*');
  return { segments, exact: segments.length === 1 };
}

/** Where `seg` (with `?` matching any one UTF-16 unit) ends when placed at `at` in `value`, or -1. */
function matchesAt(seg: string, value: string, at: number): number {
  if (at + seg.length > value.length) return -1;
  for (let i = 0; i < seg.length; i++) {
    const c = seg.charCodeAt(i);
    if (c !== 63 /* ? */ && c !== value.charCodeAt(at + i)) return -1;
  }
  return at + seg.length;
}

function run(c: Compiled, raw: string): boolean {
  const value = raw.toLowerCase();
  const { segments } = c;
  if (c.exact) return value.length === segments[0].length && matchesAt(segments[0], value, 0) >= 0;
  const last = segments[segments.length - 1];
  let pos = matchesAt(segments[0], value, 0);
  if (pos < 0) return false;
  // the last segment ends exactly at the end of the value
  const tailStart = value.length - last.length;
  if (tailStart < pos || matchesAt(last, value, tailStart) < 0) return false;
  // each middle segment at its leftmost place that still leaves room for the tail
  for (let i = 1; i < segments.length - 1; i++) {
    const seg = segments[i];
    if (seg === '') continue;
    let found = -1;
    for (let at = pos; at + seg.length <= tailStart; at++) {
      if (matchesAt(seg, value, at) >= 0) {
        found = at + seg.length;
        break;
      }
    }
    if (found < 0) return false;
    pos = found;
  }
  return true;
}

/** Compile once, test many values. */
export function compileGlob(pattern: string): GlobMatcher {
  const c = compile(pattern);
  return { source: pattern, test: (value: string) => typeof value === 'string' && run(c, value) };
}

/**
 * Kept for existing callers that do `globRegExp(p).test(v)`: it returns a linear-time matcher with the same `test`,
 * not a RegExp.
 */
export const globRegExp = compileGlob;

/** Does `value` match the glob `pattern` (case-insensitive)? */
export function globMatch(pattern: string, value: string): boolean {
  return compileGlob(pattern).test(value);
}
