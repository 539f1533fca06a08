import { describe, expect, it } from 'vitest';
import type { GcpProjectData } from '../../connectors/gcp/map.js';
import { IdentityGraph } from '../../src/graph/graph.js';
import { evaluateCondition, GcpPermissions, v2Permission } from '../../src/policy/gcp-permissions.js';
import { ESCALATION_PERMISSIONS, PREDEFINED_ROLE_PERMISSIONS } from '../../src/policy/gcp-predefined-roles.js';
import { NOW, PROV } from '../rules/builders.js';
import { account, binding, gcpGraph, P, sa, saId } from '../rules/gcp-builders.js';

const PAST = '2026-01-01T00:00:00Z';
const FUTURE = '2027-01-01T00:00:00Z';

describe('evaluateCondition (request.time against the as-of time; everything else unknown)', () => {
  it.each<[string, string, 'true' | 'false' | 'unknown', string[]]>([
    ['before a future time', `request.time < timestamp("${FUTURE}")`, 'true', []],
    ['before a past time (expired)', `request.time < timestamp("${PAST}")`, 'false', []],
    ['after a past time', `request.time > timestamp("${PAST}")`, 'true', []],
    ['after a future time (not yet valid)', `request.time > timestamp("${FUTURE}")`, 'false', []],
    ['timestamp on the left', `timestamp("${PAST}") < request.time`, 'true', []],
    ['at the as-of time, strictly before', `request.time < timestamp("${NOW.toISOString()}")`, 'false', []],
    ['at the as-of time, or before', `request.time <= timestamp("${NOW.toISOString()}")`, 'true', []],
    ['>= a past time', `request.time >= timestamp("${PAST}")`, 'true', []],
    ['== another time', `request.time == timestamp("${PAST}")`, 'false', []],
    ['!= another time', `request.time != timestamp("${PAST}")`, 'true', []],
    ['an offset timestamp', `request.time < timestamp("2026-06-01T01:00:00+02:00")`, 'false', []],
    ['single quotes', `request.time < timestamp('${FUTURE}')`, 'true', []],
    ['a window that holds now', `request.time > timestamp("${PAST}") && request.time < timestamp("${FUTURE}")`, 'true', []],
    ['a window that closed', `request.time > timestamp("2025-01-01T00:00:00Z") && request.time < timestamp("${PAST}")`, 'false', []],
    ['false && anything is false', `request.time < timestamp("${PAST}") && resource.name.startsWith("projects/x")`, 'false', []],
    ['true && unknown is unknown, naming the clause', `request.time < timestamp("${FUTURE}") && resource.name.startsWith("projects/x")`, 'unknown', ['resource.name.startsWith("projects/x")']],
    ['true || anything is true', `request.time < timestamp("${FUTURE}") || resource.type == "x"`, 'true', []],
    ['false || unknown is unknown', `request.time < timestamp("${PAST}") || resource.type == "x"`, 'unknown', ['resource.type == "x"']],
    ['negation', `!(request.time < timestamp("${PAST}"))`, 'true', []],
    ['negation of unknown stays unknown', '!(resource.type == "x")', 'unknown', ['resource.type == "x"']],
    ['parentheses', `(request.time < timestamp("${FUTURE}") || a.b == "c") && request.time > timestamp("${PAST}")`, 'true', []],
    ['another function of request.time', 'request.time.getHours("UTC") < 18', 'unknown', ['request.time.getHours("UTC") < 18']],
    ['a timestamp that is not RFC 3339', 'request.time < timestamp("tomorrow")', 'unknown', ['request.time < timestamp("tomorrow")']],
    ['arithmetic on the timestamp', `request.time < timestamp("${PAST}") + duration("999999h")`, 'unknown', [`request.time < timestamp("${PAST}") + duration("999999h")`]],
    ['a ternary (outside the subset)', `a ? request.time < timestamp("${PAST}") : true`, 'unknown', [`a ? request.time < timestamp("${PAST}") : true`]],
    ['an expression that does not parse', 'request.time <', 'unknown', ['request.time <']],
    ['an unterminated string', 'resource.name == "x', 'unknown', ['resource.name == "x']],
  ])('%s', (_l, expr, outcome, unknown) => {
    expect(evaluateCondition(expr, NOW)).toEqual({ outcome, unknown });
  });
});

