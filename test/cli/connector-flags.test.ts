/**
 * Connectors own their command-line flags (connectors/flags.ts): `nhi scan --help`, flag inference, stray-flag errors,
 * `nhi connectors` and the README's flag table are all driven from the declarations. The help text is compared with the
 * one captured before the declarations existed (test/fixtures/cli/scan-help-before-connector-flags.txt): the refactor
 * changed no existing flag.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkStrayFlags, CONNECTOR_FLAGS, inferConnectors } from '../../connectors/flags.js';
import { CONNECTORS } from '../../connectors/index.js';
import { buildJobs, type ScanFlags } from '../../src/cli/commands/scan.js';
import { NhiError } from '../../src/util/errors.js';
import { nhi, repoRoot } from '../e2e/run.js';

const README = readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
const scanTable = README.slice(README.indexOf('### `nhi scan`'), README.indexOf('### `nhi inventory`'));
const flags = (f: Partial<ScanFlags>) => ({ format: 'terminal', ...f }) as ScanFlags;

describe('connectors declare their scan flags', () => {
  it('nhi scan --help is what it was before the declarations (no existing flag changed; only the lines connectors added since)', async () => {
    const r = await nhi(['scan', '--help']);
    expect(r.code).toBe(0);
    // added since the capture: the kubernetes connector (its id in the --connector list, its --kube-cluster flag)
    const added = r.stdout
      .replace('aws, gcp, github, gitlab, kubernetes,\n      workflows (default: inferred from the flags, else aws)', 'aws, gcp, github, gitlab, workflows\n      (default: inferred from the flags, else aws)')
      .replace(/\n  --kube-cluster <name>\n(?: {6}.*\n)+/, '\n');
    expect(added).toContain('--from-file <file>');
    expect(added).toBe(readFileSync(path.join(repoRoot, 'test', 'fixtures', 'cli', 'scan-help-before-connector-flags.txt'), 'utf8'));
  });

  it('every connector of the registry declares its flags, and every declared flag is in the README flag table', () => {
    expect(CONNECTOR_FLAGS.map((d) => d.id).sort()).toEqual(CONNECTORS.map((c) => c.id).sort());
    for (const d of CONNECTOR_FLAGS) for (const f of d.flags) expect(scanTable, f.spec).toContain(f.spec.split(' ')[0]);
  });

  it('nhi connectors lists each connector with the flags it takes', async () => {
    const r = await nhi(['connectors']);
    expect(r.code).toBe(0);
    for (const d of CONNECTOR_FLAGS) expect(r.stdout).toContain(d.flags.map((f) => f.spec.split(' ')[0]).join(', '));
  });

  it.each([
    ['nothing', {}, ['aws']],
    ['--profile', { profile: 'x' }, ['aws']],
    ['--from-file FILE', { fromFile: path.join(repoRoot, 'package.json') }, ['aws']],
    ['--from-file DIR', { fromFile: path.join(repoRoot, 'examples') }, ['gcp']],
    ['--from-file DIR and --credential-report', { fromFile: path.join(repoRoot, 'examples'), credentialReport: 'r.csv' }, ['gcp', 'aws']],
    ['--github-org and --path', { githubOrg: 'acme', path: '.' }, ['github', 'workflows']],
    ['--gitlab-group and --gcp-project', { gitlabGroup: 'g', gcpProject: 'p' }, ['gcp', 'gitlab']],
    ['--no-github-workflows alone (a switch selects nothing)', { githubWorkflows: false }, ['aws']],
    ['--from-file FILE and --kube-cluster (a kubectl List, not an AWS export)', { fromFile: path.join(repoRoot, 'package.json'), kubeCluster: 'prod' }, ['kubernetes']],
  ])('without --connector, %s selects %j', (_l, values, ids) => {
    expect(inferConnectors(values)).toEqual(ids);
  });

  it('a flag of a connector that is not selected is a usage error naming both; a shared flag belongs to whichever is selected', () => {
    expect(() => checkStrayFlags({ githubOrg: 'acme' }, new Set(['aws']))).toThrow(/--github-org is a github option, but the github connector is not selected/);
    expect(() => checkStrayFlags({ fromFile: 'dir' }, new Set(['gcp']))).not.toThrow();
    expect(() => checkStrayFlags({ githubWorkflows: false }, new Set(['aws']))).not.toThrow();
    expect(() => checkStrayFlags({ fromFile: 'cluster.json' }, new Set(['kubernetes']))).not.toThrow();
    expect(() => checkStrayFlags({ kubeCluster: 'prod' }, new Set(['aws']))).toThrow(/--kube-cluster is a kubernetes option/);
  });

  it('with --connector X, --from-file belongs to X: a file for gcp or a folder for aws is a clear usage error', async () => {
    const err = async (f: Partial<ScanFlags>) => {
      try {
        await buildJobs(flags(f), 5);
      } catch (e) {
        return e as NhiError;
      }
      throw new Error('no error');
    };
    expect((await err({ connector: 'gcp', fromFile: path.join(repoRoot, 'package.json') })).message).toMatch(/the gcp connector reads a folder of gcloud JSON exports/);
    expect((await err({ connector: 'aws', fromFile: path.join(repoRoot, 'examples') })).message).toMatch(/is a folder: for AWS pass the get-account-authorization-details JSON file/);
    const k8s = path.join(repoRoot, 'test', 'fixtures', 'kubernetes', 'cluster.json');
    const built = await buildJobs(flags({ connector: 'kubernetes', fromFile: k8s }), 5);
    expect(built.jobs.map((j) => [j.connector.id, j.options])).toEqual([['kubernetes', { fromFile: k8s }]]);
    expect((await err({ connector: 'kubernetes' })).message).toMatch(/offline only for now: live scans through the API server come later/);
    const { jobs } = await buildJobs(flags({ connector: 'workflows', path: '.', repo: 'acme/app' }), 5);
    expect(jobs.map((j) => [j.connector.id, j.options])).toEqual([['workflows', { path: '.', repo: 'acme/app' }]]);
  });
});
