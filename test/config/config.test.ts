import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { loadConfig, parseConfig } from '../../src/config/config.js';
import type { Rule } from '../../src/rules/types.js';
import { NhiError } from '../../src/util/errors.js';

const rule: Rule<{ maxAgeDays: number }> = {
  meta: {
    id: 'credential-not-rotated',
    title: 't',
    severity: 'high',
    confidence: 'high',
    category: 'credential-hygiene',
    platforms: ['*'],
    description: 'd',
    risk: 'r',
    remediation: { text: 'x' },
    options: z.object({ maxAgeDays: z.number().int().positive().default(90) }),
  },
  check: () => [],
};

function errorOf(fn: () => unknown): NhiError {
  try {
    fn();
  } catch (e) {
    if (e instanceof NhiError) return e;
    throw e;
  }
  throw new Error('expected an NhiError');
}

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
});
