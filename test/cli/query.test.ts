/** The helpers the query commands share: action names, resources, options, naming, safe text and JSON. */
import { describe, expect, it } from 'vitest';
import {
  actionPlatform,
  anyAwsResource,
  awsResource,
  checkAwsAction,
  closest,
  editDistance,
  gcpPermissionNote,
  gcpResource,
  nodeJson,
  nodeText,
  parseContext,
  parseMaxHops,
  safeJson,
  statementLine,
  wrap,
  type StatementJson,
} from '../../src/cli/query.js';
import { IdentityGraph } from '../../src/graph/graph.js';
import { arn, GraphBuilder } from '../rules/builders.js';
import { account, binding, gcpGraph, sa } from '../rules/gcp-builders.js';
import { nhiErrorOf } from '../support/errors.js';

const error = nhiErrorOf;

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

describe('action names', () => {
  it.each([
    ['iam:passrole', 'iam:PassRole'],
    ['IAM:CreateAccessKey', 'iam:CreateAccessKey'],
    ['sts:AssumeRole', 'sts:AssumeRole'],
  ])('a known action %s is spelled as the catalogue spells it', (given, spelled) => {
    expect(checkAwsAction(given)).toBe(spelled);
  });

  it.each([
    ['a typo in the action', 'iam:PasRole', /unknown AWS action 'iam:PasRole'/, /did you mean iam:PassRole/],
    ['a typo in the service', 'iamm:PassRole', /unknown AWS service 'iamm'/, /did you mean iam:PassRole/],
    ['an action nothing resembles', 'iam:Qqqqqqqqqqqqqqqq', /unknown AWS action/, /--allow-unknown-action/],
  ])('%s is a usage error with a hint', (_what, given, message, hint) => {
    const e = error(() => checkAwsAction(given));
    expect(e.code).toBe('USAGE');
    expect(e.message).toMatch(message);
    expect(e.suggestion).toMatch(hint);
  });

  it('--allow-unknown-action lets an action newer than the catalogue through as written', () => {
    expect(checkAwsAction('iam:BrandNewAction', true)).toBe('iam:BrandNewAction');
  });

  it.each([
    ['iam:PassRole', 'aws'],
    ['s3:GetObject', 'aws'],
    ['iam.serviceAccountKeys.create', 'gcp'],
    ['resourcemanager.projects.setIamPolicy', 'gcp'],
  ] as const)('%s belongs to %s', (action, platform) => {
    expect(actionPlatform(action)).toBe(platform);
  });

  it.each([
    ['a pattern', 'iam:*', /not a pattern/],
    ['neither form', 'PassRole', /neither an AWS action/],
    ['a two-part permission', 'iam.create', /neither an AWS action/],
  ])('%s is refused', (_w, action, message) => {
    expect(error(() => actionPlatform(action)).message).toMatch(message);
  });

  it.each([
    ['iam:CreateAccessKey', 'arn:*:iam::*:user/*'],
    ['iam:PassRole', 'arn:*:iam::*:role/*'],
    ['iam:ListUsers', '*'],
    ['iam:NoSuchActionAtAll', 'arn:*:*:*:*:*'],
  ])('"any resource" for %s is %s', async (action, pattern) => {
    expect(await anyAwsResource(action)).toBe(pattern);
  });

  it.each([
    ['PassRole', 'PasRole', 1],
    ['PassRole', 'PassRoel', 1],
    ['PassRole', 'passrole', 0],
    ['PassRole', 'CreateRole', 5],
  ])('editDistance(%s, %s) = %d', (a, b, d) => {
    expect(editDistance(a, b)).toBe(d);
  });

  it('closest finds near names and nothing for a far one', () => {
    expect(closest('PasRole', ['PassRole', 'GetRole', 'CreateUser'])).toEqual(['PassRole']);
    expect(closest('CreateAccesKey', ['CreateAccessKey', 'DeleteAccessKey', 'CreateUser'])).toEqual(['CreateAccessKey']);
    expect(closest('Zzzzzzzz', ['PassRole', 'GetRole'])).toEqual([]);
  });

  it('a GCP permission no role grants gets a note with the nearest known one; a known one none', () => {
    const g = gcpGraph({ serviceAccounts: [account('a')] });
    expect(gcpPermissionNote(g, 'iam.serviceAccountKeys.create')).toBeUndefined();
    expect(gcpPermissionNote(g, 'iam.serviceAccountKey.create')).toMatch(/did you mean iam\.serviceAccountKeys\.create/);
  });
});