describe('v2Permission (the names deny policies use)', () => {
  it.each([
    ['iam.serviceAccountKeys.create', 'iam.googleapis.com/serviceAccountKeys.create'],
    ['resourcemanager.projects.setIamPolicy', 'cloudresourcemanager.googleapis.com/projects.setIamPolicy'],
    ['run.services.create', 'run.googleapis.com/services.create'],
  ])('%s → %s', (v1, v2) => expect(v2Permission(v1)).toBe(v2));
});

const member = (name: string) => `serviceAccount:${sa(name)}`;
const TOKEN = 'roles/iam.serviceAccountTokenCreator';
const GET_TOKEN = 'iam.serviceAccounts.getAccessToken';
const KEYS = 'iam.serviceAccountKeys.create';
const PROJECT = `projects/${P}`;
const onTarget = `serviceAccounts/${sa('target')}`;
const accounts = [account('app'), account('target'), account('other')];
const cond = (role: string, m: string, expression: string) => ({ role, members: [m], condition: { title: 't', expression } });
const deny = (rule: Record<string, unknown>) => [{ name: `policies/cloudresourcemanager.googleapis.com%2Fprojects%2F${P}/denypolicies/d1`, displayName: 'guard', rules: [{ denyRule: rule }] }];
const denySa = (name: string) => `principal://iam.googleapis.com/projects/-/serviceAccounts/${sa(name)}`;

type Want = { decision: 'allowed' | 'denied' | 'conditional'; confidence?: 'high' | 'medium'; unknownKeys?: string[]; deniedBy?: string; allows?: string[] };

