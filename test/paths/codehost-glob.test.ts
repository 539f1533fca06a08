import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CODE_HOST_METHODS, intersects, parseAttributeCondition, patternTokens } from '../../src/paths/codehost.js';
import { repoRoot } from '../e2e/run.js';

const glob = (p: string) => patternTokens(p);
const lit = (p: string) => patternTokens(p, true);

describe('glob intersection (do two patterns accept a common string?)', () => {
  it.each<[string, string, boolean]>([
    ['repo:acme/*', 'repo:acme/app:ref:refs/heads/*', true],
    ['repo:acme/app:ref:refs/heads/main', 'repo:acme/app:ref:refs/heads/*', true],
    ['repo:acme/app:ref:refs/heads/main', 'repo:acme/app:ref:refs/tags/*', false],
    ['*main', 'repo:acme/app:ref:refs/heads/*', true],
    ['repo:acme/app-?', 'repo:acme/app-web', false],
    ['repo:acme/app-?', 'repo:acme/app-1', true],
    ['a*b*c', '*x*', true],
    ['a*b', 'c*', false],
    ['*', '', true],
    ['?', '', false],
    ['ABC', 'abc', true],
  ])('%s ∩ %s = %s', (a, b, expected) => {
    expect(intersects(glob(a), glob(b))).toBe(expected);
    expect(intersects(glob(b), glob(a))).toBe(expected);
  });

  it('StringEquals values are literal: `*` matches only a `*`', () => {
    expect(intersects(lit('repo:acme/*'), glob('repo:acme/app:*'))).toBe(false);
    expect(intersects(lit('repo:acme/*'), lit('repo:acme/*'))).toBe(true);
  });

  it('stays polynomial on patterns that make a backtracking matcher explode', () => {
    const evil = `${'*a'.repeat(60)}*b`;
    expect(intersects(glob(evil), glob(`${'a'.repeat(200)}`))).toBe(false);
    expect(intersects(glob(evil), glob(`${'a'.repeat(200)}b`))).toBe(true);
  });
});

describe('reading a workload identity provider attribute condition', () => {
  const mapping = { 'google.subject': 'assertion.sub', 'attribute.repo': 'assertion.repository', 'attribute.odd': 'assertion.repository.lowerAscii()' };
  it.each<[string, ReturnType<typeof parseAttributeCondition>]>([
    ["assertion.repository == 'acme/app'", { constraints: [{ claim: 'repository', op: 'eq', values: ['acme/app'] }], unparsed: false }],
    ['"acme" == assertion.repository_owner', { constraints: [{ claim: 'repository_owner', op: 'eq', values: ['acme'] }], unparsed: false }],
    ["attribute.repo in ['a/b', \"c/d\"]", { constraints: [{ claim: 'repository', op: 'eq', values: ['a/b', 'c/d'] }], unparsed: false }],
    ["assertion.sub.startsWith('repo:acme/') && (assertion.ref == 'refs/heads/main')", { constraints: [{ claim: 'sub', op: 'prefix', values: ['repo:acme/'] }, { claim: 'ref', op: 'eq', values: ['refs/heads/main'] }], unparsed: false }],
    ["(assertion.repository == 'a/b' || assertion.repository == 'a/c')", { constraints: [{ claim: 'repository', op: 'eq', values: ['a/b', 'a/c'] }], unparsed: false }],
    ["assertion.repository == 'a/b' || assertion.ref == 'refs/heads/main'", { constraints: [], unparsed: true }],
    ["attribute.odd == 'acme/app'", { constraints: [], unparsed: true }],
    ["assertion.repository != 'acme/app'", { constraints: [], unparsed: true }],
    ["assertion.repository == 'a && b' && assertion.ref == 'x'", { constraints: [{ claim: 'repository', op: 'eq', values: ['a && b'] }, { claim: 'ref', op: 'eq', values: ['x'] }], unparsed: false }],
  ])('%s', (condition, expected) => {
    expect(parseAttributeCondition(condition, mapping)).toEqual(expected);
  });
});

describe('the method catalogue', () => {
  it('every code-host method is documented in docs/paths-codehost.md with its id', () => {
    const doc = readFileSync(path.join(repoRoot, 'docs', 'paths-codehost.md'), 'utf8');
    for (const m of CODE_HOST_METHODS) expect(doc, m.id).toContain(`\`${m.id}\``);
    expect(new Set(CODE_HOST_METHODS.map((m) => m.id)).size).toBe(CODE_HOST_METHODS.length);
  });
});
