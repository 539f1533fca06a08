/**
 * Fuzz, in process: for each input kind the offline connectors read (AWS authorization details, credential report,
 * last-accessed JSON, a GCP export folder, a workflow file) and the GitLab CI file the GitLab connector fetches,
 * valid samples from examples/demo and the test fixtures are mutated (fields dropped, types swapped, huge strings,
 * control characters and escape sequences, truncation, deep nesting, YAML aliases, files swapped for folders,
 * dangling links and devices) and run through the connector, the engine with every rule, and every renderer.
 *
 * Asserted for every case: the scan ends in a report or a usage error (NhiError, exit 2), never another exception
 * (exit 4 from the CLI) or a hang; the JSON report validates against report-v1 and the SARIF log against SARIF 2.1.0.
 * NHI_FUZZ_SEED and NHI_FUZZ_CASES (cases per kind, default 200) reproduce or widen a run; failures name the seed.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeGitLab, type FakeGitLab } from '../fakes/gitlab/server.js';
import { CASES, caseSeed, fuzzGitLabEstate, KINDS } from './cases.js';
import { runCase, type CaseOutcome } from './harness.js';
import { prng } from './mutate.js';

let tmp: string;
let gitlab: FakeGitLab;
const estate = fuzzGitLabEstate();
const savedToken = process.env.GITLAB_TOKEN;

beforeAll(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'nhi-fuzz-'));
  gitlab = await startFakeGitLab(estate, { pageSize: 50 });
  process.env.GITLAB_TOKEN = 'glpat-fuzz-token';
});
afterAll(async () => {
  // NHI_FUZZ_REPORT=1: how the cases ended, per kind (usage errors, incomplete scans, clean scans)
  if (process.env.NHI_FUZZ_REPORT) for (const [kind, line] of Object.entries(counts)) process.stderr.write(`fuzz ${kind}: ${line}\n`);
  await gitlab?.close();
  if (savedToken === undefined) delete process.env.GITLAB_TOKEN;
  else process.env.GITLAB_TOKEN = savedToken;
  rmSync(tmp, { recursive: true, force: true });
});

/** Failures per kind from the renderers (reports/, another area): asserted in their own test so they are told apart. */
const renderFailures = new Map<string, string[]>();
const counts: Record<string, string> = {};

describe.each(KINDS)('fuzz $kind', ({ kind, gen }) => {
  it(`${CASES} mutated inputs through connector, engine (every rule) and every renderer: no exception but NhiError, no hang`, async () => {
    const scanFailures: string[] = [];
    const rendering: string[] = [];
    const tally = { usage: 0, incomplete: 0, clean: 0 };
    for (let i = 0; i < CASES; i++) {
      const seed = caseSeed(kind, i);
      const dir = path.join(tmp, `${kind}-${i}`);
      mkdirSync(dir);
      let outcome: CaseOutcome;
      try {
        outcome = await runCase(gen(prng(seed), { dir, gitlab: { url: gitlab.url, estate } }).jobs);
      } catch (err) {
        outcome = { scanFailure: `generator or harness: ${String(err)}`, renderFailures: [] };
      }
      if (outcome.scanFailure) scanFailures.push(`seed ${seed}: ${outcome.scanFailure}`);
      for (const f of outcome.renderFailures) rendering.push(`seed ${seed}: ${f.format}: ${f.problem}`);
      if (outcome.usageError !== undefined) tally.usage++;
      else if (outcome.incomplete) tally.incomplete++;
      else tally.clean++;
      rmSync(dir, { recursive: true, force: true });
    }
    renderFailures.set(kind, rendering);
    counts[kind] = `${tally.usage} usage errors, ${tally.incomplete} incomplete, ${tally.clean} complete`;
    // the mutations must reach past the file parsers: most cases end in a report, not a usage error
    expect(tally.incomplete + tally.clean, counts[kind]).toBeGreaterThan(CASES / 2);
    expect(scanFailures.slice(0, 10)).toEqual([]);
  });

  it('the JSON report validates against report-v1 and the SARIF log against SARIF 2.1.0 for every case', () => {
    expect(renderFailures.get(kind)?.slice(0, 10)).toEqual([]);
  });
});
