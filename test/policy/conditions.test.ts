/**
 * Condition operators, one table each, with the semantics AWS documents ("IAM JSON policy elements: Condition
 * operators", "Creating a condition with multiple keys or values", "Variables and tags"): a positive case, a
 * look-alike negative, the missing key, IfExists and, where meaningful, the set qualifiers.
 */
import { describe, expect, it } from 'vitest';
import {
  ABSENT_KEY,
  arnWitness,
  compileArnPattern,
  compileCondition,
  evaluateCondition,
  type KeyState,
  keyValues,
  parseDate,
  parseOperator,
  UNKNOWN_KEY,
} from '../../src/policy/conditions.js';
import { parseTemplate, resolveTemplate, type VarValue } from '../../src/policy/variables.js';

type Out = 'true' | 'false' | 'unknown';
const NAMES: Out[] = ['false', 'unknown', 'true'];

const present = (...values: string[]): KeyState => keyValues(values);
const missing = ABSENT_KEY;

function run(operator: string, values: string[], state: KeyState, vars: Record<string, VarValue> = {}): Out {
  const c = compileCondition(operator, 'test:Key', values, true);
  return NAMES[evaluateCondition(c, state, (k) => vars[k] ?? { kind: 'unknown' }).outcome];
}

type Row = [operator: string, policy: string[], request: KeyState, expected: Out];

const describeState = (s: KeyState) => (s.kind === 'unknown' ? 'unknown key' : s.worlds.map((w) => (w === null ? 'absent' : JSON.stringify(w))).join(' | '));

function table(title: string, rows: Row[]): void {
  describe(title, () => {
    it.each(rows.map((r) => [r[0], JSON.stringify(r[1]), describeState(r[2]), r[3], r]))('%s %s against %s -> %s', (_o, _p, _s, _e, row) => {
      const [operator, policy, request, expected] = row as Row;
      expect(run(operator, policy, request)).toBe(expected);
    });
  });
}

table('String equality (case-sensitive)', [
  ['StringEquals', ['prod'], present('prod'), 'true'],
  ['StringEquals', ['prod'], present('Prod'), 'false'],
  ['StringEquals', ['dev', 'prod'], present('prod'), 'true'],
  ['StringEquals', ['prod'], missing, 'false'],
  ['StringEqualsIfExists', ['prod'], missing, 'true'],
  ['StringEqualsIfExists', ['prod'], present('dev'), 'false'],
  ['StringEquals', ['pro*'], present('prod'), 'false'],
  ['StringEquals', ['pro*'], present('pro*'), 'true'],
  ['StringNotEquals', ['prod'], present('dev'), 'true'],
  ['StringNotEquals', ['dev', 'prod'], present('prod'), 'false'],
  ['StringNotEquals', ['prod'], missing, 'true'],
  ['StringNotEqualsIfExists', ['prod'], missing, 'true'],
]);

table('String equality ignoring case', [
  ['StringEqualsIgnoreCase', ['PROD'], present('prod'), 'true'],
  ['StringEqualsIgnoreCase', ['PROD'], present('prod2'), 'false'],
  ['StringEqualsIgnoreCase', ['PROD'], missing, 'false'],
  ['StringEqualsIgnoreCaseIfExists', ['PROD'], missing, 'true'],
  ['StringNotEqualsIgnoreCase', ['PROD'], present('Prod'), 'false'],
  ['StringNotEqualsIgnoreCase', ['PROD'], present('dev'), 'true'],
  ['StringNotEqualsIgnoreCase', ['PROD'], missing, 'true'],
]);

