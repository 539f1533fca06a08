import { RE2JS } from 're2js';
import { z } from 'zod';

/**
 * Regular expressions that users write in config files (e.g. `adminRolePattern`). They run on names nhi does not
 * control, so they are compiled with RE2 (re2js: linear time in the input, no catastrophic backtracking) and bounded
 * in length. RE2 syntax is the familiar one minus backreferences and lookaround.
 */
export const MAX_USER_PATTERN_LENGTH = 512;

export interface UserRegex {
  readonly source: string;
  /** true when the pattern matches anywhere in `value` (like RegExp#test without flags) */
  test(value: string): boolean;
}

/** Why `pattern` cannot be used, or undefined when it compiles. */
export function userRegexProblem(pattern: string): string | undefined {
  if (pattern.length > MAX_USER_PATTERN_LENGTH) return `is ${pattern.length} characters long (at most ${MAX_USER_PATTERN_LENGTH})`;
  try {
    RE2JS.compile(pattern);
    return undefined;
  } catch (err) {
    const msg = err instanceof Error ? err.message.split('\n')[0] : String(err);
    return `is not a valid RE2 pattern (${msg.replace(/^error parsing regexp: /, '')}; backreferences and lookaround are not supported)`;
  }
}

export function compileUserRegex(pattern: string): UserRegex {
  const problem = userRegexProblem(pattern);
  if (problem) throw new Error(`pattern ${problem}`);
  const re = RE2JS.compile(pattern);
  return { source: pattern, test: (value: string) => typeof value === 'string' && re.matcher(value).find() };
}

/** A config option holding a user regular expression, validated when the config is loaded. */
export function regexOption(defaultPattern: string) {
  return z
    .string()
    .superRefine((p, ctx) => {
      const problem = userRegexProblem(p);
      if (problem) ctx.addIssue({ code: 'custom', message: `the pattern ${problem}` });
    })
    .default(defaultPattern);
}
