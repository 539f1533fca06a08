/**
 * Estates for the fake Google Cloud: one built from an offline export folder (so a live scan through the fake can be
 * compared with the offline scan of the same data), and a synthetic project of any size for pagination tests and the
 * benchmark.
 */
import { rolesBoundIn, type GcpProjectData } from '../../../connectors/gcp/map.js';
import { PREDEFINED_ROLE_PERMISSIONS } from '../../../src/policy/gcp-predefined-roles.js';
import type { FakeGcpEstate, FakeGcpProject } from './server.js';

/** The fake's view of an exported project: custom roles stay with the project, predefined ones go to roles.get. */
export function estateFromExports(projects: GcpProjectData[]): FakeGcpEstate {
  const orgs = new Set<string>();
  const estate: FakeGcpEstate = { projects: [], roles: [], organizations: [], folders: [] };
  for (const d of projects) {
    const fp: FakeGcpProject = {
      projectId: d.projectId,
      projectNumber: d.projectNumber ?? '100000000000',
      parent: d.parent,
      serviceAccounts: d.serviceAccounts.map((s) => ({ ...s, projectId: s.projectId ?? d.projectId })),
      keys: Object.fromEntries(d.serviceAccounts.map((s) => [s.email, d.keys[s.email.toLowerCase()] ?? []])),
      policy: d.policy ?? {},
      saPolicies: d.saPolicies,
      customRoles: d.roles.filter((r) => !r.name.startsWith('roles/')),
      pools: d.pools,
      providers: d.providers,
      saActivity: d.saActivity ?? [],
      keyActivity: d.keyActivity ?? [],
      recommendations: d.recommendations ?? [],
      insights: d.insights ?? [],
      denyPolicies: (d.denyPolicies ?? []).map((p) => ({ name: p.name.split('/').pop()!, displayName: p.displayName, rules: p.rules ?? [] })),
    };
    estate.projects.push(fp);
    for (const r of d.roles) if (r.name.startsWith('roles/') && !estate.roles!.some((x) => x.name === r.name)) estate.roles!.push(r);
    if (d.parent?.startsWith('organizations/')) orgs.add(d.parent);
    for (const a of d.ancestors ?? []) {
      if (a.resource.startsWith('folders/')) estate.folders!.push({ name: a.resource, parent: d.parent ?? '', policy: a.policy });
    }
  }
  for (const o of orgs) estate.organizations!.push({ name: o, policy: { bindings: [] } });
  // roles.get answers for every predefined role, so the ones bound but not exported get a definition too: the
  // escalation-relevant permissions Google documents for it where the built-in table knows the role (as the real API
  // would return them, among others), a placeholder otherwise
  const bound = new Set(projects.flatMap((d) => [...rolesBoundIn(d)]));
  for (const name of bound) {
    if (!name.startsWith('roles/') || estate.roles!.some((r) => r.name === name)) continue;
    const known = PREDEFINED_ROLE_PERMISSIONS[name];
    estate.roles!.push({ name, title: name.slice(6), stage: 'GA', includedPermissions: known ? [...known] : [`${name.slice(6).split('.')[0]}.placeholder.get`] });
  }
  return estate;
}

/**
 * A project with `n` service accounts: every third has a user-managed key (plus the system-managed one all have),
 * every fifth is granted roles/editor, every seventh lets a group impersonate it.
 */
export function syntheticGcpProject(projectId: string, n: number, projectNumber = '200000000000'): FakeGcpProject {
  const sas = Array.from({ length: n }, (_, i) => ({
    email: `sa-${String(i).padStart(4, '0')}@${projectId}.iam.gserviceaccount.com`,
    uniqueId: String(100000000000000000000n + BigInt(i)),
    displayName: `service account ${i}`,
    description: i % 4 === 0 ? `owner: team-${i % 3}` : undefined,
    disabled: i % 11 === 10,
  }));
  const keys: FakeGcpProject['keys'] = {};
  const saPolicies: FakeGcpProject['saPolicies'] = {};
  for (const [i, s] of sas.entries()) {
    keys[s.email] = [{ name: `projects/${projectId}/serviceAccounts/${s.email}/keys/sys${i}`, keyType: 'SYSTEM_MANAGED', keyAlgorithm: 'KEY_ALG_RSA_2048', keyOrigin: 'GOOGLE_PROVIDED', validAfterTime: '2026-10-01T00:00:00Z', validBeforeTime: '2026-10-17T00:00:00Z' }];
    if (i % 3 === 0) keys[s.email].push({ name: `projects/${projectId}/serviceAccounts/${s.email}/keys/user${i}`, keyType: 'USER_MANAGED', keyAlgorithm: 'KEY_ALG_RSA_2048', keyOrigin: 'GOOGLE_PROVIDED', validAfterTime: '2024-01-15T00:00:00Z', validBeforeTime: '9999-12-31T23:59:59Z' });
    saPolicies[s.email] = i % 7 === 0 ? { bindings: [{ role: 'roles/iam.serviceAccountTokenCreator', members: ['group:platform@example.com'] }] } : {};
  }
  return {
    projectId,
    projectNumber,
    parent: 'organizations/998877665544',
    serviceAccounts: sas,
    keys,
    saPolicies,
    policy: {
      bindings: [
        { role: 'roles/editor', members: sas.filter((_, i) => i % 5 === 0).map((s) => `serviceAccount:${s.email}`) },
        { role: 'roles/viewer', members: ['group:auditors@example.com'] },
      ],
    },
    saActivity: sas.filter((_, i) => i % 2 === 0).map((s) => ({ fullResourceName: `//iam.googleapis.com/projects/${projectId}/serviceAccounts/${s.uniqueId}`, activity: { lastAuthenticatedTime: '2026-10-20T00:00:00Z', serviceAccount: { serviceAccountId: s.uniqueId } }, observationPeriod: { startTime: '2026-08-01T00:00:00Z', endTime: '2026-11-01T00:00:00Z' } })),
    keyActivity: [],
    recommendations: [],
    insights: [],
  };
}

/** Definitions of the predefined roles the synthetic projects bind (abridged permission lists). */
export const PREDEFINED_ROLES = [
  { name: 'roles/owner', title: 'Owner', stage: 'GA', includedPermissions: ['resourcemanager.projects.setIamPolicy', 'iam.serviceAccountKeys.create', 'storage.buckets.delete'] },
  { name: 'roles/editor', title: 'Editor', stage: 'GA', includedPermissions: ['compute.instances.create', 'iam.serviceAccounts.actAs', 'storage.buckets.delete'] },
  { name: 'roles/viewer', title: 'Viewer', stage: 'GA', includedPermissions: ['compute.instances.list', 'storage.buckets.list'] },
  { name: 'roles/iam.serviceAccountTokenCreator', title: 'Service Account Token Creator', stage: 'GA', includedPermissions: ['iam.serviceAccounts.getAccessToken', 'iam.serviceAccounts.signJwt'] },
  { name: 'roles/iam.securityReviewer', title: 'Security Reviewer', stage: 'GA', includedPermissions: ['iam.roles.list', 'resourcemanager.projects.getIamPolicy'] },
];