describe('GcpPermissions.evaluate', () => {
  it.each<[string, Partial<GcpProjectData>, string, string, Want]>([
    ['a binding on the project covers the project', { serviceAccounts: accounts, policy: { bindings: [binding(TOKEN, member('app'))] } }, GET_TOKEN, PROJECT, { decision: 'allowed', allows: [`gcp:binding:${PROJECT}/${TOKEN}`] }],
    ['a binding on the project covers its accounts', { serviceAccounts: accounts, policy: { bindings: [binding(TOKEN, member('app'))] } }, GET_TOKEN, onTarget, { decision: 'allowed' }],
    ['a binding on one account does not cover another', { serviceAccounts: accounts, saPolicies: { [sa('other')]: { bindings: [binding(TOKEN, member('app'))] } } }, GET_TOKEN, onTarget, { decision: 'denied', deniedBy: 'no-allow' }],
    ['a binding on an account does not reach up to the project', { serviceAccounts: accounts, saPolicies: { [sa('target')]: { bindings: [binding(TOKEN, member('app'))] } } }, GET_TOKEN, PROJECT, { decision: 'denied', deniedBy: 'no-allow' }],
    ['inherited from a folder', { serviceAccounts: accounts, ancestors: [{ resource: 'folders/7', policy: { bindings: [binding(TOKEN, member('app'))] } }] }, GET_TOKEN, onTarget, { decision: 'allowed', allows: [`gcp:binding:folders/7/${TOKEN}`] }],
    ['inherited from the organization above a folder', { serviceAccounts: accounts, ancestors: [{ resource: 'folders/7', policy: { bindings: [] } }, { resource: 'organizations/9', policy: { bindings: [binding(TOKEN, member('app'))] } }] }, GET_TOKEN, onTarget, { decision: 'allowed', allows: [`gcp:binding:organizations/9/${TOKEN}`] }],
    ['a role without the permission', { serviceAccounts: accounts, policy: { bindings: [binding('roles/iam.serviceAccountUser', member('app'))] } }, GET_TOKEN, onTarget, { decision: 'denied', deniedBy: 'no-allow' }],
    ['an expired condition drops the binding', { serviceAccounts: accounts, policy: { bindings: [cond(TOKEN, member('app'), `request.time < timestamp("${PAST}")`)] } }, GET_TOKEN, onTarget, { decision: 'denied', deniedBy: 'no-allow' }],
    ['a condition that holds today', { serviceAccounts: accounts, policy: { bindings: [cond(TOKEN, member('app'), `request.time < timestamp("${FUTURE}")`)] } }, GET_TOKEN, onTarget, { decision: 'allowed' }],
    ['an undecidable condition is conditional, naming the expression', { serviceAccounts: accounts, policy: { bindings: [cond(TOKEN, member('app'), 'resource.name.endsWith("target")')] } }, GET_TOKEN, onTarget, { decision: 'conditional', unknownKeys: ['resource.name.endsWith("target")'] }],
    ['an unconditional grant beside a conditional one', { serviceAccounts: accounts, policy: { bindings: [cond(TOKEN, member('app'), 'resource.name.endsWith("target")')] }, saPolicies: { [sa('target')]: { bindings: [binding(TOKEN, member('app'))] } } }, GET_TOKEN, onTarget, { decision: 'allowed' }],
    ['a custom role with the permission (definition read: high)', { serviceAccounts: accounts, roles: [{ name: `projects/${P}/roles/minter`, includedPermissions: [GET_TOKEN] }], policy: { bindings: [binding(`projects/${P}/roles/minter`, member('app'))] } }, GET_TOKEN, onTarget, { decision: 'allowed', confidence: 'high' }],
    ['a custom role without it', { serviceAccounts: accounts, roles: [{ name: `projects/${P}/roles/reader`, includedPermissions: ['iam.serviceAccounts.get'] }], policy: { bindings: [binding(`projects/${P}/roles/reader`, member('app'))] } }, GET_TOKEN, onTarget, { decision: 'denied' }],
    ['a custom role whose definition was not read grants nothing seen', { serviceAccounts: accounts, policy: { bindings: [binding(`projects/${P}/roles/unread`, member('app'))] } }, GET_TOKEN, onTarget, { decision: 'denied' }],
    ['a predefined role not read: the built-in table (medium)', { serviceAccounts: accounts, policy: { bindings: [binding(TOKEN, member('app'))] } }, GET_TOKEN, onTarget, { decision: 'allowed', confidence: 'medium' }],
    ['a predefined role read: its definition (high)', { serviceAccounts: accounts, roles: [{ name: TOKEN, includedPermissions: [GET_TOKEN] }], policy: { bindings: [binding(TOKEN, member('app'))] } }, GET_TOKEN, onTarget, { decision: 'allowed', confidence: 'high' }],
    ['a predefined role read without the permission: the definition wins over the table', { serviceAccounts: accounts, roles: [{ name: TOKEN, includedPermissions: ['iam.serviceAccounts.signBlob'] }], policy: { bindings: [binding(TOKEN, member('app'))] } }, GET_TOKEN, onTarget, { decision: 'denied' }],
    ['a definition cut short ("…") is completed from the table (medium)', { serviceAccounts: accounts, roles: [{ name: 'roles/editor', includedPermissions: ['compute.instances.create', '…'] }], policy: { bindings: [binding('roles/editor', member('app'))] } }, KEYS, onTarget, { decision: 'allowed', confidence: 'medium' }],
    ['a wildcard in a definition', { serviceAccounts: accounts, roles: [{ name: 'roles/owner', includedPermissions: ['*'] }], policy: { bindings: [binding('roles/owner', member('app'))] } }, KEYS, onTarget, { decision: 'allowed', confidence: 'high' }],
    ['a predefined role in neither', { serviceAccounts: accounts, policy: { bindings: [binding('roles/some.unknownRole', member('app'))] } }, KEYS, onTarget, { decision: 'denied' }],
    ['a deny rule naming the account', { serviceAccounts: accounts, policy: { bindings: [binding(TOKEN, member('app'))] }, denyPolicies: deny({ deniedPrincipals: [denySa('app')], deniedPermissions: ['iam.googleapis.com/serviceAccounts.getAccessToken'] }) }, GET_TOKEN, onTarget, { decision: 'denied', deniedBy: 'explicit-deny' }],
    ['a deny rule with a wildcard permission', { serviceAccounts: accounts, policy: { bindings: [binding(TOKEN, member('app'))] }, denyPolicies: deny({ deniedPrincipals: [denySa('app')], deniedPermissions: ['iam.googleapis.com/serviceAccounts.*'] }) }, GET_TOKEN, onTarget, { decision: 'denied', deniedBy: 'explicit-deny' }],
    ['a deny rule in v1 permission names', { serviceAccounts: accounts, policy: { bindings: [binding(TOKEN, member('app'))] }, denyPolicies: deny({ deniedPrincipals: [denySa('app')], deniedPermissions: [GET_TOKEN] }) }, GET_TOKEN, onTarget, { decision: 'denied', deniedBy: 'explicit-deny' }],
    ['a deny rule for everyone', { serviceAccounts: accounts, policy: { bindings: [binding(TOKEN, member('app'))] }, denyPolicies: deny({ deniedPrincipals: ['principalSet://goog/public:all'], deniedPermissions: ['iam.googleapis.com/serviceAccounts.getAccessToken'] }) }, GET_TOKEN, onTarget, { decision: 'denied', deniedBy: 'explicit-deny' }],
    ['a deny rule for every account of the project (by number)', { serviceAccounts: accounts, policy: { bindings: [binding(TOKEN, member('app'))] }, denyPolicies: deny({ deniedPrincipals: ['principalSet://cloudresourcemanager.googleapis.com/projects/123456789/type/ServiceAccount'], deniedPermissions: ['iam.googleapis.com/serviceAccounts.getAccessToken'] }) }, GET_TOKEN, onTarget, { decision: 'denied', deniedBy: 'explicit-deny' }],
    ['a deny rule for another account', { serviceAccounts: accounts, policy: { bindings: [binding(TOKEN, member('app'))] }, denyPolicies: deny({ deniedPrincipals: [denySa('other')], deniedPermissions: ['iam.googleapis.com/serviceAccounts.getAccessToken'] }) }, GET_TOKEN, onTarget, { decision: 'allowed' }],
    ['a deny rule for another permission', { serviceAccounts: accounts, policy: { bindings: [binding(TOKEN, member('app'))] }, denyPolicies: deny({ deniedPrincipals: [denySa('app')], deniedPermissions: ['iam.googleapis.com/serviceAccountKeys.create'] }) }, GET_TOKEN, onTarget, { decision: 'allowed' }],
    ['the account is an exception to the rule', { serviceAccounts: accounts, policy: { bindings: [binding(TOKEN, member('app'))] }, denyPolicies: deny({ deniedPrincipals: ['principalSet://goog/public:all'], exceptionPrincipals: [denySa('app')], deniedPermissions: ['iam.googleapis.com/serviceAccounts.*'] }) }, GET_TOKEN, onTarget, { decision: 'allowed' }],
    ['the permission is an exception to the rule', { serviceAccounts: accounts, policy: { bindings: [binding(TOKEN, member('app'))] }, denyPolicies: deny({ deniedPrincipals: [denySa('app')], deniedPermissions: ['iam.googleapis.com/serviceAccounts.*'], exceptionPermissions: ['iam.googleapis.com/serviceAccounts.getAccessToken'] }) }, GET_TOKEN, onTarget, { decision: 'allowed' }],
    ['a deny rule with a denial condition is conditional', { serviceAccounts: accounts, policy: { bindings: [binding(TOKEN, member('app'))] }, denyPolicies: deny({ deniedPrincipals: [denySa('app')], deniedPermissions: ['iam.googleapis.com/serviceAccounts.getAccessToken'], denialCondition: { expression: "resource.matchTag('123/env', 'prod')" } }) }, GET_TOKEN, onTarget, { decision: 'conditional', unknownKeys: ["deny rule 0 of guard: resource.matchTag('123/env', 'prod')"] }],
    ['a deny rule whose denial condition has expired', { serviceAccounts: accounts, policy: { bindings: [binding(TOKEN, member('app'))] }, denyPolicies: deny({ deniedPrincipals: [denySa('app')], deniedPermissions: ['iam.googleapis.com/serviceAccounts.getAccessToken'], denialCondition: { expression: `request.time < timestamp("${PAST}")` } }) }, GET_TOKEN, onTarget, { decision: 'allowed' }],
    ['a deny rule naming a principal format the engine does not know is conditional', { serviceAccounts: accounts, policy: { bindings: [binding(TOKEN, member('app'))] }, denyPolicies: deny({ deniedPrincipals: ['principalSet://example.invalid/something'], deniedPermissions: ['iam.googleapis.com/serviceAccounts.getAccessToken'] }) }, GET_TOKEN, onTarget, { decision: 'conditional', unknownKeys: [`deny rule 0 of guard: whether it names ${saId('app')}`] }],
  ])('%s', (_l, d, permission, resource, want) => {
    const e = new GcpPermissions(gcpGraph(d), NOW).evaluate(saId('app'), permission, resource);
    expect(e.decision).toBe(want.decision);
    if (want.confidence) expect(e.confidence).toBe(want.confidence);
    if (want.unknownKeys) expect(e.unknownKeys).toEqual(want.unknownKeys);
    if (want.deniedBy) expect(e.deniedBy).toBe(want.deniedBy);
    if (want.allows) expect(e.allows.map((a) => a.policyId)).toEqual(want.allows);
    expect(e.principalId).toBe(saId('app'));
    expect(e.action).toBe(permission);
    expect(e.resource).toBe(resource);
  });

  it('a deny policy attached to another project does not apply here', () => {
    const g = gcpGraph({ serviceAccounts: accounts, policy: { bindings: [binding(TOKEN, member('app'))] } });
    g.add({ type: 'node', node: { id: 'gcp:project:elsewhere', kind: 'resource', platform: 'gcp', type: 'project', name: 'elsewhere', provenance: [PROV] } });
    g.add({ type: 'node', node: { id: 'gcp:deny-policy:x', kind: 'entitlement', platform: 'gcp', type: 'deny-policy', name: 'x', entitlementType: 'deny-policy', managedBy: 'customer', document: { rules: [{ denyRule: { deniedPrincipals: ['principalSet://goog/public:all'], deniedPermissions: ['iam.googleapis.com/*'] } }] }, provenance: [PROV] } });
    g.add({ type: 'edge', edge: { type: 'IN_SCOPE', from: 'gcp:deny-policy:x', to: 'gcp:project:elsewhere', provenance: [PROV] } });
    expect(new GcpPermissions(g, NOW).evaluate(saId('app'), GET_TOKEN, onTarget).decision).toBe('allowed');
  });

  it('a member gets the bindings of the groups the graph knows it is in, and their deny rules', () => {
    const d: Partial<GcpProjectData> = { serviceAccounts: accounts, policy: { bindings: [binding(TOKEN, 'group:ops@acme.example')] } };
    const g = gcpGraph(d);
    g.add({ type: 'edge', edge: { type: 'MEMBER_OF', from: saId('app'), to: 'gcp:group:ops@acme.example', provenance: [PROV] } });
    const e = new GcpPermissions(g, NOW).evaluate(saId('app'), GET_TOKEN, onTarget);
    expect(e.decision).toBe('allowed');
    expect(e.allows[0].via).toBe('gcp:group:ops@acme.example');

    const denied = gcpGraph({ ...d, denyPolicies: deny({ deniedPrincipals: ['principalSet://goog/group/ops@acme.example'], deniedPermissions: ['iam.googleapis.com/serviceAccounts.getAccessToken'] }) });
    denied.add({ type: 'edge', edge: { type: 'MEMBER_OF', from: saId('app'), to: 'gcp:group:ops@acme.example', provenance: [PROV] } });
    expect(new GcpPermissions(denied, NOW).evaluate(saId('app'), GET_TOKEN, onTarget).decision).toBe('denied');
  });

  it('members with the same bindings share one answer, each under its own name', () => {
    const engine = new GcpPermissions(gcpGraph({ serviceAccounts: accounts, policy: { bindings: [binding(TOKEN, member('app'), member('other'))] } }), NOW);
    expect(engine.grantKey(saId('app'))).toBe(engine.grantKey(saId('other')));
    const a = engine.evaluate(saId('app'), GET_TOKEN, onTarget);
    const b = engine.evaluate(saId('other'), GET_TOKEN, onTarget);
    expect(b.principalId).toBe(saId('other'));
    expect({ ...b, principalId: a.principalId }).toEqual(a);
    expect(engine.grantKey(saId('target'))).not.toBe(engine.grantKey(saId('app')));
  });

  it('ancestry follows the service account to its project and the chain above it', () => {
    const engine = new GcpPermissions(gcpGraph({ serviceAccounts: accounts, ancestors: [{ resource: 'folders/7' }, { resource: 'organizations/9' }] }), NOW);
    expect(engine.ancestry(onTarget)).toEqual([onTarget, PROJECT, 'folders/7', 'organizations/9']);
  });
});

describe('the built-in role table', () => {
  it('holds only escalation permissions, and the roles the analysis leans on', () => {
    for (const perms of Object.values(PREDEFINED_ROLE_PERMISSIONS)) for (const p of perms) expect(ESCALATION_PERMISSIONS).toContain(p);
    for (const role of ['roles/owner', 'roles/editor', TOKEN, 'roles/iam.serviceAccountUser', 'roles/iam.serviceAccountKeyAdmin', 'roles/iam.securityAdmin', 'roles/resourcemanager.projectIamAdmin', 'roles/iam.roleAdmin', 'roles/cloudfunctions.developer', 'roles/run.admin', 'roles/cloudbuild.builds.editor', 'roles/compute.instanceAdmin.v1', 'roles/iam.workloadIdentityUser'])
      expect(PREDEFINED_ROLE_PERMISSIONS[role]?.length, role).toBeGreaterThan(0);
    expect(Object.keys(PREDEFINED_ROLE_PERMISSIONS).some((r) => /serviceAgent/i.test(r))).toBe(false);
  });
});
