import { describe, expect, it } from 'vitest';
import type { GcpProjectData } from '../../connectors/gcp/map.js';
import { rule } from '../../src/rules/sa-impersonation-to-privileged.js';
import { runRule } from './builders.js';
import { account, binding, gcpGraph, P, sa, saId } from './gcp-builders.js';

const member = (name: string) => `serviceAccount:${sa(name)}`;
const TOKEN = 'roles/iam.serviceAccountTokenCreator';
/** app is narrow; deployer holds Editor on the project */
const base = (extra: Partial<GcpProjectData> = {}): Partial<GcpProjectData> => ({
  serviceAccounts: [account('app'), account('deployer'), account('middle')],
  policy: { bindings: [binding('roles/editor', member('deployer')), binding('roles/storage.objectViewer', member('app'))] },
  ...extra,
});

describe('sa-impersonation-to-privileged', () => {
  it.each<[string, Partial<GcpProjectData>, Record<string, unknown>]>([
    ['no impersonation grant at all', base(), {}],
    ['the account it can impersonate is not privileged', base({ saPolicies: { [sa('middle')]: { bindings: [binding(TOKEN, member('app'))] } } }), {}],
    ['the caller is privileged itself (sa-primitive-role reports it)', base({ saPolicies: { [sa('app')]: { bindings: [binding(TOKEN, member('deployer'))] } } }), {}],
    ['the privileged account is disabled', base({ serviceAccounts: [account('app'), account('deployer', { disabled: true })], saPolicies: { [sa('deployer')]: { bindings: [binding(TOKEN, member('app'))] } } }), {}],
    ['the chain is longer than maxHops', base({ saPolicies: { [sa('middle')]: { bindings: [binding(TOKEN, member('app'))] }, [sa('deployer')]: { bindings: [binding(TOKEN, member('middle'))] } } }), { maxHops: 1 }],
    ['the caller is ignored by glob', base({ saPolicies: { [sa('deployer')]: { bindings: [binding(TOKEN, member('app'))] } } }), { ignore: ['app@*'] }],
    ['a custom role without act-as permissions on the Editor account', base({ roles: [{ name: `projects/${P}/roles/viewerish`, includedPermissions: ['iam.serviceAccounts.get'] }], saPolicies: { [sa('deployer')]: { bindings: [binding(`projects/${P}/roles/viewerish`, member('app'))] } } }), {}],
    ['a person, not a service account, holds the grant', base({ saPolicies: { [sa('deployer')]: { bindings: [binding(TOKEN, 'user:dev@acme.example')] } } }), {}],
  ])('valid: %s', (_l, d, options) => {
    // only app's reach is in question here (middle, one hop from deployer, may be reported on its own)
    expect(runRule(rule, gcpGraph(d), options).filter((f) => f.nodeId === saId('app'))).toEqual([]);
  });

  it.each<[string, Partial<GcpProjectData>, { severity: string; message: string; path: string[]; confidence?: string }]>([
    [
      'token creator on the Editor account',
      base({ saPolicies: { [sa('deployer')]: { bindings: [binding(TOKEN, member('app'))] } } }),
      { severity: 'high', message: `Service account ${sa('app')} can act as ${sa('deployer')}, which holds roles/editor on projects/${P}`, path: [saId('app'), saId('deployer'), `gcp:binding:projects/${P}/roles/editor`] },
    ],
    [
      'service account user on the whole project, an Owner account inside',
      { serviceAccounts: [account('app'), account('root')], policy: { bindings: [binding('roles/owner', member('root')), binding('roles/iam.serviceAccountUser', member('app'))] } },
      { severity: 'critical', message: `Service account ${sa('app')} can act as ${sa('root')}, which holds roles/owner on projects/${P}`, path: [saId('app'), saId('root'), `gcp:binding:projects/${P}/roles/owner`] },
    ],
    [
      'a chain: token creator on middle, key admin on deployer',
      base({ saPolicies: { [sa('middle')]: { bindings: [binding(TOKEN, member('app'))] }, [sa('deployer')]: { bindings: [binding('roles/iam.serviceAccountKeyAdmin', member('middle'))] } } }),
      { severity: 'high', message: `Service account ${sa('app')} can act as ${sa('deployer')} (through 1 other account), which holds roles/editor on projects/${P}`, path: [saId('app'), saId('middle'), saId('deployer'), `gcp:binding:projects/${P}/roles/editor`] },
    ],
    [
      'token creator granted on a folder above the project',
      base({ ancestors: [{ resource: 'folders/42', policy: { bindings: [binding(TOKEN, member('app'))] } }] }),
      { severity: 'high', message: `Service account ${sa('app')} can act as ${sa('deployer')}, which holds roles/editor on projects/${P}`, path: [saId('app'), saId('deployer'), `gcp:binding:projects/${P}/roles/editor`] },
    ],
    [
      'a custom role with iam.serviceAccounts.getAccessToken on the Editor account',
      base({ roles: [{ name: `projects/${P}/roles/tokenMinter`, includedPermissions: ['iam.serviceAccounts.getAccessToken'] }], saPolicies: { [sa('deployer')]: { bindings: [binding(`projects/${P}/roles/tokenMinter`, member('app'))] } } }),
      { severity: 'high', message: `Service account ${sa('app')} can act as ${sa('deployer')}, which holds roles/editor on projects/${P}`, path: [saId('app'), saId('deployer'), `gcp:binding:projects/${P}/roles/editor`] },
    ],
    [
      'a conditional grant',
      base({ saPolicies: { [sa('deployer')]: { bindings: [{ role: TOKEN, members: [member('app')], condition: { title: 'business hours', expression: 'request.time.getHours("UTC") < 18' } }] } } }),
      { severity: 'high', confidence: 'medium', message: `Service account ${sa('app')} can act as ${sa('deployer')}, which holds roles/editor on projects/${P} (conditional)`, path: [saId('app'), saId('deployer'), `gcp:binding:projects/${P}/roles/editor`] },
    ],
  ])('invalid: %s', (_l, d, want) => {
    const found = runRule(rule, gcpGraph(d)).filter((f) => f.nodeId === saId('app'));
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ severity: want.severity, message: want.message, path: want.path });
    if (want.confidence) expect(found[0].confidence).toBe(want.confidence);
  });

  it('each grant on the way is evidence', () => {
    const d = base({ saPolicies: { [sa('middle')]: { bindings: [binding(TOKEN, member('app'))] }, [sa('deployer')]: { bindings: [binding(TOKEN, member('middle'))] } } });
    const [f] = runRule(rule, gcpGraph(d));
    expect(f.evidence.map((e) => e.description)).toEqual([
      `${TOKEN} on serviceAccounts/${sa('middle')} lets ${sa('app')} act as ${sa('middle')}.`,
      `${TOKEN} on serviceAccounts/${sa('deployer')} lets ${sa('middle')} act as ${sa('deployer')}.`,
      `${sa('deployer')} holds roles/editor on projects/${P}.`,
    ]);
  });
});
