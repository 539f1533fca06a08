import { describe, expect, it } from 'vitest';
import {
  classifySub,
  conditionValues,
  edgeConditions,
  hasCondition,
  isGitHubIssuer,
  oidcIssuer,
  restrictingConditions,
  restrictsCaller,
  subAllowed,
  subMatches,
} from '../../src/policy/trust.js';

const SUB = 'token.actions.githubusercontent.com:sub';

describe('condition lookups', () => {
  const conds = {
    StringEquals: { 'Token.Actions.GitHubUserContent.com:aud': ['sts.amazonaws.com'] },
    'ForAnyValue:StringLike': { [SUB]: ['repo:acme/app:*'] },
    StringNotEquals: { [SUB]: ['repo:acme/app:ref:refs/heads/dev'] },
  };

  it('keys compare case-insensitively across operators', () => {
    expect(hasCondition(conds, 'token.actions.githubusercontent.com:aud')).toBe(true);
    expect(hasCondition(conds, 'aws:PrincipalOrgID')).toBe(false);
  });

  it('conditionValues collects positive operators only', () => {
    expect(conditionValues(conds, SUB)).toEqual(['repo:acme/app:*']);
  });

  it('edgeConditions reads scalar values as one-element lists', () => {
    expect(edgeConditions({ attributes: { conditions: { StringEquals: { 'sts:ExternalId': 'abc' } } } })).toEqual({ StringEquals: { 'sts:ExternalId': ['abc'] } });
    expect(edgeConditions({ attributes: {} })).toBeUndefined();
  });
});

describe('restricting conditions', () => {
  it.each([
    [{ StringEquals: { 'aws:PrincipalOrgID': 'o-abc123' } }, true],
    [{ StringEquals: { 'AWS:PrincipalAccount': ['111122223333'] } }, true],
    [{ ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::111122223333:role/ci-*' } }, true],
    [{ StringEquals: { 'sts:ExternalId': 'x-123' } }, true],
    [{ StringEquals: { 'aws:SourceAccount': '111122223333' } }, true],
    [{ StringEqualsIfExists: { 'aws:PrincipalOrgID': 'o-abc123' } }, false],
    [{ StringNotEquals: { 'aws:PrincipalAccount': '111122223333' } }, false],
    [{ StringLike: { 'aws:PrincipalArn': '*' } }, false],
    [{ ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:role/x' } }, false],
    [{ 'ForAllValues:StringEquals': { 'aws:PrincipalOrgID': 'o-1' } }, false],
    [{ Bool: { 'aws:SecureTransport': 'true' } }, false],
    [undefined, false],
  ])('%j restricts the caller: %s', (conds, expected) => {
    expect(restrictsCaller(conds)).toBe(expected);
    expect(restrictingConditions(conds).length > 0).toBe(expected);
  });
});

describe('GitHub OIDC', () => {
  it.each([
    ['*', 'any'],
    ['repo:*', 'any'],
    ['repo:*/*', 'any'],
    ['repo:*/app:ref:refs/heads/main', 'any'],
    ['repo:acme*/app:*', 'any'],
    ['*:ref:refs/heads/main', 'any'],
    ['repo:acme/*', 'org'],
    ['repo:acme/*:*', 'org'],
    ['repo:acme/app:ref:refs/heads/main', 'repo'],
    ['repo:acme/app:*', 'repo'],
    ['repo:acme/app:environment:prod', 'repo'],
    ['repository_owner:acme', 'other'],
  ])('sub %s is scoped to %s', (value, scope) => {
    expect(classifySub(value)).toBe(scope);
  });

  it('subMatches applies StringLike globs', () => {
    expect(subMatches('repo:acme/*', 'repo:acme/app:ref:refs/heads/main')).toBe(true);
    expect(subMatches('repo:acme/app:ref:refs/heads/main', 'repo:acme/app:ref:refs/heads/dev')).toBe(false);
  });

  it('subAllowed accepts equal values and glob matches', () => {
    expect(subAllowed('repo:acme/*', ['repo:acme/*'])).toBe(true);
    expect(subAllowed('repo:acme/infra-*', ['repo:acme/*'])).toBe(true);
    expect(subAllowed('repo:*', ['repo:acme/*'])).toBe(false);
  });

  it('issuer from the provider node or its id', () => {
    const id = 'aws:oidc-provider:arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com';
    expect(oidcIssuer(undefined, id)).toBe('token.actions.githubusercontent.com');
    expect(isGitHubIssuer('token.actions.githubusercontent.com/acme-ent')).toBe(true);
    expect(isGitHubIssuer('gitlab.com')).toBe(false);
  });
});
