/**
 * The benchmark's estate generator (bench/escalation-estate.ts): same seed, same bytes; the export and the credential
 * report load through the offline AWS connector without a skipped record; and the estate has the shape the benchmark
 * claims (shared policies, groups, boundaries, a small share of escalation grants, service roles, admins, chains).
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeEscalationEstate, ESCALATION_ESTATE_AS_OF, type EscalationEstateSummary } from '../../bench/escalation-estate.js';
import { mapAws, type ManagedPolicyDetail } from '../../connectors/aws/map.js';
import { offlineSources, readAuthzFile, readCredentialReportFile } from '../../connectors/aws/offline.js';
import { IdentityGraph } from '../../src/graph/graph.js';

const dirs: string[] = [];
function generate(identities: number, seed: number, escalationShare?: number): EscalationEstateSummary {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'nhi-escalation-estate-'));
  dirs.push(dir);
  return writeEscalationEstate(dir, { identities, seed, escalationShare });
}
const digest = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('escalation estate generator', () => {
  const estate = generate(2000, 7);
  const authz = readAuthzFile(estate.files.authz);
  const report = readCredentialReportFile(estate.files.credentialReport);
  const records = mapAws({ authz, credentialReport: report.rows }, { now: new Date(ESCALATION_ESTATE_AS_OF), sources: offlineSources({ fromFile: estate.files.authz, credentialReport: estate.files.credentialReport }) });
  const graph = IdentityGraph.from(records);
  const principals = [...graph.principals()];
  const roles = authz.RoleDetailList ?? [];

  it('writes the same bytes for the same seed and size, other bytes for another seed', () => {
    const again = generate(2000, 7);
    expect(digest(again.files.authz)).toBe(digest(estate.files.authz));
    expect(digest(again.files.credentialReport)).toBe(digest(estate.files.credentialReport));
    expect(digest(generate(2000, 8).files.authz)).not.toBe(digest(estate.files.authz));
  });

  it('refuses a size too small to hold its admins and chains', () => {
    expect(() => generate(50, 1)).toThrow(/at least 100/);
  });

  it('loads through the offline connector with no coverage note, and holds what its summary says', () => {
    expect(report.notes).toEqual([]);
    expect(records.filter((r) => r.type === 'coverage')).toEqual([]);
    expect(principals.filter((p) => p.type === 'iam-user')).toHaveLength(estate.users);
    expect(principals.filter((p) => p.type === 'iam-role')).toHaveLength(estate.roles);
    expect(principals.filter((p) => p.type === 'iam-group')).toHaveLength(estate.groups);
    expect(estate.users + estate.roles).toBe(2000);
    expect(estate.identities).toBe(2000);
    // one report row per user, and the root user first
    expect(report.rows[0].user).toBe('<root_account>');
    expect(report.rows).toHaveLength(estate.users + 1);
    expect(estate.bytes.authz).toBe(readFileSync(estate.files.authz).length);
  });

  it('shares its customer-managed policies among many principals', () => {
    const customer = (authz.Policies ?? []).filter((p: ManagedPolicyDetail) => !p.Arn!.includes(':aws:policy/'));
    expect(customer.length).toBe(estate.customerPolicies);
    const app = customer.filter((p) => p.PolicyName!.startsWith('app-'));
    expect(app.length).toBeGreaterThanOrEqual(40);
    const shared = app.filter((p) => (p.AttachmentCount ?? 0) >= 3);
    expect(shared.length / app.length).toBeGreaterThan(0.8);
    // some policies keep an older version, as edited policies do
    expect(customer.some((p) => (p.PolicyVersionList ?? []).length > 1)).toBe(true);
  });

  it('puts permissions boundaries on a share of the principals, and inline policies on some', () => {
    const share = estate.boundaries / estate.identities;
    expect(share).toBeGreaterThan(0.03);
    expect(share).toBeLessThan(0.3);
    expect(estate.inlinePolicies).toBeGreaterThan(estate.identities * 0.05);
  });

  it('gives 1–3 % of the principals an escalation-relevant grant, exploitable ones and look-alikes', () => {
    const total = Object.values(estate.grants).reduce((a, b) => a + b, 0);
    expect(total / estate.identities).toBeGreaterThanOrEqual(0.01);
    expect(total / estate.identities).toBeLessThanOrEqual(0.03);
    expect(Object.keys(estate.grants).some((k) => k.startsWith('passrole-'))).toBe(true);
    expect(Object.keys(estate.grants)).toEqual(expect.arrayContaining(['own-keys-only']));
    // the share is a knob
    const none = generate(2000, 7, 0);
    expect(Object.values(none.grants).reduce((a, b) => a + b, 0)).toBe(0);
  });

  it('has service roles (EC2 ones with instance profiles), admins of every kind and trust chains', () => {
    const trusting = (svc: string) => roles.filter((r) => graph.in(`aws:iam-role:${r.Arn}`, 'CAN_ASSUME').some((e) => e.from === `aws:service-principal:${svc}`));
    for (const svc of ['lambda.amazonaws.com', 'ec2.amazonaws.com', 'ecs-tasks.amazonaws.com', 'codebuild.amazonaws.com']) expect(trusting(svc).length, svc).toBeGreaterThan(0);
    expect(trusting('ec2.amazonaws.com').every((r) => (r.InstanceProfileList ?? []).length === 1)).toBe(true);
    const adminRole = (name: string) => roles.find((r) => r.RoleName === name)!.AttachedManagedPolicies!.map((a) => a.PolicyName);
    for (const name of ['admin-0', 'sso-admin-0', 'lambda-admin-0', 'ec2-admin-0', 'codebuild-admin-0', 'chain-0-end']) expect(adminRole(name), name).toContain('AdministratorAccess');
    expect(estate.adminUsers).toBeGreaterThanOrEqual(2);
    expect(estate.chains).toBe(1);
    // chain-0: the user may assume hop1 (which trusts the account), hop2 trusts hop1, the end trusts hop2
    const role = (name: string) => `aws:iam-role:arn:aws:iam::314159265358:role/${name}`;
    expect(graph.in(role('chain-0-hop1'), 'CAN_ASSUME').map((e) => e.from)).toEqual(['aws:account:314159265358']);
    expect(graph.in(role('chain-0-hop2'), 'CAN_ASSUME').map((e) => e.from)).toEqual([role('chain-0-hop1')]);
    expect(graph.in(role('chain-0-end'), 'CAN_ASSUME').map((e) => e.from)).toEqual([role('chain-0-hop2')]);
    // application roles trust other roles that exist
    for (const r of roles.filter((x) => x.RoleName!.startsWith('app-'))) for (const e of graph.in(`aws:iam-role:${r.Arn}`, 'CAN_ASSUME')) expect(graph.node(e.from)?.type, e.from).toMatch(/iam-role|account/);
  });
});