table('StringLike / StringNotLike (case-sensitive wildcards)', [
  ['StringLike', ['home/*'], present('home/alice/x'), 'true'],
  ['StringLike', ['home/*'], present('Home/alice'), 'false'],
  ['StringLike', ['fil?.txt'], present('file.txt'), 'true'],
  ['StringLike', ['fil?.txt'], present('fiile.txt'), 'false'],
  ['StringLike', ['a*'], missing, 'false'],
  ['StringLikeIfExists', ['a*'], missing, 'true'],
  ['StringLike', ['literal-${*}'], present('literal-*'), 'true'],
  ['StringLike', ['literal-${*}'], present('literal-x'), 'false'],
  ['StringNotLike', ['tmp/*'], present('home/x'), 'true'],
  ['StringNotLike', ['tmp/*'], present('tmp/x'), 'false'],
  ['StringNotLike', ['tmp/*'], missing, 'true'],
]);

table('Numeric', [
  ['NumericLessThan', ['10'], present('5'), 'true'],
  ['NumericLessThan', ['10'], present('10'), 'false'],
  ['NumericLessThanEquals', ['10'], present('10'), 'true'],
  ['NumericGreaterThan', ['10'], present('10.5'), 'true'],
  ['NumericGreaterThan', ['10'], present('9'), 'false'],
  ['NumericGreaterThanEquals', ['10'], present('10'), 'true'],
  ['NumericEquals', ['1.0'], present('1'), 'true'],
  ['NumericEquals', ['1'], present('one'), 'false'],
  ['NumericEquals', ['1'], missing, 'false'],
  ['NumericEqualsIfExists', ['1'], missing, 'true'],
  ['NumericNotEquals', ['1'], present('2'), 'true'],
  ['NumericNotEquals', ['1'], present('1'), 'false'],
  ['NumericNotEquals', ['1'], missing, 'true'],
]);

table('Date (ISO 8601 and epoch seconds)', [
  ['DateLessThan', ['2026-01-01T00:00:00Z'], present('2025-12-31T23:59:59Z'), 'true'],
  ['DateLessThan', ['2026-01-01T00:00:00Z'], present('2026-01-01T00:00:00Z'), 'false'],
  ['DateLessThanEquals', ['2026-01-01T00:00:00Z'], present('2026-01-01T00:00:00Z'), 'true'],
  ['DateGreaterThan', ['2026-01-01'], present('2026-06-01T00:00:00.000Z'), 'true'],
  ['DateGreaterThan', ['2026-01-01'], present('2025-06-01T00:00:00.000Z'), 'false'],
  ['DateGreaterThanEquals', ['1767225600'], present('2026-01-01T00:00:00Z'), 'true'],
  ['DateEquals', ['2026-01-01T02:00:00+02:00'], present('2026-01-01T00:00:00Z'), 'true'],
  ['DateEquals', ['2026-01-01T02:00:00Z'], present('2026-01-01T00:00:00Z'), 'false'],
  ['DateLessThan', ['2026-01-01'], present('not a date'), 'false'],
  ['DateLessThan', ['2026-01-01'], missing, 'false'],
  ['DateLessThanIfExists', ['2026-01-01'], missing, 'true'],
  ['DateNotEquals', ['2026-01-01'], present('2026-01-02'), 'true'],
  ['DateNotEquals', ['2026-01-01'], missing, 'true'],
]);

table('Bool', [
  ['Bool', ['true'], present('true'), 'true'],
  ['Bool', ['true'], present('false'), 'false'],
  ['Bool', ['True'], present('true'), 'true'],
  ['Bool', ['true'], missing, 'false'],
  ['BoolIfExists', ['false'], missing, 'true'],
  ['BoolIfExists', ['false'], present('true'), 'false'],
]);

table('BinaryEquals (base64)', [
  ['BinaryEquals', ['QmluYXJ5VmFsdWVJbkJhc2U2NA=='], present('QmluYXJ5VmFsdWVJbkJhc2U2NA=='), 'true'],
  ['BinaryEquals', ['QmluYXJ5VmFsdWVJbkJhc2U2NA=='], present('QmluYXJ5VmFsdWVJbkJhc2U2NQ=='), 'false'],
  ['BinaryEquals', ['QmluYXJ5'], missing, 'false'],
  ['BinaryEqualsIfExists', ['QmluYXJ5'], missing, 'true'],
]);

