import { describe, expect, it } from 'vitest';
import { IdentityGraph } from '../../src/graph/graph.js';
import { rule } from '../../src/rules/oidc-token-broad.js';
import { runRule } from './builders.js';
import { WF_ID, workflow } from './workflow-helpers.js';

const job = (id: string, perms = '') => `  ${id}:\n    runs-on: x\n${perms}    steps:\n      - run: make\n`;
const ID_TOKEN = '    permissions:\n      id-token: write\n      contents: read\n';

describe('oidc-token-broad', () => {
  it.each([
    ['look-alike: trusted publishing, id-token: write on the publishing job only', `on: push\npermissions:\n  contents: read\njobs:\n${job('build')}${job('publish', ID_TOKEN)}`],
    ['a single job inheriting the workflow-level grant (the same as granting it in the job)', `on: push\npermissions:\n  id-token: write\njobs:\n${job('deploy')}`],
    ['every job declares its own permissions', `on: push\npermissions:\n  id-token: write\njobs:\n${job('a', '    permissions: {}\n')}${job('b', '    permissions: {}\n')}`],
    ['write-all (workflow-token-write-all reports it)', `on: push\npermissions: write-all\njobs:\n${job('a')}${job('b')}`],
  ])('valid: %s', (_l, text) => {
    expect(runRule(rule, IdentityGraph.from(workflow(text)))).toEqual([]);
  });

  it.each([
    ['workflow-level id-token: write reaching two jobs', `on: push\npermissions:\n  id-token: write\njobs:\n${job('build')}${job('deploy')}`, 'medium', 'workflow', 2],
    ['workflow-level id-token: write on pull_request_target', `on: pull_request_target\npermissions:\n  id-token: write\njobs:\n${job('deploy')}`, 'high', 'workflow', 2],
    ['a job with id-token: write on issue_comment', `on: issue_comment\njobs:\n${job('agent', ID_TOKEN)}`, 'high', 'job:agent', 5],
  ])('invalid: %s', (_l, text, severity, discriminator, line) => {
    const [f, ...rest] = runRule(rule, IdentityGraph.from(workflow(text)));
    expect(rest).toEqual([]);
    expect(f).toMatchObject({ nodeId: WF_ID, severity, discriminator, location: { startLine: line } });
  });
});
