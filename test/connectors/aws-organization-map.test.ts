/**
 * mapOrganization: the organisation's tree and policies as graph records, and bad records of a hand-written
 * organization.json as coverage notes (never a crash).
 */
import { describe, expect, it } from 'vitest';
import { mapOrganization, type OrganizationExport } from '../../connectors/aws/organization.js';
import { IdentityGraph } from '../../src/graph/graph.js';
import { createEvaluator } from '../../src/policy/evaluate.js';
import { organizationOf, scpScopeOf } from '../../src/policy/organization.js';
import { addOrganization, doc, MANAGEMENT, MEMBER_B, ORG_ID, orgExport, OU_PROD, ROOT_ID } from '../policy/org-fixtures.js';
import { ACCOUNT, ADMIN_DOC, GraphBuilder, NOW } from '../rules/builders.js';

const map = (org: unknown, scanned: string[] = [ACCOUNT]) => mapOrganization(org as OrganizationExport, { now: NOW, source: 'file:organization.json', scannedAccounts: scanned });

describe('mapOrganization', () => {
  it('maps root, OU, accounts, parent edges and attached policies; account nodes merge with the IAM mapping', () => {
    const b = new GraphBuilder();
    b.account(ACCOUNT, true);
    const notes = addOrganization(b.graph, orgExport([{ id: 'p-denyiam0001', name: 'DenyIAM', content: doc({ Effect: 'Deny', Action: 'iam:*', Resource: '*' }), targets: [OU_PROD] }]));
    expect(notes).toEqual([]);
    const g = b.graph;
    expect(g.node(`aws:org-root:${ROOT_ID}`)?.type).toBe('org-root');
    expect(g.node(`aws:org-unit:${OU_PROD}`)?.attributes).toMatchObject({ orgPath: `${ORG_ID}/${ROOT_ID}/${OU_PROD}/` });
    const acct = g.node(`aws:account:${ACCOUNT}`);
    expect(acct?.attributes).toMatchObject({ inScan: true, organizationId: ORG_ID, orgPath: `${ORG_ID}/${ROOT_ID}/${OU_PROD}/` });
    expect(g.out(`aws:account:${ACCOUNT}`, 'CHILD_OF').map((e) => e.to)).toEqual([`aws:org-unit:${OU_PROD}`]);
    expect(g.node(`aws:account:${MANAGEMENT}`)?.attributes?.managementAccount).toBe(true);
    expect(g.node(`aws:account:${MEMBER_B}`)?.attributes?.inScan).toBeUndefined();
    const scp = g.node('aws:scp:p-denyiam0001');
    expect(scp).toMatchObject({ kind: 'entitlement', type: 'scp', entitlementType: 'service-control-policy', document: { Statement: [{ Effect: 'Deny' }] } });
    expect(g.in('aws:scp:p-denyiam0001', 'GRANTED').map((e) => [e.from, e.attributes?.via])).toEqual([[`aws:org-unit:${OU_PROD}`, 'scp']]);
    const view = organizationOf(g)!;
    expect(view.accounts.get(ACCOUNT)?.levels.map((l) => l.nodeId)).toEqual([`aws:org-root:${ROOT_ID}`, `aws:org-unit:${OU_PROD}`, `aws:account:${ACCOUNT}`]);
  });

  it('turns bad records into notes and keeps the rest', () => {
    const org = orgExport([
      { id: 'p-badjson0001', name: 'Broken', content: '{"Statement": [', targets: [ROOT_ID] },
      { id: 'p-elsewhere01', name: 'Elsewhere', content: doc({ Effect: 'Deny', Action: 's3:*', Resource: '*' }), targets: ['ou-zz99-99999999'] },
    ]);
    org.Organization = { Id: ORG_ID };
    org.Accounts.push({ Id: '333333333333' } as never, { Id: 'not-an-account', ParentId: OU_PROD } as never, { Id: '444444444444', ParentId: 'ou-zz99-00000000' } as never);
    org.OrganizationalUnits.push({ Id: 'ou-ab12-22222222', ParentId: 'ou-ab12-33333333' }, { Id: 'ou-ab12-33333333', ParentId: 'ou-ab12-22222222' }, { Id: 'garbage' } as never);
    (org.Policies as unknown[]).push(null, { PolicySummary: { Id: 'p-notype00001' }, Content: '{}', Targets: [] }, { PolicySummary: { Id: 'p-tagpolicy01', Type: 'TAG_POLICY' }, Content: '{}', Targets: [] });
    (org.Roots as unknown[]).push(42);
    const { records, notes } = map(org);
    const text = notes.map((n) => n.message).join('\n');
    expect(text).toMatch(/does not name the management account/);
    expect(text).toMatch(/service control policy Broken \(p-badjson0001\): Content is not a JSON policy document/);
    expect(text).toMatch(/Elsewhere \(p-elsewhere01\) is attached to "ou-zz99-99999999", which is not in the tree/);
    expect(text).toMatch(/account 333333333333 has no ParentId/);
    expect(text).toMatch(/account 444444444444 is listed under ou-zz99-00000000/);
    expect(text).toMatch(/an account without a 12-digit Id \("not-an-account"\)/);
    expect(text).toMatch(/organizational unit ou-ab12-22222222 does not lead to a root/);
    expect(text).toMatch(/organizational unit without a valid Id \("garbage"\)/);
    expect(text).toMatch(/a policy without a valid Id/);
    expect(text).toMatch(/policy p-notype00001 has no PolicySummary.Type/);
    expect(text).toMatch(/a root without a valid Id \(42\)/);
    expect(text).not.toMatch(/p-tagpolicy01/); // tag policies are not authorization: skipped silently
    for (const n of notes) expect(n).toMatchObject({ connector: 'aws', source: 'file:organization.json' });
    expect(notes.filter((n) => n.incomplete).length).toBeGreaterThan(0);
    // the good parts are still mapped and applied
    const g = IdentityGraph.from(records);
    expect(g.node('aws:scp:p-badjson0001')).toBeUndefined();
    expect(g.node(`aws:account:${ACCOUNT}`)).toBeDefined();
    expect(organizationOf(g)?.accounts.get(ACCOUNT)?.levels).toHaveLength(3);
  });

  it('without a management account every listed account is governed (and the note says so)', () => {
    const b = new GraphBuilder();
    const u = b.user('ops', { acct: MANAGEMENT });
    b.inlinePolicy(u, 'admin', ADMIN_DOC);
    const org = orgExport([{ id: 'p-denyiam0001', name: 'DenyIAM', content: doc({ Effect: 'Deny', Action: 'iam:*', Resource: '*' }), targets: [ROOT_ID] }]);
    delete org.Organization;
    const notes = addOrganization(b.graph, org);
    expect(notes.map((n) => n.impact).join('\n')).toMatch(/including the management account/);
    expect(scpScopeOf(b.graph, u)).toBeDefined();
    expect(createEvaluator(b.graph, { now: NOW }).evaluate(u, 'iam:CreateUser', '*').decision).toBe('denied');
  });

  it('survives input that is not an export at all', () => {
    for (const bad of [null, 'text', [], { Roots: 'x', Accounts: {}, Policies: [1, 'two'] }]) {
      const { notes } = map(bad);
      expect(notes.length).toBeGreaterThan(0);
    }
  });

  it('a level without any SCP in the export is noted and left out (not read as deny-all)', () => {
    const b = new GraphBuilder();
    const u = b.user('alice');
    b.inlinePolicy(u, 'admin', ADMIN_DOC);
    const notes = addOrganization(b.graph, orgExport([], { fullAccessAt: [ROOT_ID, ACCOUNT] }));
    expect(notes.map((n) => n.message).join('\n')).toMatch(new RegExp(`no SCP is attached to ${OU_PROD}`));
    expect(createEvaluator(b.graph, { now: NOW }).evaluate(u, 'ec2:RunInstances', '*').decision).toBe('allowed');
  });
});