table('IpAddress / NotIpAddress', [
  ['IpAddress', ['203.0.113.0/24'], present('203.0.113.7'), 'true'],
  ['IpAddress', ['203.0.113.0/24'], present('203.0.114.7'), 'false'],
  ['IpAddress', ['203.0.113.7'], present('203.0.113.7'), 'true'],
  ['IpAddress', ['203.0.113.7'], present('203.0.113.8'), 'false'],
  ['IpAddress', ['2001:DB8:1234:5678::/64'], present('2001:db8:1234:5678::1'), 'true'],
  ['IpAddress', ['2001:DB8:1234:5678::/64'], present('2001:db8:1234:5679::1'), 'false'],
  ['IpAddress', ['203.0.113.0/24'], present('2001:db8::1'), 'false'],
  ['IpAddress', ['203.0.113.0/24'], missing, 'false'],
  ['IpAddressIfExists', ['203.0.113.0/24'], missing, 'true'],
  ['NotIpAddress', ['203.0.113.0/24'], present('198.51.100.1'), 'true'],
  ['NotIpAddress', ['203.0.113.0/24'], present('203.0.113.1'), 'false'],
  ['NotIpAddress', ['203.0.113.0/24'], missing, 'true'],
]);

table('ARN operators (six parts compared one by one, case-sensitive)', [
  ['ArnLike', ['arn:aws:iam::*:role/deploy-*'], present('arn:aws:iam::123456789012:role/deploy-prod'), 'true'],
  ['ArnLike', ['arn:aws:iam::*:role/deploy-*'], present('arn:aws:iam::123456789012:role/Deploy-prod'), 'false'],
  ['ArnEquals', ['arn:aws:iam::*:role/deploy-*'], present('arn:aws:iam::123456789012:role/deploy-prod'), 'true'],
  // AWS's own example: the star in the region part cannot run over the account part
  ['ArnLike', ['arn:aws:someservice:*:111122223333:finance/*'], present('arn:aws:someservice:us-east-2:999999999999:store/abc:111122223333:finance/document.txt'), 'false'],
  ['StringLike', ['arn:aws:someservice:*:111122223333:finance/*'], present('arn:aws:someservice:us-east-2:999999999999:store/abc:111122223333:finance/document.txt'), 'true'],
  ['ArnLike', ['arn:aws:iam::*:role/*'], present('not-an-arn'), 'false'],
  ['ArnLike', ['arn:aws:iam::*:role/*'], missing, 'false'],
  ['ArnLikeIfExists', ['arn:aws:iam::*:role/*'], missing, 'true'],
  ['ArnNotLike', ['arn:aws:iam::*:role/admin'], present('arn:aws:iam::123456789012:role/dev'), 'true'],
  ['ArnNotEquals', ['arn:aws:iam::*:role/admin'], present('arn:aws:iam::123456789012:role/admin'), 'false'],
  ['ArnNotLike', ['arn:aws:iam::*:role/admin'], missing, 'true'],
]);

table('Null (tests presence)', [
  ['Null', ['true'], missing, 'true'],
  ['Null', ['true'], present('x'), 'false'],
  ['Null', ['false'], present('x'), 'true'],
  ['Null', ['false'], missing, 'false'],
  ['Null', ['true'], UNKNOWN_KEY, 'unknown'],
]);

