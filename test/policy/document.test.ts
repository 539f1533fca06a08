import { describe, expect, it } from 'vitest';
import { coversAllResources, globRegExp, parsePolicy } from '../../src/policy/document.js';

describe('parsePolicy', () => {
  it('accepts a single statement object and string-or-array fields', () => {
    const doc = parsePolicy({
      Version: '2012-10-17',
      Statement: { Sid: 'One', Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' },
    });
    expect(doc.issues).toEqual([]);
    expect(doc.version).toBe('2012-10-17');
    expect(doc.statements).toHaveLength(1);
    expect(doc.statements[0]).toMatchObject({ index: 0, sid: 'One', effect: 'Allow', actions: ['s3:GetObject'], resources: ['arn:aws:s3:::b/*'] });
  });

  it('decodes URL-encoded JSON as the IAM API returns it', () => {
    const raw = encodeURIComponent(JSON.stringify({ Statement: [{ Effect: 'Deny', NotAction: ['iam:*'], Resource: '*' }] }));
    const doc = parsePolicy(raw);
    expect(doc.issues).toEqual([]);
    expect(doc.statements[0]).toMatchObject({ effect: 'Deny', notActions: ['iam:*'], resources: ['*'] });
  });

  it('decodes a plain JSON string', () => {
    const doc = parsePolicy('{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}');
    expect(doc.statements[0].actions).toEqual(['*']);
  });

  it('reads Principal "*" and {AWS: "*"} as anyone, and groups other principals by type', () => {
    const doc = parsePolicy({
      Statement: [
        { Effect: 'Allow', Principal: '*', Action: 'sts:AssumeRole' },
        { Effect: 'Allow', Principal: { AWS: '*' }, Action: 'sts:AssumeRole' },
        { Effect: 'Allow', Principal: { AWS: ['arn:aws:iam::111122223333:root'], Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' },
      ],
    });
    expect(doc.statements.map((s) => s.principals?.anyone)).toEqual([true, true, false]);
    expect(doc.statements[2].principals?.byType).toEqual({ AWS: ['arn:aws:iam::111122223333:root'], Service: ['ec2.amazonaws.com'] });
  });

  it('normalises condition values to string arrays and keeps operator case', () => {
    const doc = parsePolicy({
      Statement: [
        {
          Effect: 'Allow',
          Action: 'sts:AssumeRoleWithWebIdentity',
          Condition: { StringLike: { 'token.actions.githubusercontent.com:sub': 'repo:acme/*' }, Bool: { 'aws:SecureTransport': true } },
        },
      ],
    });
    expect(doc.statements[0].conditions).toEqual({
      StringLike: { 'token.actions.githubusercontent.com:sub': ['repo:acme/*'] },
      Bool: { 'aws:SecureTransport': ['true'] },
    });
  });

  it('skips malformed statements and records issues instead of throwing', () => {
    const doc = parsePolicy({ Statement: [{ Effect: 'Maybe', Action: '*' }, 42, { Effect: 'allow', Action: '*', Resource: '*' }] });
    expect(doc.statements).toHaveLength(1);
    expect(doc.statements[0]).toMatchObject({ index: 2, effect: 'Allow' });
    expect(doc.issues.length).toBe(2);
  });

  it.each([
    ['not json at all', 'not valid JSON'],
    [undefined, 'no policy document'],
    [{ Version: '2012-10-17' }, 'no Statement'],
  ])('reports an unusable document %#', (input, issue) => {
    const doc = parsePolicy(input);
    expect(doc.statements).toEqual([]);
    expect(doc.issues.join(' ')).toContain(issue);
  });

  it('memoises per document object', () => {
    const raw = { Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };
    expect(parsePolicy(raw)).toBe(parsePolicy(raw));
  });
});

describe('helpers', () => {
  it('coversAllResources only for * style resources without NotResource', () => {
    expect(coversAllResources({ resources: ['*'] })).toBe(true);
    expect(coversAllResources({ resources: ['arn:aws:s3:::b'] })).toBe(false);
    expect(coversAllResources({ resources: ['*'], notResources: ['x'] })).toBe(false);
  });

  it('globRegExp is case-insensitive and escapes regex characters', () => {
    expect(globRegExp('s3:Get*').test('S3:GETOBJECT')).toBe(true);
    expect(globRegExp('a.b?').test('a.bc')).toBe(true);
    expect(globRegExp('a.b').test('axb')).toBe(false);
  });
});
