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
  it('nhi scan --help is what it was before the declarations (no existing flag changed; connectors added since only add their lines)', async () => {
    const r = await nhi(['scan', '--help']);
    expect(r.code).toBe(0);
    const before = readFileSync(path.join(repoRoot, 'test', 'fixtures', 'cli', 'scan-help-before-connector-flags.txt'), 'utf8');
    // connectors added after the capture: their flags are dropped and their id taken out of the --connector list
    const added = { ids: ['entra', 'kubernetes'], flags: ['--entra-tenant', '--azure-subscriptions', '--kube-cluster', '--kube-context', '--kubeconfig', '--kube-issuer', '--github-enterprise', '--aws-organization', '--aws-member-role', '--aws-account-concurrency'] };
    const blocks = (text: string) => {
      const out: string[] = [];
      for (const line of text.split('\n')) {
        if (/^  -/.test(line) || out.length === 0 || /^\S/.test(line)) out.push(line);
        else out[out.length - 1] += `\n${line}`;
      }
      return out;
    };
    // scan flags added since that are not a connector's: --no-report (a shard's scan for nhi merge)
    const general = ['--no-report'];
    const now = blocks(r.stdout).filter((b) => ![...added.flags, ...general].some((f) => new RegExp(`^${f}(\\s|$)`).test(b.trimStart())));
    const squash = (b: string) => b.replace(/\s+/g, ' ');
    const was = blocks(before);
    expect(now.length).toBe(was.length);
    // help texts changed on purpose since the capture (not flags): the demo estate gained a cluster and a tenant;
    // --github-org takes several organisations; --external-id and --aws-endpoint also serve --aws-organization
    const reworded = [/^  --demo\s/, /^  --github-org\s/, /^  --external-id\s/, /^  --aws-endpoint\s/];
    for (let i = 0; i < was.length; i++) {
      if (reworded.some((r) => r.test(was[i]))) expect(now[i].split(/\s+/)[1]).toBe(was[i].split(/\s+/)[1]);
      else if (was[i].startsWith('  -c, --connector')) {
        let text = squash(now[i]);
        for (const id of added.ids) text = text.replace(`${id}, `, '');
        expect(text).toBe(squash(was[i]));
      } else if (was[i].startsWith('  -f, --format')) {
        // report formats added since the capture: html
        expect(squash(now[i]).replace('"markdown", "html",', '"markdown",')).toBe(squash(was[i]));
      } else expect(now[i]).toBe(was[i]);
    }
  });

  it('--github-org a,b is one job per organisation (duplicates once); --github-installation-id with several is a usage error', async () => {
    const built = await buildJobs(flags({ githubOrg: 'acme, beta,acme' }), 5);
    expect(built.jobs.map((j) => [j.connector.id, j.options.org, j.target])).toEqual([
      ['github', 'acme', 'acme'],
      ['github', 'beta', 'beta'],
    ]);
    await expect(buildJobs(flags({ githubOrg: 'acme,beta', githubInstallationId: '12' }), 5)).rejects.toThrow(/--github-installation-id names one installation, but --github-org names several organisations/);
  });

  it('--github-enterprise alone selects the connector: one job that lists the organisations when the scan starts, leaving out those --github-org names', async () => {
    expect(inferConnectors({ githubEnterprise: 'acme-corp' })).toEqual(['github']);
    const built = await buildJobs(flags({ githubEnterprise: 'acme-corp', githubOrg: 'beta' }), 5);
    expect(built.jobs.map((j) => [j.connector.id, j.options.org, j.options.enterprise, j.options.skipOrgs, j.target])).toEqual([
      ['github', 'beta', undefined, undefined, 'beta'],
      ['github', undefined, 'acme-corp', ['beta'], 'enterprise acme-corp'],
    ]);
    await expect(buildJobs(flags({ githubUrl: 'https://ghe.example.com/api/v3' }), 5)).rejects.toThrow(/needs --github-org ORG or --github-enterprise SLUG/);
  });

  it('--aws-organization: the organisation options; with --from-file DIR it is the aws organisation export (not gcloud exports); bad combinations are usage errors', async () => {
    const live = await buildJobs(flags({ awsOrganization: true, awsMemberRole: 'nhi-audit', externalId: 'x-1', awsAccountConcurrency: '8' }), 5);
    expect(live.jobs.map((j) => [j.connector.id, j.options])).toEqual([['aws', { externalId: 'x-1', serviceLastAccessed: true, lastAccessedConcurrency: 5, organization: true, memberRole: 'nhi-audit', accountConcurrency: 8 }]]);
    const dir = path.join(repoRoot, 'examples');
    const offline = await buildJobs(flags({ awsOrganization: true, fromFile: dir }), 5);
    expect(offline.jobs.map((j) => [j.connector.id, j.options])).toEqual([['aws', { fromDir: dir, organization: true }]]);
    await expect(buildJobs(flags({ awsOrganization: true, awsMemberRole: 'arn:aws:iam::123456789012:role/x' }), 5)).rejects.toThrow(/--aws-member-role: expected a role name/);
    await expect(buildJobs(flags({ awsAccountConcurrency: '4' }), 5)).rejects.toThrow('--aws-member-role and --aws-account-concurrency need --aws-organization');
    await expect(buildJobs(flags({ awsOrganization: true, awsAccountConcurrency: '0' }), 5)).rejects.toThrow(/--aws-account-concurrency: expected a positive whole number/);
    await expect(buildJobs(flags({ awsOrganization: true, fromFile: dir, profile: 'p' }), 5)).rejects.toThrow(/scans an organisation offline: --profile/);
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
    ['--kube-context (a live cluster)', { kubeContext: 'prod' }, ['kubernetes']],
    ['--kubeconfig (a live cluster)', { kubeconfig: '/x/config' }, ['kubernetes']],
    ['--entra-tenant with --from-file DIR (the folder is the tenant\'s, not a GCP export)', { entraTenant: '11111111-2222-3333-4444-555555555555', fromFile: path.join(repoRoot, 'examples') }, ['entra']],
    ['--azure-subscriptions (a live Entra ID scan with Azure RBAC)', { azureSubscriptions: 'all' }, ['entra']],
  ])('without --connector, %s selects %j', (_l, values, ids) => {
    expect(inferConnectors(values)).toEqual(ids);
  });

  it('a flag of a connector that is not selected is a usage error naming both; a shared flag belongs to whichever is selected', () => {
    expect(() => checkStrayFlags({ githubOrg: 'acme' }, new Set(['aws']))).toThrow(/--github-org is a github option, but the github connector is not selected/);
    expect(() => checkStrayFlags({ fromFile: 'dir' }, new Set(['gcp']))).not.toThrow();
    expect(() => checkStrayFlags({ githubWorkflows: false }, new Set(['aws']))).not.toThrow();
    expect(() => checkStrayFlags({ fromFile: 'cluster.json' }, new Set(['kubernetes']))).not.toThrow();
    // one --from-file cannot be the input of two selected connectors
    expect(() => checkStrayFlags({ fromFile: 'cluster.json' }, new Set(['aws', 'kubernetes']))).toThrow(/--from-file gives one input, but aws and kubernetes both read --from-file/);
    expect(() => checkStrayFlags({ fromFile: 'export' }, new Set(['entra', 'workflows']))).not.toThrow();
    expect(() => checkStrayFlags({ kubeCluster: 'prod' }, new Set(['aws']))).toThrow(/--kube-cluster is a kubernetes option/);
    expect(() => checkStrayFlags({ kubeContext: 'prod' }, new Set(['gcp']))).toThrow(/--kube-context is a kubernetes option/);
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
    const live = await buildJobs(flags({ connector: 'kubernetes', kubeContext: 'prod', kubeconfig: '/x/config' }), 5);
    expect(live.jobs.map((j) => [j.connector.id, j.options])).toEqual([['kubernetes', { kubeconfig: '/x/config', context: 'prod' }]]);
    expect((await err({ connector: 'kubernetes', fromFile: k8s, kubeContext: 'prod' })).message).toBe('offline scan: --kube-context does not apply');
    expect((await err({ connector: 'kubernetes', fromFile: k8s, kubeconfig: '/x/config' })).message).toBe('offline scan: --kubeconfig does not apply');
    // without --from-file, entra scans live; --azure-subscriptions is a live flag
    const entraLive = await buildJobs(flags({ connector: 'entra', azureSubscriptions: 'AAAAAAAA-0000-4000-8000-000000000001, aaaaaaaa-0000-4000-8000-000000000001,bbbbbbbb-0000-4000-8000-000000000002' }), 5);
    expect(entraLive.jobs.map((j) => [j.connector.id, j.options])).toEqual([['entra', { subscriptions: ['aaaaaaaa-0000-4000-8000-000000000001', 'bbbbbbbb-0000-4000-8000-000000000002'] }]]);
    expect((await buildJobs(flags({ azureSubscriptions: 'all' }), 5)).jobs.map((j) => [j.connector.id, j.options])).toEqual([['entra', { subscriptions: 'all' }]]);
    expect((await err({ connector: 'entra', azureSubscriptions: 'prod' })).message).toMatch(/--azure-subscriptions: expected subscription ids \(GUIDs, comma-separated\) or 'all', got 'prod'/);
    expect((await err({ connector: 'entra', azureSubscriptions: 'all', fromFile: path.join(repoRoot, 'test', 'fixtures', 'entra', 'tenant') })).message).toMatch(/--azure-subscriptions is for live scans/);
    expect((await err({ azureSubscriptions: 'all', fromFile: path.join(repoRoot, 'examples') })).message).toMatch(/--azure-subscriptions is for live scans/);
    expect((await err({ connector: 'entra', fromFile: path.join(repoRoot, 'package.json') })).message).toMatch(/reads a folder of Microsoft Graph exports/);
    expect((await err({ connector: 'entra', fromFile: path.join(repoRoot, 'examples'), entraTenant: 'acme' })).message).toMatch(/--entra-tenant: expected a tenant id/);
    const entra = await buildJobs(flags({ connector: 'entra', fromFile: path.join(repoRoot, 'test', 'fixtures', 'entra', 'tenant') }), 5);
    expect(entra.jobs.map((j) => [j.connector.id, j.options])).toEqual([['entra', { fromDir: path.join(repoRoot, 'test', 'fixtures', 'entra', 'tenant') }]]);
    const { jobs } = await buildJobs(flags({ connector: 'workflows', path: '.', repo: 'acme/app' }), 5);
    expect(jobs.map((j) => [j.connector.id, j.options])).toEqual([['workflows', { path: '.', repo: 'acme/app' }]]);
  });
});