table('ForAnyValue / ForAllValues', [
  ['ForAnyValue:StringEquals', ['ID', 'PostDateTime'], present('PostDateTime', 'Message'), 'true'],
  ['ForAnyValue:StringEquals', ['ID', 'PostDateTime'], present('UserName'), 'false'],
  ['ForAnyValue:StringEquals', ['ID'], missing, 'false'],
  ['ForAllValues:StringEquals', ['ID', 'Message', 'Tags'], present('Message', 'Tags'), 'true'],
  ['ForAllValues:StringEquals', ['ID', 'Message', 'Tags'], present('Message', 'UserName'), 'false'],
  ['ForAllValues:StringEquals', ['ID'], missing, 'true'],
  ['ForAnyValue:StringLike', ['env*'], present('team', 'environment'), 'true'],
  ['ForAllValues:StringLike', ['env*'], present('team', 'environment'), 'false'],
  // negated base operators apply per request value
  ['ForAnyValue:StringNotEquals', ['a', 'b'], present('a', 'c'), 'true'],
  ['ForAnyValue:StringNotEquals', ['a', 'b'], present('a', 'b'), 'false'],
  ['ForAllValues:StringNotEquals', ['a', 'b'], present('c', 'd'), 'true'],
  ['ForAllValues:StringNotEquals', ['a', 'b'], present('c', 'a'), 'false'],
  ['ForAnyValue:StringNotEquals', ['a'], missing, 'false'],
  ['ForAllValues:StringNotEquals', ['a'], missing, 'true'],
  ['ForAnyValue:StringEqualsIfExists', ['a'], missing, 'true'],
  ['ForAllValues:NumericLessThan', ['10'], present('1', '9'), 'true'],
  ['ForAllValues:NumericLessThan', ['10'], present('1', '11'), 'false'],
  // without a set operator, several request values are not decided
  ['StringEquals', ['a'], present('a', 'b'), 'unknown'],
]);

describe('possible worlds (a key the scan knows only up to a few cases)', () => {
  // an IAM user without an MFA device: absent with access keys, "false" in a session
  const userWithoutMfa: KeyState = { kind: 'known', worlds: [null, ['false']] };
  const userWithMfa: KeyState = { kind: 'known', worlds: [null, ['false'], ['true']] };
  it.each<[string, string[], KeyState, Out]>([
    ['Bool', ['true'], userWithoutMfa, 'false'],
    ['Bool', ['true'], userWithMfa, 'unknown'],
    ['BoolIfExists', ['false'], userWithoutMfa, 'true'],
    ['BoolIfExists', ['false'], userWithMfa, 'unknown'],
    ['Bool', ['false'], userWithoutMfa, 'unknown'],
    ['Null', ['true'], userWithoutMfa, 'unknown'],
  ])('%s %j -> %s', (operator, values, state, expected) => {
    expect(run(operator, values, state)).toBe(expected);
  });

  it('names the key when the worlds disagree or the key is unknown', () => {
    const c = compileCondition('Bool', 'aws:MultiFactorAuthPresent', ['false'], true);
    expect(evaluateCondition(c, userWithoutMfa, () => ({ kind: 'unknown' })).unknownKeys).toEqual(['aws:MultiFactorAuthPresent']);
    const ip = compileCondition('IpAddress', 'aws:SourceIp', ['10.0.0.0/8'], true);
    expect(evaluateCondition(ip, UNKNOWN_KEY, () => ({ kind: 'unknown' }))).toEqual({ outcome: 1, unknownKeys: ['aws:SourceIp'] });
  });
});

