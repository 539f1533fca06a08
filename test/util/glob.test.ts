import { describe, expect, it } from 'vitest';
import { compileGlob, compileGlobParts, GLOB_ONE, GLOB_STAR, globMatch } from '../../src/util/glob.js';
import { mulberry32 as prng } from '../support/prng.js';

/** The old implementation's semantics, as a reference (fine for the short random inputs below). */
function reference(pattern: string, value: string): boolean {
  let src = '';
  for (const ch of pattern) {
    if (ch === '*') src += '.*';
    else if (ch === '?') src += '.';
    else src += ch.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${src}$`, 'is').test(value);
}


describe('glob matcher', () => {
  it.each([
    ['iam:*', 'iam:CreateUser', true],
    ['IAM:createuser', 'iam:CreateUser', true],
    ['iam:Create*', 'iam:DeleteUser', false],
    ['s3:?etObject', 's3:GetObject', true],
    ['*', '', true],
    ['', '', true],
    ['', 'x', false],
    ['a*b*c', 'abc', true],
    ['a*b*c', 'acb', false],
    ['repo:acme/*:ref:refs/heads/main', 'repo:acme/app:ref:refs/heads/main', true],
    ['repo:acme/*:ref:refs/heads/main', 'repo:acme/app:ref:refs/heads/dev', false],
    ['*a', 'ba', true],
    ['a*', 'ba', false],
    ['?', '', false],
    ['a.b', 'axb', false],
    ['a+b(c)', 'a+b(c)', true],
  ])('%s ~ %s -> %s', (pattern, value, expected) => {
    expect(globMatch(pattern, value)).toBe(expected);
  });

  it('agrees with the regular-expression semantics on 30,000 random pattern/value pairs', () => {
    const rnd = prng(8);
    const pick = (alphabet: string, max: number) => {
      let s = '';
      const n = Math.floor(rnd() * (max + 1));
      for (let i = 0; i < n; i++) s += alphabet[Math.floor(rnd() * alphabet.length)];
      return s;
    };
    let mismatches = 0;
    for (let i = 0; i < 30_000; i++) {
      const p = pick('ab*?', 7);
      const v = pick('abB', 9);
      if (compileGlob(p).test(v) !== reference(p, v)) mismatches++;
    }
    expect(mismatches).toBe(0);
  });

  // Regression: the RegExp this replaced backtracked exponentially on this valid IAM action (56 s for ten pairs, x6
  // per pair). With 40 pairs the old code would not finish in our lifetime; the matcher is bounded by
  // pattern length x value length. The vitest timeout is the hang guard, not a speed assertion.
  it('does not backtrack on `*?` runs (IAM action, trust sub pattern)', { timeout: 10_000 }, () => {
    const evil = `iam:${'*?'.repeat(40)}Q`;
    expect(globMatch(evil, `iam:${'x'.repeat(200)}`)).toBe(false);
    expect(globMatch(evil, `iam:${'x'.repeat(79)}Q`)).toBe(true);
    expect(globMatch(`repo:${'*?'.repeat(40)}:ref:x`, `repo:${'a'.repeat(300)}`)).toBe(false);
  });

  it('handles a multi-megabyte pattern against a short value without blowing up', { timeout: 10_000 }, () => {
    const big = '*a'.repeat(1_000_000);
    expect(compileGlob(big).test('x'.repeat(64))).toBe(false);
  });

  it('never matches a non-string value', () => {
    expect(compileGlob('*').test(undefined as unknown as string)).toBe(false);
    expect(compileGlob('*').test(5 as unknown as string)).toBe(false);
  });

  it.each([
    ['arn:aws:s3:::Bucket/*', 'arn:aws:s3:::Bucket/key', true],
    ['arn:aws:s3:::Bucket/*', 'arn:aws:s3:::bucket/key', false],
    ['a?c', 'aBc', true],
    ['A?C', 'abc', false],
  ])('case-sensitive: %s ~ %s -> %s', (pattern, value, expected) => {
    expect(compileGlob(pattern, { caseSensitive: true }).test(value)).toBe(expected);
    expect(globMatch(pattern, value, { caseSensitive: true })).toBe(expected);
  });

  it('parts keep literal * and ? apart from the wildcards', () => {
    const m = compileGlobParts(['a*', GLOB_STAR, 'b?', GLOB_ONE], { caseSensitive: true });
    expect(m.test('a*xxb?z')).toBe(true);
    expect(m.test('axxxb?z')).toBe(false);
    expect(m.test('a*xxbzz')).toBe(false);
    expect(compileGlobParts(['ABC']).test('abc')).toBe(true);
    expect(compileGlobParts(['ABC'], { caseSensitive: true }).test('abc')).toBe(false);
  });

  it('parts agree with the string form when no literal wildcard is involved, on 10,000 random pairs', () => {
    const rnd = prng(11);
    const pick = (alphabet: string, max: number) => {
      let s = '';
      const n = Math.floor(rnd() * (max + 1));
      for (let i = 0; i < n; i++) s += alphabet[Math.floor(rnd() * alphabet.length)];
      return s;
    };
    let mismatches = 0;
    for (let i = 0; i < 10_000; i++) {
      const p = pick('aB*?', 7);
      const v = pick('abB', 9);
      const parts = [...p].map((ch) => (ch === '*' ? GLOB_STAR : ch === '?' ? GLOB_ONE : ch));
      if (compileGlobParts(parts, { caseSensitive: true }).test(v) !== compileGlob(p, { caseSensitive: true }).test(v)) mismatches++;
      if (compileGlob(p, { caseSensitive: true }).test(v) !== new RegExp(`^${p.replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 's').test(v)) mismatches++;
    }
    expect(mismatches).toBe(0);
  });
});
