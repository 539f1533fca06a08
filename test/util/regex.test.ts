import { describe, expect, it } from 'vitest';
import { compileUserRegex, MAX_USER_PATTERN_LENGTH, regexOption, userRegexProblem } from '../../src/util/regex.js';

describe('user regular expressions (RE2)', () => {
  it('matches like RegExp#test for ordinary patterns', () => {
    const re = compileUserRegex('^roles/.*[aA]dmin$');
    expect(re.test('roles/storage.admin')).toBe(true);
    expect(re.test('roles/viewer')).toBe(false);
    expect(compileUserRegex('admin').test('roles/iam.securityAdmin2')).toBe(false);
    expect(compileUserRegex('dmin').test('roles/iam.securityAdmin2')).toBe(true);
  });

  it.each([
    ['(a)\\1', /backreferences/],
    ['(?<=a)b', /not a valid RE2 pattern/],
    ['(', /not a valid RE2 pattern/],
    ['x'.repeat(MAX_USER_PATTERN_LENGTH + 1), /at most 512/],
  ])('refuses %s', (pattern, message) => {
    expect(userRegexProblem(pattern)).toMatch(message);
    expect(() => compileUserRegex(pattern)).toThrow();
  });

  // Regression: `new RegExp('(a+)+$')` on 'aaaa…!' takes exponential time; RE2 is linear.
  it('runs a catastrophic-backtracking pattern in linear time', { timeout: 10_000 }, () => {
    expect(compileUserRegex('(a+)+!').test(`${'a'.repeat(5000)}!`)).toBe(true);
    expect(compileUserRegex('^(a+)+$').test(`${'a'.repeat(5000)}!`)).toBe(false);
  });

  it('regexOption validates when the options are parsed (config load), with the default kept', () => {
    const opt = regexOption('^x$');
    expect(opt.parse(undefined)).toBe('^x$');
    const bad = opt.safeParse('(a)\\1');
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0].message).toMatch(/backreferences/);
  });
});
