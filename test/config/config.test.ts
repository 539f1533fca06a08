import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { loadConfig, parseConfig } from '../../src/config/config.js';
import type { Rule } from '../../src/rules/types.js';
import { RULES } from '../../src/rules/index.js';
import { nhiErrorOf } from '../support/errors.js';

const rule: Rule<{ maxAgeDays: number }> = {
  meta: {
    id: 'credential-not-rotated',
    title: 't',
    severity: 'high',
    confidence: 'high',
    category: 'credential-hygiene',
    platforms: ['*'],
    owasp: ['NHI7'],
    description: 'd',
    risk: 'r',
    remediation: { text: 'x' },
    options: z.object({ maxAgeDays: z.number().int().positive().default(90) }),
  },
  check: () => [],
};

const errorOf = nhiErrorOf;

describe('config', () => {
  it('reads rule settings, options with defaults, gate and ignore entries', () => {
    const c = parseConfig(
      'version: 1\nfailOn: high\nrules:\n  credential-not-rotated:\n    severity: critical\n    maxAgeDays: 30\nignore:\n  - rule: credential-not-rotated\n    identity: "*legacy*"\n    reason: migrating in Q1\n    until: 2027-01-31\n',
      'nhi.config.yaml',
      [rule],
      '/base',
    );
    expect(c.failOn).toBe('high');
    expect(c.rules['credential-not-rotated']).toEqual({ enabled: undefined, severity: 'critical', options: { maxAgeDays: 30 } });
    expect(c.ignore[0].reason).toBe('migrating in Q1');
  });

  it.each([
    ['rules:\n  nope: {}\n', /rules\.nope: unknown rule/],
    ['rules:\n  credential-not-rotated:\n    maxAgeDays: soon\n', /rules\.credential-not-rotated\.maxAgeDays: /],
    ['rules:\n  credential-not-rotated:\n    maxAge: 3\n', /unknown option 'maxAge' \(options: maxAgeDays/],
    ['rules:\n  credential-not-rotated:\n    severity: urgent\n', /severity: expected one of critical/],
    ['failOn: sometimes\n', /failOn: /],
    ['colour: red\n', /unknown key 'colour'/],
    ['rules: [\n', /invalid YAML at line/],
    ['ignore:\n  - reason: x\n', /ignore\.0: needs at least one of rule, identity, fingerprint/],
    ['a: 1\na: 2\n', /invalid YAML/],
    // regression: 101+ aliases made the yaml library throw a ReferenceError that surfaced as exit 4
    [`anchors:\n  - &a x\nignore:\n${'  - {rule: *a, reason: *a}\n'.repeat(60)}`, /invalid YAML: .*alias/i],
    ['- just\n- a list\n', /expected a mapping of keys/],
    ['"a string"\n', /expected a mapping of keys/],
    ['ignore:\n  - rule: x\n    reason: r\n    until: 2027-02-30\n', /ignore\.0\.until: not a real date/],
    ['ignore:\n  - rule: x\n    reason: r\n    until: 2027-01-31 and later\n', /ignore\.0\.until: expected a date/],
  ])('rejects %j with a one-line reason', (yaml, message) => {
    const e = errorOf(() => parseConfig(yaml, 'nhi.config.yaml', [rule], '/base'));
    expect(e.code).toBe('CONFIG');
    expect(e.exitCode).toBe(2);
    expect(e.message).toMatch(message);
    expect(e.message).not.toContain('\n');
  });

  it('uses defaults without a file, but a named file must exist; store is relative to the file', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'nhi-config-'));
    expect(loadConfig(undefined, [rule], dir)).toEqual({ rules: {}, ignore: [] });
    expect(errorOf(() => loadConfig('missing.yaml', [rule], dir)).message).toBe('missing.yaml: no such file');
    writeFileSync(path.join(dir, 'nhi.config.yaml'), 'store: state/nhi.db\n');
    expect(loadConfig(undefined, [rule], dir).store).toBe(path.join(dir, 'state', 'nhi.db'));
  });

  it('finds nhi.config.yml when there is no nhi.config.yaml, and prefers .yaml when both exist', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'nhi-config-'));
    writeFileSync(path.join(dir, 'nhi.config.yml'), 'failOn: low\n');
    expect(loadConfig(undefined, [rule], dir)).toMatchObject({ file: 'nhi.config.yml', failOn: 'low' });
    writeFileSync(path.join(dir, 'nhi.config.yaml'), 'failOn: high\n');
    expect(loadConfig(undefined, [rule], dir)).toMatchObject({ file: 'nhi.config.yaml', failOn: 'high' });
  });

  it('--no-config reads no file (even one that is present) and says so; with --config it is a usage error', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'nhi-config-'));
    writeFileSync(path.join(dir, 'nhi.config.yaml'), 'rules:\n  credential-not-rotated:\n    enabled: false\n');
    expect(loadConfig(undefined, [rule], dir, { noConfig: true })).toEqual({ rules: {}, ignore: [], ignored: true });
    expect(errorOf(() => loadConfig('nhi.config.yaml', [rule], dir, { noConfig: true })).code).toBe('USAGE');
  });

  it('a directory, a FIFO, a device or a huge file named as the config is a one-line error, never a hang', { timeout: 10_000 }, () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'nhi-config-'));
    mkdirSync(path.join(dir, 'folder'));
    expect(errorOf(() => loadConfig('folder', [rule], dir)).message).toMatch(/is a directory/);
    execFileSync('mkfifo', [path.join(dir, 'fifo.yaml')]);
    expect(errorOf(() => loadConfig('fifo.yaml', [rule], dir)).message).toMatch(/not a regular file/);
    expect(errorOf(() => loadConfig('/dev/zero', [rule], dir)).message).toMatch(/not a regular file/);
    writeFileSync(path.join(dir, 'big.yaml'), Buffer.alloc(2 * 1024 * 1024, 0x61));
    expect(errorOf(() => loadConfig('big.yaml', [rule], dir)).message).toMatch(/at most 1048576 bytes/);
    symlinkSync('/dev/zero', path.join(dir, 'nhi.config.yaml'));
    expect(errorOf(() => loadConfig(undefined, [rule], dir)).message).toMatch(/nhi.config.yaml: is not a regular file/);
  });

  // regression: an invalid adminRolePattern was only reported when a rule ran, after the whole scan
  it('rejects a regular expression option that is not RE2 when the config is loaded', () => {
    const e = errorOf(() => parseConfig('rules:\n  sa-primitive-role:\n    adminRolePattern: "(a)\\\\1"\n', 'nhi.config.yaml', RULES, '/base'));
    expect(e.message).toMatch(/rules\.sa-primitive-role\.adminRolePattern: the pattern is not a valid RE2 pattern/);
    const ok = parseConfig('rules:\n  sa-primitive-role:\n    adminRolePattern: "^roles/custom\\\\..*"\n', 'nhi.config.yaml', RULES, '/base');
    expect(ok.rules['sa-primitive-role'].options).toMatchObject({ adminRolePattern: '^roles/custom\\..*' });
  });
});

describe('retired rule ids', () => {
  it('settings for a retired rule are ignored with a warning, and its ignore entries move to the replacement', () => {
    const c = parseConfig('rules:\n  path-to-admin:\n    maxHops: 2\nignore:\n  - rule: sa-impersonation-to-privileged\n    reason: accepted\n', 'nhi.config.yaml', RULES, '/base');
    expect(c.rules['path-to-admin']).toBeUndefined();
    expect(c.ignore[0].rule).toBe('privilege-escalation');
    expect(c.warnings).toEqual([
      'nhi.config.yaml: rules.path-to-admin: the rule is now part of privilege-escalation; its settings are ignored (configure rules.privilege-escalation)',
      'nhi.config.yaml: ignore.0: rule sa-impersonation-to-privileged is now part of privilege-escalation; the entry applies to privilege-escalation',
    ]);
  });
});