describe('resources', () => {
  const b = new GraphBuilder();
  const role = b.role('deploy');
  b.user('ci');
  const g = b.graph;

  it.each([
    ['nothing: the pattern for any resource', undefined, 'arn:*:iam::*:role/*', undefined],
    ['an ARN of a role in the snapshot', arn.role('deploy'), arn.role('deploy'), role],
    ['an ARN the snapshot does not hold', 'arn:aws:s3:::bucket/key', 'arn:aws:s3:::bucket/key', undefined],
    ['a role by name', 'deploy', arn.role('deploy'), role],
    ['a user by name', 'ci', arn.user('ci'), undefined],
  ])('AWS: %s', (_w, given, expected, roleId) => {
    const r = awsResource(g, given, 'arn:*:iam::*:role/*');
    expect(r.arn).toBe(expected);
    expect(r.roleId).toBe(roleId);
  });

  it('AWS: a name the snapshot does not hold is an error naming it', () => {
    expect(error(() => awsResource(g, 'nobody')).code).toBe('NOT_FOUND');
  });

  const gg = gcpGraph({ serviceAccounts: [account('app')] });
  it.each([
    ['a project', 'projects/p1', 'projects/p1'],
    ['a service account resource', `serviceAccounts/${sa('app')}`, `serviceAccounts/${sa('app')}`],
    ['a node id', 'gcp:folder:42', 'folders/42'],
    ['a service account by email', sa('app'), `serviceAccounts/${sa('app')}`],
  ])('GCP: %s', (_w, given, expected) => {
    expect(gcpResource(gg, given)).toBe(expected);
  });

  it('GCP: no resource is a usage error that suggests the projects of the snapshot', () => {
    const e = error(() => gcpResource(gg, undefined));
    expect(e.code).toBe('USAGE');
    expect(e.suggestion).toContain('projects/demo-proj');
  });
});

describe('options', () => {
  it.each([
    ['3', 3],
    ['1', 1],
    [undefined, undefined],
  ])('--max-hops %s', (v, n) => {
    expect(parseMaxHops(v)).toBe(n);
  });

  it.each(['0', '-1', '2.5', 'x', '51', ''])('--max-hops %j is a usage error', (v) => {
    expect(error(() => parseMaxHops(v)).code).toBe('USAGE');
  });

  it('--context collects KEY=VALUE pairs (keys in lower case, a repeated key has several values)', () => {
    expect(parseContext(['aws:SourceIp=10.0.0.1', 'iam:PassedToService=lambda.amazonaws.com', 'aws:SourceIp=10.0.0.2'])).toEqual({
      'aws:sourceip': ['10.0.0.1', '10.0.0.2'],
      'iam:passedtoservice': 'lambda.amazonaws.com',
    });
    expect(parseContext(undefined)).toEqual({});
    expect(error(() => parseContext(['novalue'])).code).toBe('USAGE');
    expect(error(() => parseContext(['=x'])).code).toBe('USAGE');
  });
});

