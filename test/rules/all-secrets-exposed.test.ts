import { describe, expect, it } from 'vitest';
import { IdentityGraph } from '../../src/graph/graph.js';
import { rule } from '../../src/rules/all-secrets-exposed.js';
import { runRule } from './builders.js';
import { WF_ID, workflow } from './workflow-helpers.js';

const wf = (on: string, steps: string) => `on: ${on}\njobs:\n  build:\n    runs-on: x\n    steps:\n${steps}`;
const TOJSON = '      - run: ./tool\n        env:\n          ALL: ${{ toJSON(secrets) }}\n';
const COMPUTED = "      - run: ./deploy\n        env:\n          KEY: ${{ secrets[format('KEY_{0}', matrix.env)] }}\n";

describe('all-secrets-exposed', () => {
  it.each([
    ['secrets by name', wf('push', '      - run: ./tool\n        env:\n          NPM_TOKEN: ${{ secrets.NPM_TOKEN }}\n')],
    ["look-alike: a literal secrets['NAME'] index", wf('push', "      - run: echo ${{ secrets['NPM_TOKEN'] }}\n")],
    ['look-alike: toJSON of the github context, not of secrets', wf('push', '      - run: echo \'${{ toJSON(github.event) }}\'\n')],
    ['secrets: inherit (secrets-inherit reports it)', 'on: push\njobs:\n  call:\n    uses: other/repo/.github/workflows/x.yml@v1\n    secrets: inherit\n'],
  ])('valid: %s', (_l, text) => {
    expect(runRule(rule, IdentityGraph.from(workflow(text)))).toEqual([]);
  });

  it.each([
    ['toJSON(secrets) on push', wf('push', TOJSON), 'high', 'tojson:build', 8],
    ['a computed secrets[...] index on push', wf('push', COMPUTED), 'medium', 'computed-index:build', 8],
    ['toJSON(secrets) on pull_request_target', wf('pull_request_target', TOJSON), 'critical', 'tojson:build', 8],
  ])('invalid: %s', (_l, text, severity, discriminator, line) => {
    const [f, ...rest] = runRule(rule, IdentityGraph.from(workflow(text)));
    expect(rest).toEqual([]);
    expect(f).toMatchObject({ nodeId: WF_ID, severity, discriminator, location: { startLine: line } });
  });

  it('two places in one job are one finding; lines moving keep the fingerprint', () => {
    const text = wf('push', `${TOJSON}${TOJSON}`);
    const found = runRule(rule, IdentityGraph.from(workflow(text)));
    expect(found).toHaveLength(1);
    const moved = runRule(rule, IdentityGraph.from(workflow(`# a comment\n${text}`)));
    expect(moved.map((f) => f.fingerprint)).toEqual(found.map((f) => f.fingerprint));
  });
});
