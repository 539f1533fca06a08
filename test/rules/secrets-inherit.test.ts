import { describe, expect, it } from 'vitest';
import { IdentityGraph } from '../../src/graph/graph.js';
import { rule } from '../../src/rules/secrets-inherit.js';
import { runRule } from './builders.js';
import { workflow } from './workflow-helpers.js';

const call = (uses: string, secrets: string) => `on: push\njobs:\n  call:\n    uses: ${uses}\n    secrets: ${secrets}\n`;

describe('secrets-inherit', () => {
  it.each([
    ['named secrets only', call('other-org/tools/.github/workflows/x.yml@v1', '{ NPM_TOKEN: "${{ secrets.NPM_TOKEN }}" }')],
    ['no reusable workflow', 'on: push\njobs:\n  a:\n    runs-on: x\n    steps: [{run: ok}]\n'],
  ])('valid: %s', (_l, text) => {
    expect(runRule(rule, IdentityGraph.from(workflow(text)))).toEqual([]);
  });

  it.each([
    ['local reusable workflow', './.github/workflows/deploy.yml', 'medium', {}],
    ['same owner', 'acme/shared/.github/workflows/deploy.yml@main', 'medium', {}],
    ['third party', 'build-tools-inc/wf/.github/workflows/publish.yml@v3', 'high', {}],
    ['third party on the trusted list', 'build-tools-inc/wf/.github/workflows/publish.yml@v3', 'medium', { trustedOwners: ['Build-Tools-Inc'] }],
  ])('invalid: %s', (_l, uses, severity, options) => {
    const [f] = runRule(rule, IdentityGraph.from(workflow(call(uses, 'inherit'))), options);
    expect(f).toMatchObject({ severity, discriminator: 'job:call', location: { startLine: 3 } });
    expect(f.message).toContain(uses);
  });
});