describe('naming and safe output', () => {
  const g = new IdentityGraph();
  it.each([
    ['meta:admin:aws:123456789012', 'full admin of AWS account 123456789012', 'admin-sink'],
    ['meta:admin:gcp:projects/p', 'full admin of Google Cloud projects/p', 'admin-sink'],
    ['github:anyone', 'anyone on GitHub (a repository of their own)', 'anyone'],
    ['aws:iam-role:arn:aws:iam::1:role/gone', 'aws:iam-role:arn:aws:iam::1:role/gone', 'unknown'],
  ])('%s is named %j', (id, name, type) => {
    const j = nodeJson(g, id);
    expect(j.name).toBe(name);
    expect(j.type).toBe(type);
    expect(nodeText(g, id)).toBe(name);
  });

  const hostile = 'x\u001b]8;;https://evil.example/\u0007link\u001b]8;;\u0007\u001b[31m\u202eevil\u009b2J';
  it.each<[string, StatementJson, RegExp]>([
    ['an AWS statement through a group', { policyId: 'aws:managed-policy:p', policyName: 'build', statementIndex: 1, sid: 'Pass', via: 'aws:iam-group:g', viaName: 'Developers', kind: 'identity', effect: 'Allow' }, /^statement 1 \(Pass\) of policy build \(through Developers\)$/],
    ['a trust statement', { policyId: 'aws:iam-role:r', policyName: 'deploy (trust policy)', statementIndex: 0, via: 'direct', kind: 'trust', effect: 'Allow' }, /^statement 0 of trust policy of deploy$/],
    ['a boundary statement', { policyId: 'aws:managed-policy:b', policyName: 'limits', statementIndex: 2, via: 'direct', kind: 'boundary', effect: 'Allow' }, /^statement 2 of permissions boundary limits$/],
    ['a GCP role binding', { policyId: 'gcp:binding:projects/p/roles/owner', policyName: 'roles/owner on projects/p', statementIndex: 0, via: 'gcp:group:g@x', viaName: 'g@x', kind: 'identity', effect: 'Allow' }, /^role binding roles\/owner on projects\/p \(through g@x\)$/],
    ['a GCP deny rule', { policyId: 'gcp:deny-policy:policies/x/denypolicies/d', policyName: 'no-keys', statementIndex: 3, via: 'direct', kind: 'identity', effect: 'Deny' }, /^rule 3 of deny policy no-keys$/],
    ['hostile names', { policyId: 'aws:inline-policy:x', policyName: hostile, statementIndex: 0, sid: hostile, via: 'g', viaName: hostile, kind: 'identity', effect: 'Allow' }, /^statement 0 \(xlinkevil\) of policy xlinkevil \(through xlinkevil\)$/],
  ])('statementLine: %s', (_w, s, expected) => {
    const line = statementLine(s);
    expect(line).toMatch(expected);
    expect(line).not.toMatch(CONTROL);
  });

  it('safeJson escapes C1 controls, line separators and bidi overrides, and parses back to the same value', () => {
    const value = { name: hostile, sep: 'a\u2028b', plain: 'ação' };
    const text = safeJson(value);
    expect(text).not.toMatch(CONTROL);
    expect(text).not.toContain('\u2028');
    expect(text).toContain('ação');
    expect(JSON.parse(text)).toEqual(value);
  });

  it('wrap keeps every line within the width, with the continuation indent; no width: one line', () => {
    const text = 'granted by statement 0 of policy build; statement 1 (Functions) of policy build; statement 0 of trust policy of lambda-admin';
    const lines = wrap(text, 50, '    ', '      ');
    expect(lines.length).toBeGreaterThan(1);
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(50);
    expect(lines[0].startsWith('    g')).toBe(true);
    expect(lines.slice(1).every((l) => l.startsWith('      ') && l[6] !== ' ')).toBe(true);
    expect(lines.map((l) => l.trim()).join(' ')).toBe(text);
    expect(wrap(text, undefined, '  ')).toEqual([`  ${text}`]);
  });
});

describe('a GCP graph for the helpers', () => {
  it('knows the permissions of the roles it holds', () => {
    const g = gcpGraph({ serviceAccounts: [account('a')], roles: [{ name: 'projects/demo-proj/roles/custom', includedPermissions: ['storage.buckets.frobnicate'] }], policy: { bindings: [binding('projects/demo-proj/roles/custom', `serviceAccount:${sa('a')}`)] } });
    expect(gcpPermissionNote(g, 'storage.buckets.frobnicate')).toBeUndefined();
  });
});
