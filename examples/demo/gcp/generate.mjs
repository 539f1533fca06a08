#!/usr/bin/env node
// Writes the demo Google Cloud project `acme-prod-data` as gcloud prints it with --format=json (see
// docs/connectors/gcp.md). Deterministic: dates are offsets from the demo capture date. All names and ids are made up.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const dir = path.join(here, 'acme-prod-data');
const CAPTURED = Date.parse('2026-11-01T06:00:00Z');
const ago = (days) => new Date(CAPTURED - Math.round(days * 86400) * 1000).toISOString().replace('.000Z', 'Z');
const P = 'acme-prod-data';
const N = '412345678901';
const sa = (name) => `${name}@${P}.iam.gserviceaccount.com`;
const COMPUTE = `${N}-compute@developer.gserviceaccount.com`;
const POOL = `projects/${N}/locations/global/workloadIdentityPools/github`;

const accounts = [
  { email: COMPUTE, displayName: 'Compute Engine default service account', description: '' },
  { email: sa('ci-legacy'), displayName: 'CI (legacy key)', description: 'used by the old Jenkins' },
  { email: sa('deployer'), displayName: 'GitHub deployer', description: 'owner: platform-team; federated from acme/app' },
  { email: sa('etl-runner'), displayName: 'ETL runner', description: 'team: data' },
  { email: sa('report-viewer'), displayName: 'Report viewer', description: 'team: data' },
  { email: sa('backup'), displayName: 'Backups', description: 'owner: sre' },
  { email: sa('monitoring'), displayName: 'Monitoring exporter', description: 'owner: observability' },
  { email: `service-${N}@gcp-sa-pubsub.iam.gserviceaccount.com`, displayName: 'Pub/Sub service agent', description: '' },
].map((a, i) => ({ ...a, name: `projects/${P}/serviceAccounts/${a.email}`, projectId: P, uniqueId: String(110000000000000000000n + BigInt(i)), oauth2ClientId: String(110000000000000000000n + BigInt(i)), disabled: false }));

const key = (email, id, type, created, validBefore = '9999-12-31T23:59:59Z') => ({ name: `projects/${P}/serviceAccounts/${email}/keys/${id}`, keyType: type, keyOrigin: type === 'USER_MANAGED' ? 'GOOGLE_PROVIDED' : 'GOOGLE_PROVIDED', keyAlgorithm: 'KEY_ALG_RSA_2048', validAfterTime: created, validBeforeTime: validBefore, disabled: false });
const keys = {
  [sa('ci-legacy')]: [key(sa('ci-legacy'), '3f1c9a0d2b7e4c5a8d6f0e1b2c3d4e5f6a7b8c9d', 'USER_MANAGED', ago(760)), key(sa('ci-legacy'), '1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b', 'SYSTEM_MANAGED', ago(10), ago(-20))],
  [sa('backup')]: [key(sa('backup'), '9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d', 'USER_MANAGED', ago(400))],
  [sa('monitoring')]: [key(sa('monitoring'), '0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c', 'SYSTEM_MANAGED', ago(5), ago(-25))],
};

