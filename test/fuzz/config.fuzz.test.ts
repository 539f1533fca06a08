import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/config.js';
import { RULES } from '../../src/rules/index.js';
import { NhiError } from '../../src/util/errors.js';
import { mulberry32 as prng } from '../support/prng.js';


const VALID = `version: 1
failOn: high
concurrency: 8
store: state/nhi.db
rules:
  credential-not-rotated:
    maxAgeDays: 60
    severity: critical
  sa-primitive-role:
    adminRolePattern: "^roles/.*[aA]dmin$"
  identity-unowned:
    ownerTagKeys: [owner, team]
  oidc-trust-unscoped:
    enabled: false
ignore:
  - rule: credential-unused
    identity: "*legacy*"
    reason: migrating
    until: 2027-01-31
  - fingerprint: abc
    reason: accepted
`;

const SCALARS = ['null', '~', '0', '-1', '1e999', 'true', '"x"', "''", '[]', '{}', '&a x', '*a', '*nope', '!!binary aGk=', '"\\u001b]8;;http://x\\u0007"', '"(a)\\\\1"', `"${'*?'.repeat(50)}"`, '2027-02-30', '.inf', '0x1F', '!!js/function "f"'];

function mutate(text: string, rnd: () => number): string {
  const lines = text.split('\n');
  const ops = 1 + Math.floor(rnd() * 4);
  for (let k = 0; k < ops; k++) {
    const i = Math.floor(rnd() * lines.length);
    const op = Math.floor(rnd() * 7);
    const line = lines[i] ?? '';
    if (op === 0) lines.splice(i, 1);
    else if (op === 1) lines[i] = line.replace(/:\s.*$/, `: ${SCALARS[Math.floor(rnd() * SCALARS.length)]}`);
    else if (op === 2) lines[i] = ' '.repeat(Math.floor(rnd() * 6)) + line.trimStart();
    else if (op === 3) lines.splice(i, 0, line);
    else if (op === 4) lines[i] = line.slice(0, Math.floor(rnd() * line.length));
    else if (op === 5) lines.splice(i, 0, `${'  '.repeat(Math.floor(rnd() * 3))}${['- ', 'x: ', '? ', '[', '{', '"', '&b ', '<<: *a'][Math.floor(rnd() * 8)]}`);
    else lines[i] = line.replace(/[a-z]/, (c) => String.fromCharCode(c.charCodeAt(0) ^ 0x20));
  }
  return lines.join('\n');
}

describe('config fuzz: any file content is a config or a one-line CONFIG/USAGE error, never a crash', () => {
  it('400 mutated configurations (seed 11)', { timeout: 60_000 }, () => {
    const rnd = prng(11);
    const crashes: string[] = [];
    let accepted = 0;
    for (let n = 0; n < 400; n++) {
      const text = n === 0 ? VALID : mutate(VALID, rnd);
      try {
        parseConfig(text, 'nhi.config.yaml', RULES, '/base');
        accepted++;
      } catch (err) {
        if (!(err instanceof NhiError)) crashes.push(`#${n}: ${(err as Error).message}\n${text}`);
        else expect(err.message).not.toContain('\n');
      }
    }
    expect(crashes).toEqual([]);
    // the generator is not trivially broken: some inputs stay valid, many do not
    expect(accepted).toBeGreaterThan(10);
    expect(accepted).toBeLessThan(400);
  });

  it('alias bombs and deep nesting are refused as configuration errors', () => {
    const bomb = `a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n`;
    expect(() => parseConfig(bomb, 'nhi.config.yaml', RULES, '/base')).toThrow(NhiError);
    const deep = `rules: ${'['.repeat(5000)}${']'.repeat(5000)}\n`;
    expect(() => parseConfig(deep, 'nhi.config.yaml', RULES, '/base')).toThrow(NhiError);
  });
});