describe('policy variables in condition values', () => {
  const alice: Record<string, VarValue> = { 'aws:username': { kind: 'value', value: 'alice' } };
  const noName: Record<string, VarValue> = { 'aws:username': { kind: 'absent' } };
  it.each<[string, string[], KeyState, Record<string, VarValue>, Out]>([
    ['StringEquals', ['${aws:username}'], present('alice'), alice, 'true'],
    ['StringEquals', ['${aws:username}'], present('bob'), alice, 'false'],
    ['StringLike', ['home/${aws:username}/*'], present('home/alice/a.txt'), alice, 'true'],
    ['StringLike', ['home/${aws:username}/*'], present('home/bob/a.txt'), alice, 'false'],
    // a variable without value matches nothing; negated operators then hold
    ['StringEquals', ['${aws:username}'], present(''), noName, 'false'],
    ['StringNotEquals', ['${aws:username}'], present('bob'), noName, 'true'],
    ['StringEquals', ["${aws:username, 'nobody'}"], present('nobody'), noName, 'true'],
    // unknown value: unknown where it could match, false where no value could
    ['StringLike', ['home/${aws:userid}/*'], present('home/AIDA/x'), {}, 'unknown'],
    ['StringLike', ['home/${aws:userid}/*'], present('tmp/AIDA/x'), {}, 'false'],
    ['ArnLike', ['arn:aws:iam::123456789012:user/${aws:username}'], present('arn:aws:iam::123456789012:user/alice'), alice, 'true'],
    ['Bool', ['${aws:SecureTransport}'], present('true'), { 'aws:securetransport': { kind: 'value', value: 'true' } }, 'true'],
    // variables are not substituted for Numeric operators
    ['NumericEquals', ['${test:n}'], present('5'), { 'test:n': { kind: 'value', value: '5' } }, 'false'],
  ])('%s %j', (operator, values, state, vars, expected) => {
    expect(run(operator, values, state, vars)).toBe(expected);
  });

  it('names the unresolved variable, not the condition key', () => {
    const c = compileCondition('StringLike', 's3:prefix', ['home/${aws:userid}/*'], true);
    expect(evaluateCondition(c, present('home/x/y'), () => ({ kind: 'unknown' })).unknownKeys).toEqual(['aws:userid']);
  });

  it('keeps ${...} as text in documents without Version 2012-10-17', () => {
    const c = compileCondition('StringEquals', 'k', ['${aws:username}'], false);
    expect(NAMES[evaluateCondition(c, present('${aws:username}'), () => alice['aws:username']).outcome]).toBe('true');
    expect(NAMES[evaluateCondition(c, present('alice'), () => alice['aws:username']).outcome]).toBe('false');
  });
});

describe('operator names', () => {
  it.each([
    ['StringEquals', { family: 'string', negated: false, ifExists: false }],
    ['ForAnyValue:StringNotLikeIfExists', { family: 'stringLike', negated: true, ifExists: true, qualifier: 'any' }],
    ['forallvalues:arnlike', { family: 'arn', qualifier: 'all' }],
    ['NumericGreaterThanEqualsIfExists', { family: 'numeric', cmp: 'gte', ifExists: true }],
  ])('%s', (name, expected) => {
    expect(parseOperator(name)).toMatchObject(expected);
  });

  it.each(['StringEqualz', 'NullIfExists', 'ForSomeValues:StringEquals', ''])('rejects %j', (name) => {
    expect(parseOperator(name)).toBeUndefined();
  });

  it('leaves an unknown operator undecided, naming its key', () => {
    const c = compileCondition('StringEqualz', 'aws:PrincipalAccount', ['1'], true);
    expect(evaluateCondition(c, present('1'), () => ({ kind: 'unknown' }))).toEqual({ outcome: 1, unknownKeys: ['aws:PrincipalAccount'] });
  });
});

describe('dates', () => {
  it.each<[string, string | undefined]>([
    ['2026-05-01T10:00:00Z', '2026-05-01T10:00:00.000Z'],
    ['2026-05-01T10:00Z', '2026-05-01T10:00:00.000Z'],
    ['2026-05-01T12:00:00.250+02:00', '2026-05-01T10:00:00.250Z'],
    ['2026-05-01', '2026-05-01T00:00:00.000Z'],
    ['2026-05', '2026-05-01T00:00:00.000Z'],
    ['2026', '2026-01-01T00:00:00.000Z'],
    ['1777629600', '2026-05-01T10:00:00.000Z'],
    ['2026-13-01', undefined],
    ['yesterday', undefined],
  ])('%s', (raw, iso) => {
    const ms = parseDate(raw);
    expect(ms === undefined ? undefined : new Date(ms).toISOString()).toBe(iso);
  });
});