const policy = {
  version: 3,
  etag: 'BwYdemoEtag=',
  bindings: [
    { role: 'roles/owner', members: ['user:alice@acme.example'] },
    { role: 'roles/editor', members: [`serviceAccount:${COMPUTE}`] },
    { role: 'roles/storage.admin', members: [`serviceAccount:${sa('ci-legacy')}`] },
    { role: 'roles/run.admin', members: [`serviceAccount:${sa('deployer')}`] },
    { role: 'roles/bigquery.dataEditor', members: [`serviceAccount:${sa('etl-runner')}`] },
    { role: 'roles/bigquery.dataViewer', members: [`serviceAccount:${sa('report-viewer')}`, 'group:analysts@acme.example'] },
    { role: 'roles/storage.objectCreator', members: [`serviceAccount:${sa('backup')}`] },
    { role: 'roles/monitoring.viewer', members: [`serviceAccount:${sa('monitoring')}`] },
    { role: 'roles/iam.serviceAccountTokenCreator', members: ['group:data-eng@acme.example'] },
    { role: 'roles/pubsub.serviceAgent', members: [`serviceAccount:service-${N}@gcp-sa-pubsub.iam.gserviceaccount.com`] },
  ],
};
const saPolicies = {
  [sa('deployer')]: { version: 1, bindings: [{ role: 'roles/iam.workloadIdentityUser', members: [`principalSet://iam.googleapis.com/${POOL}/attribute.repository/acme/app`] }] },
  [sa('etl-runner')]: { version: 1, bindings: [{ role: 'roles/iam.serviceAccountUser', members: ['user:bob@acme.example'] }] },
  // left over from a bucket migration: the read-only monitoring account can still mint tokens for the storage admin
  [sa('ci-legacy')]: { version: 1, bindings: [{ role: 'roles/iam.serviceAccountTokenCreator', members: [`serviceAccount:${sa('monitoring')}`] }] },
};
const roles = [
  { name: 'roles/owner', title: 'Owner', stage: 'GA', includedPermissions: ['*'] },
  { name: 'roles/editor', title: 'Editor', stage: 'GA', includedPermissions: ['compute.instances.create', 'storage.buckets.delete', 'iam.serviceAccounts.actAs', '…'] },
  { name: 'roles/storage.admin', title: 'Storage Admin', stage: 'GA', includedPermissions: ['storage.buckets.create', 'storage.buckets.delete', 'storage.objects.delete', 'storage.buckets.setIamPolicy'] },
  { name: 'roles/run.admin', title: 'Cloud Run Admin', stage: 'GA', includedPermissions: ['run.services.create', 'run.services.setIamPolicy', 'run.services.delete'] },
  { name: 'roles/bigquery.dataEditor', title: 'BigQuery Data Editor', stage: 'GA', includedPermissions: ['bigquery.tables.create', 'bigquery.tables.updateData'] },
  { name: 'roles/bigquery.dataViewer', title: 'BigQuery Data Viewer', stage: 'GA', includedPermissions: ['bigquery.tables.getData'] },
];
const pools = [{ name: POOL, displayName: 'GitHub Actions', state: 'ACTIVE', disabled: false }];
const providers = [
  { name: `${POOL}/providers/github-acme`, displayName: 'GitHub (acme/app)', state: 'ACTIVE', disabled: false, attributeMapping: { 'google.subject': 'assertion.sub', 'attribute.repository': 'assertion.repository', 'attribute.repository_owner': 'assertion.repository_owner' }, attributeCondition: "assertion.repository == 'acme/app'", oidc: { issuerUri: 'https://token.actions.githubusercontent.com' } },
  { name: `${POOL}/providers/github-any`, displayName: 'GitHub (trial, no condition)', state: 'ACTIVE', disabled: false, attributeMapping: { 'google.subject': 'assertion.sub', 'attribute.repository': 'assertion.repository' }, oidc: { issuerUri: 'https://token.actions.githubusercontent.com' } },
];
const window = { startTime: ago(90), endTime: ago(0.1) };
const act = (email, days) => ({ fullResourceName: `//iam.googleapis.com/projects/${P}/serviceAccounts/${accounts.find((a) => a.email === email).uniqueId}`, activity: { lastAuthenticatedTime: days === null ? undefined : ago(days), serviceAccount: { serviceAccountId: accounts.find((a) => a.email === email).uniqueId } }, observationPeriod: window });
const activity = {
  serviceAccounts: [act(COMPUTE, 0.2), act(sa('ci-legacy'), 1), act(sa('deployer'), 0.5), act(sa('etl-runner'), 200), act(sa('monitoring'), 0.01)].map((a) => (a.activity.lastAuthenticatedTime ? a : { ...a, activity: { serviceAccount: a.activity.serviceAccount } })),
  keys: [{ fullResourceName: `//iam.googleapis.com/projects/${P}/serviceAccounts/${sa('ci-legacy')}/keys/3f1c9a0d2b7e4c5a8d6f0e1b2c3d4e5f6a7b8c9d`, activity: { lastAuthenticatedTime: ago(1), serviceAccountKey: { fullResourceName: `//iam.googleapis.com/projects/${P}/serviceAccounts/${sa('ci-legacy')}/keys/3f1c9a0d2b7e4c5a8d6f0e1b2c3d4e5f6a7b8c9d` } }, observationPeriod: window }],
};
const recommendations = [
  { name: `projects/${N}/locations/global/recommenders/google.iam.policy.Recommender/recommendations/r1`, description: 'Replace the current role with a smaller role to cover the permissions needed.', recommenderSubtype: 'REPLACE_ROLE', content: { overview: { member: `serviceAccount:${COMPUTE}`, removedRole: 'roles/editor', addedRoles: ['roles/storage.objectViewer', 'roles/logging.logWriter'], resource: `//cloudresourcemanager.googleapis.com/projects/${N}` } }, stateInfo: { state: 'ACTIVE' } },
  { name: `projects/${N}/locations/global/recommenders/google.iam.policy.Recommender/recommendations/r2`, description: 'This role has not been used during the observation window.', recommenderSubtype: 'REMOVE_ROLE', content: { overview: { member: `serviceAccount:${sa('etl-runner')}`, removedRole: 'roles/bigquery.dataEditor', resource: `//cloudresourcemanager.googleapis.com/projects/${N}` } }, stateInfo: { state: 'ACTIVE' } },
];

mkdirSync(path.join(dir, 'keys'), { recursive: true });
mkdirSync(path.join(dir, 'sa-policies'), { recursive: true });
const w = (f, v) => writeFileSync(path.join(dir, f), `${JSON.stringify(v, null, 2)}\n`);
w('project.json', { projectId: P, projectNumber: N, parent: { type: 'organization', id: '998877665544' } });
w('service-accounts.json', accounts);
for (const [email, list] of Object.entries(keys)) w(`keys/${email}.json`, list);
w('iam-policy.json', policy);
for (const [email, p] of Object.entries(saPolicies)) w(`sa-policies/${email}.json`, p);
w('roles.json', roles);
w('wif-pools.json', pools);
w('wif-providers.json', providers);
w('activity.json', activity);
w('recommendations.json', recommendations);
console.log(`wrote ${P}: ${accounts.length} service accounts`);
