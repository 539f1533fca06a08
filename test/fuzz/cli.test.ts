/**
 * Fuzz through the real CLI (bin/nhi -> dist, as a user runs it): a few generated inputs per kind, the same
 * generators as the in-process fuzz (cases.ts). Asserted: the documented exit codes only (0 clean, 2 unusable input,
 * 3 incomplete; never 4), no stack trace on stderr, and a report that validates against its schema whenever one is
 * written. Also the regression the issue reported: one bad record no longer stops the AWS connector.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeGitLab, type FakeGitLab } from '../fakes/gitlab/server.js';
import { nhi, repoRoot, STACK_LINE } from '../e2e/run.js';
import { caseSeed, fuzzGitLabEstate, KINDS } from './cases.js';
import { validateJson, validateSarif } from './harness.js';
import { prng } from './mutate.js';

/** CLI runs per kind (each is a process start): NHI_FUZZ_CLI_CASES. */
const CLI_CASES = Number(process.env.NHI_FUZZ_CLI_CASES ?? 10);
/** a different range of seeds than the in-process run, so the CLI sees other inputs */
const CLI_SEED_BASE = Number(process.env.NHI_FUZZ_SEED ?? 8) + 500;

let tmp: string;
let gitlab: FakeGitLab;
const estate = fuzzGitLabEstate();

beforeAll(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'nhi-fuzz-cli-'));
  gitlab = await startFakeGitLab(estate, { pageSize: 50 });
});
afterAll(async () => {
  await gitlab?.close();
  rmSync(tmp, { recursive: true, force: true });
});

const FORMATS = ['json', 'sarif', 'terminal', 'markdown'] as const;

describe.each(KINDS)('CLI fuzz $kind', ({ kind, gen }) => {
  it(`${CLI_CASES} mutated inputs through bin/nhi: exit 0, 2 or 3, never 4; no stack trace; valid reports`, async () => {
    const problems: string[] = [];
    for (let i = 0; i < CLI_CASES; i++) {
      const seed = caseSeed(kind, i, CLI_SEED_BASE);
      const dir = path.join(tmp, `${kind}-${i}`);
      mkdirSync(dir);
      const input = gen(prng(seed), { dir, gitlab: { url: gitlab.url, estate } });
      const format = FORMATS[i % FORMATS.length];
      const r = await nhi(['scan', ...input.args, '--no-store', '--as-of', '2026-11-01', '--timeout', '60', '-f', format, '-q'], { env: { GITLAB_TOKEN: 'glpat-fuzz-cli' }, cwd: dir });
      const where = `seed ${seed} (${format}): exit ${r.code}`;
      if (![0, 2, 3].includes(r.code)) problems.push(`${where}: ${r.stderr.split('\n').slice(0, 3).join(' | ')}`);
      if (STACK_LINE.test(r.stderr)) problems.push(`${where}: stack trace on stderr`);
      if (/Cannot read propert|is not a function|is not iterable/.test(r.stdout + r.stderr)) problems.push(`${where}: a JavaScript error reached the output`);
      if (r.code === 2 && !/^nhi: /m.test(r.stderr)) problems.push(`${where}: a usage error without an "nhi:" line`);
      if ((r.code === 0 || r.code === 3) && (format === 'json' || format === 'sarif')) {
        let doc: unknown;
        try {
          doc = JSON.parse(r.stdout);
        } catch {
          problems.push(`${where}: stdout is not JSON`);
          continue;
        }
        const validate = format === 'json' ? validateJson : validateSarif;
        if (!validate(doc)) problems.push(`${where}: ${format} fails its schema at ${validate.errors?.[0]?.instancePath} ${validate.errors?.[0]?.message}`);
      }
      rmSync(dir, { recursive: true, force: true });
    }
    expect(problems).toEqual([]);
  });
});

describe('CLI: one bad record no longer drops the AWS connector (issue 8)', () => {
  it('a null user, a numeric RoleName and Tags: {} give exit 3 with notes naming them; every other identity is reported', async () => {
    const authz = JSON.parse(readFileSync(path.join(repoRoot, 'examples', 'demo', 'aws', 'authz.json'), 'utf8')) as Record<string, Array<Record<string, unknown>>>;
    const roleName = String(authz.RoleDetailList[0].RoleName);
    authz.UserDetailList.unshift(null as unknown as Record<string, unknown>);
    authz.RoleDetailList[0].RoleName = 42;
    authz.RoleDetailList[1].Tags = {} as unknown as never;
    const file = path.join(tmp, 'bad-records.json');
    writeFileSync(file, JSON.stringify(authz));
    const r = await nhi(['scan', '--from-file', file, '--no-store', '-f', 'json', '--as-of', '2026-11-01', '-q']);
    expect(r.stderr).not.toMatch(STACK_LINE);
    expect(r.code).toBe(3);
    const report = JSON.parse(r.stdout) as { coverage: Array<{ message: string; incomplete: boolean }>; scan: { connectors: Array<{ id: string; status: string }> }; identities: unknown[] };
    expect(report.scan.connectors).toEqual([expect.objectContaining({ id: 'aws', status: 'partial' })]);
    const messages = report.coverage.filter((c) => c.incomplete).map((c) => c.message);
    expect(messages).toEqual(
      expect.arrayContaining([
        'bad-records.json: UserDetailList[0]: the entry is not an object (got null); this user is skipped',
        `bad-records.json: RoleDetailList[0] (role '${roleName.split('/').pop()}'): RoleName is not a string (got a number); this role is skipped`,
        expect.stringMatching(/^bad-records\.json: RoleDetailList\[1\] \(role '[^']+'\): Tags is not a list \(got an object\); this role is skipped$/),
      ]),
    );
    expect(r.stdout).not.toMatch(/scan stopped|Cannot read properties/);
    expect(report.identities.length).toBeGreaterThan(10);
  });
});