describe('ARN patterns (Resource elements)', () => {
  const arn = (pattern: string) => {
    const r = resolveTemplate(parseTemplate(pattern, true), true, () => ({ kind: 'unknown' }));
    if (r.kind !== 'tokens') throw new Error('unexpected');
    return compileArnPattern(r.tokens);
  };
  it.each<[string, string, boolean]>([
    ['*', 'arn:aws:s3:::bucket/key', true],
    ['*', '*', true],
    ['arn:aws:s3:::bucket/*', 'arn:aws:s3:::bucket/a/b/c', true],
    ['arn:aws:s3:::bucket/*', 'arn:aws:s3:::bucket2/a', false],
    ['arn:aws:s3:::Bucket/*', 'arn:aws:s3:::bucket/a', false],
    ['arn:aws:s3:::bucket/*/test/*', 'arn:aws:s3:::bucket/1/2/test/3/object.jpg', true],
    ['arn:aws:iam::*:user/*', 'arn:aws:iam::123456789012:user/alice', true],
    ['arn:aws:iam::12345678901?:user/alice', 'arn:aws:iam::123456789012:user/alice', true],
    ['arn:aws:iam::12345678901?:user/alice', 'arn:aws:iam::12345678901:user/alice', false],
    ['arn:aws:iam::*:role/x', 'arn:aws:iam::1:2:role/x', false],
    // the resource part keeps its colons, so a star there spans them
    ['arn:aws:logs:*:*:log-group:*', 'arn:aws:logs:us-east-1:123456789012:log-group:app:log-stream:x', true],
    // a shorter pattern ending in a star runs over the rest of the ARN
    ['arn:aws:s3:*', 'arn:aws:s3:::bucket/key', true],
    ['arn:aws:ec2:*', 'arn:aws:s3:::bucket/key', false],
    ['arn:aws:iam::123456789012:role/app', 'arn:aws:iam::123456789012:role/app', true],
    ['arn:aws:iam::123456789012:role/app', 'arn:aws:iam::123456789012:role/app2', false],
    ['arn:aws:iam::123456789012:role/*', '*', false],
  ])('%s ~ %s -> %s', (pattern, value, expected) => {
    expect(arn(pattern).test(value)).toBe(expected);
  });

  it('an unknown variable makes a match only possible', () => {
    const m = arn('arn:aws:s3:::home/${aws:userid}/*');
    expect(m.uncertain).toBe(true);
    expect(m.test('arn:aws:s3:::home/AROA:session/x')).toBe(true);
    expect(m.test('arn:aws:s3:::other/x')).toBe(false);
  });
});

describe('ARN witnesses (a resource both patterns match)', () => {
  const tokens = (pattern: string) => {
    const r = resolveTemplate(parseTemplate(pattern, false), true, () => ({ kind: 'unknown' }));
    if (r.kind !== 'tokens') throw new Error('unexpected');
    return r.tokens;
  };
  it.each<[string, string, string | undefined]>([
    ['arn:aws:lambda:*:1:function:*', 'arn:aws:lambda:us-east-1:1:function:build-*', 'arn:aws:lambda:us-east-1:1:function:build-'],
    ['arn:aws:lambda:*:1:function:*', 'arn:aws:lambda:*:1:function:*', 'arn:aws:lambda::1:function:'],
    ['arn:aws:lambda:*:1:function:a?c', 'arn:aws:lambda:*:1:function:*b*', 'arn:aws:lambda::1:function:abc'],
    ['arn:aws:lambda:*:1:function:*', 'arn:aws:lambda:*:2:function:*', undefined],
    ['arn:aws:lambda:*:1:function:a*', 'arn:aws:lambda:*:1:function:b*', undefined],
    ['arn:aws:s3:::b/*', '*', 'arn:aws:s3:::b/'],
    ['arn:aws:s3:::b/*', 'arn:aws:s3:*', 'arn:aws:s3:::b/'],
    ['arn:aws:s3:::b/*', 'arn:aws:ec2:*', undefined],
  ])('%s & %s -> %s', (a, b, expected) => {
    const w = arnWitness(tokens(a), tokens(b));
    expect(w).toBe(expected);
    if (w !== undefined) {
      expect(compileArnPattern(tokens(a)).test(w)).toBe(true);
      expect(compileArnPattern(tokens(b)).test(w)).toBe(true);
    }
  });
});
