import { parse as parseCsv } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { decodePolicyDocument } from '../../connectors/aws/arn.js';
import { accountScanTarget, mapAws, matchKeysToSlots, scannedAccount, type AuthzDetails, type CredentialReportRow, type LastAccessedData, type MapSources } from '../../connectors/aws/map.js';
import { IdentityGraph } from '../../src/graph/graph.js';
import type { CredentialNode, EntitlementNode, IdentityEdge, PrincipalNode } from '../../src/model/types.js';
import { estateToAuthzJson, estateToCredentialReportCsv, estateToLastAccessedJson } from '../fakes/aws-iam/estate.js';
import { ACCOUNT, ADMIN, APP_POLICY, BOUNDARY, FOREIGN_ROLE, OIDC, SAML, smallEstate } from './aws-estate.js';
import { NOW } from './aws-helpers.js';
import { LIVE_SOURCES } from '../../connectors/aws/live.js';

const sources: MapSources = {
  authz: 'file:authz.json',
  credentialReport: 'file:report.csv',
  accessKeys: 'file:report.csv',
  accessKeyLastUsed: 'file:report.csv',
  lastAccessed: 'file:last.json',
};

function graphOf(opts: { report?: boolean; lastAccessed?: boolean } = {}): IdentityGraph {
  const e = smallEstate();
  const records = mapAws(
    {
      authz: estateToAuthzJson(e) as AuthzDetails,
      credentialReport: opts.report === false ? undefined : (parseCsv(estateToCredentialReportCsv(e), { columns: true }) as CredentialReportRow[]),
      lastAccessed: opts.lastAccessed === false ? undefined : (estateToLastAccessedJson(e) as LastAccessedData),
    },
    { now: NOW, sources },
  );
  return IdentityGraph.from(records);
}

const role = (name: string, path = '/') => `aws:iam-role:arn:aws:iam::${ACCOUNT}:role${path}${name}`;
const DEPLOYER = `arn:aws:iam::${ACCOUNT}:user/ci/deployer`;
const ALICE = `arn:aws:iam::${ACCOUNT}:user/alice`;

function assumers(g: IdentityGraph, roleId: string): IdentityEdge[] {
  return g.in(roleId, 'CAN_ASSUME').sort((a, b) => a.from.localeCompare(b.from));
}

describe('aws mapping: trust policies', () => {
  const g = graphOf();

  it('GitHub OIDC federation keeps the provider, its issuer host and the statement conditions', () => {
    const [edge] = assumers(g, role('gha-deploy'));
    expect(edge.from).toBe(`aws:oidc-provider:${OIDC}`);
    expect(edge.attributes).toMatchObject({ principalType: 'Federated', statementIndex: 0, sid: 'GitHub', actions: ['sts:AssumeRoleWithWebIdentity'] });
    expect((edge.attributes!.conditions as Record<string, Record<string, string>>).StringLike['token.actions.githubusercontent.com:sub']).toBe('repo:acme/app:ref:refs/heads/main');
    const provider = g.node(edge.from) as PrincipalNode;
    expect(provider).toMatchObject({ kind: 'principal', type: 'oidc-provider', accountType: 'system', scope: ACCOUNT });
    expect(provider.attributes?.url).toBe('token.actions.githubusercontent.com');
  });

  it('cross-account trust by bare account id and by :root ARN points at foreign account nodes (inScan false); own root at the scanned account', () => {
    const edges = assumers(g, role('partner'));
    expect(edges.map((e) => e.from)).toEqual([`aws:account:${ACCOUNT}`, 'aws:account:555566667777', 'aws:account:999988887777']);
    for (const e of edges.filter((x) => x.from !== `aws:account:${ACCOUNT}`)) {
      expect(e.attributes).toMatchObject({ principalType: 'AWS', statementIndex: 0, conditions: { StringEquals: { 'sts:ExternalId': 'x1' } } });
      expect(g.node(e.from)).toMatchObject({ kind: 'resource', type: 'account', attributes: { inScan: false } });
    }
    expect(edges.find((e) => e.from === `aws:account:${ACCOUNT}`)!.attributes).toMatchObject({ statementIndex: 1, actions: ['sts:*'] });
    expect(g.node(`aws:account:${ACCOUNT}`)!.attributes).toEqual({ inScan: true });
  });

  it('service principals, one per listed service', () => {
    expect(assumers(g, role('lambda-exec', '/service/')).map((e) => [e.from, e.attributes?.principalType])).toEqual([
      ['aws:service-principal:edgelambda.amazonaws.com', 'Service'],
      ['aws:service-principal:lambda.amazonaws.com', 'Service'],
    ]);
  });

  it('Principal "*" and {AWS: "*"} both become the anyone node', () => {
    expect(assumers(g, role('public')).map((e) => [e.from, e.attributes?.principalType])).toEqual([['aws:anyone:*', '*']]);
    expect(assumers(g, role('any-aws')).map((e) => [e.from, e.attributes?.principalType])).toEqual([['aws:anyone:*', 'AWS']]);
    expect(g.node('aws:anyone:*')).toMatchObject({ kind: 'principal', type: 'anyone' });
  });

  it('user and role ARNs: a scanned user links to its node; an unknown foreign role gets a minimal external node in its own account', () => {
    const from = assumers(g, role('internal')).map((e) => e.from);
    expect(from).toEqual([`aws:iam-role:${FOREIGN_ROLE}`, `aws:iam-user:${DEPLOYER}`]);
    const foreign = g.node(`aws:iam-role:${FOREIGN_ROLE}`) as PrincipalNode;
    expect(foreign).toMatchObject({ type: 'iam-role', name: 'ci-runner', scope: '444455556666', attributes: { external: true } });
    expect(g.out(foreign.id, 'IN_SCOPE').map((e) => e.to)).toEqual(['aws:account:444455556666']);
    expect(g.node(`aws:iam-user:${DEPLOYER}`)!.attributes?.external).toBeUndefined();
  });

  it('SAML federation and statements that do not allow assuming (Deny, sts:TagSession only)', () => {
    expect(assumers(g, role('saml-admin')).map((e) => e.from)).toEqual([`aws:saml-provider:${SAML}`]);
    expect(g.node(`aws:saml-provider:${SAML}`)!.type).toBe('saml-provider');
    expect(assumers(g, role('no-assume'))).toEqual([]);
    expect(g.node('aws:account:777788889999')).toBeUndefined();
  });

  it('roles carry the decoded trust policy; service-linked roles are system identities', () => {
    const r = g.node(role('public')) as PrincipalNode;
    expect(r.accountType).toBe('service');
    expect((r.attributes?.trustPolicy as { Statement: unknown[] }).Statement).toHaveLength(1);
    const linked = g.node(role('AWSServiceRoleForSupport', '/aws-service-role/support.amazonaws.com/')) as PrincipalNode;
    expect(linked).toMatchObject({ accountType: 'system', attributes: { serviceLinked: true } });
  });
});

describe('aws mapping: several statements trusting the same principal', () => {
  const OIDC_ARN = `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`;
  const trust = {
    Version: '2012-10-17',
    Statement: [
      { Sid: 'Scoped', Effect: 'Allow', Principal: { Federated: OIDC_ARN }, Action: 'sts:AssumeRoleWithWebIdentity', Condition: { StringEquals: { 'token.actions.githubusercontent.com:sub': 'repo:acme/app:ref:refs/heads/main' } } },
      { Sid: 'Forgotten', Effect: 'Allow', Principal: { Federated: OIDC_ARN }, Action: 'sts:AssumeRoleWithWebIdentity', Condition: { StringEquals: { 'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com' } } },
    ],
  };
  const authz: AuthzDetails = {
    UserDetailList: [],
    GroupDetailList: [],
    Policies: [],
    RoleDetailList: [{ RoleName: 'two-statements', Path: '/', RoleId: 'AROATWO', Arn: `arn:aws:iam::${ACCOUNT}:role/two-statements`, CreateDate: '2026-01-01T00:00:00Z', AssumeRolePolicyDocument: trust as never, RolePolicyList: [], AttachedManagedPolicies: [], Tags: [] }] as never,
  };

  it('one edge per principal, carrying the least restricted statement (Allows are OR-ed) and all of them', () => {
    const g = IdentityGraph.from(mapAws({ authz }, { now: NOW, sources }));
    const edges = assumers(g, role('two-statements'));
    expect(edges).toHaveLength(1);
    expect(edges[0].attributes).toMatchObject({ sid: 'Forgotten', statementIndex: 1 });
    expect((edges[0].attributes!.statements as Array<{ sid: string }>).map((x) => x.sid)).toEqual(['Scoped', 'Forgotten']);
  });

  it('the statement order does not matter', () => {
    const reversed = { ...authz, RoleDetailList: [{ ...(authz.RoleDetailList![0] as object), AssumeRolePolicyDocument: { ...trust, Statement: [...trust.Statement].reverse() } }] as never };
    const g = IdentityGraph.from(mapAws({ authz: reversed }, { now: NOW, sources }));
    expect(assumers(g, role('two-statements'))[0].attributes).toMatchObject({ sid: 'Forgotten', statementIndex: 0 });
  });
});

describe('aws mapping: grants, groups, tags', () => {
  const g = graphOf();

  it('attached, inline and boundary policies become GRANTED edges with via', () => {
    const grants = g.out(`aws:iam-user:${DEPLOYER}`, 'GRANTED').map((e) => [e.to, e.attributes?.via]).sort();
    expect(grants).toEqual([
      [`aws:inline-policy:${DEPLOYER}/queue`, 'inline'],
      [`aws:managed-policy:${APP_POLICY}`, 'attached'],
      [`aws:managed-policy:${BOUNDARY}`, 'boundary'],
    ]);
    const inline = g.node(`aws:inline-policy:${DEPLOYER}/queue`) as EntitlementNode;
    expect(inline.document).toEqual({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sqs:*', Resource: '*' }] });
  });

  it('managed policies: the default version document, decoded; platform vs customer', () => {
    const app = g.node(`aws:managed-policy:${APP_POLICY}`) as EntitlementNode;
    expect(app.managedBy).toBe('customer');
    expect(app.attributes).toMatchObject({ defaultVersionId: 'v3', attachmentCount: 2, description: 'app data' });
    expect(((app.document as { Statement: Array<{ Resource: string }> }).Statement[0]).Resource).toBe('arn:aws:s3:::app-data/* with spaces & symbols +%');
    expect((g.node(`aws:managed-policy:${ADMIN}`) as EntitlementNode).managedBy).toBe('platform');
  });

  it('group membership resolves group names to ARNs and entitlementsOf follows it', () => {
    expect(g.out(`aws:iam-user:${ALICE}`, 'MEMBER_OF').map((e) => e.to)).toEqual([`aws:iam-group:arn:aws:iam::${ACCOUNT}:group/admins`]);
    expect(g.entitlementsOf(`aws:iam-user:${ALICE}`).map((x) => x.entitlement.name)).toEqual(['AdministratorAccess']);
  });

  it('every principal of the account is IN_SCOPE of it; tags are flattened', () => {
    for (const p of g.principals()) {
      if (p.scope === ACCOUNT) expect(g.out(p.id, 'IN_SCOPE').map((e) => e.to)).toEqual([`aws:account:${ACCOUNT}`]);
    }
    expect(g.node(`aws:iam-user:${DEPLOYER}`)!.tags).toEqual({ owner: 'platform' });
    expect(g.node(role('lambda-exec', '/service/'))!.tags).toEqual({ team: 'edge' });
  });
});

describe('aws mapping: credential report and usage', () => {
  const g = graphOf();

  it('keys by slot with report dates; never-used active key is null; inactive key keeps its last use', () => {
    const keys = g.credentialsOf(`aws:iam-user:${DEPLOYER}`).sort((a, b) => a.id.localeCompare(b.id));
    expect(keys.map((k) => k.id)).toEqual([`aws:access-key:${DEPLOYER}#1`, `aws:access-key:${DEPLOYER}#2`]);
    const [k1, k2] = keys;
    expect(k1).toMatchObject({ active: false, createdAt: '2023-01-10T10:00:00.000Z', lastRotatedAt: '2023-01-10T10:00:00.000Z', lastUsedAt: '2024-02-01T00:00:00.000Z' });
    expect(k1.attributes).toMatchObject({ slot: 1, lastUsedService: 's3', lastUsedRegion: 'eu-west-1' });
    expect(k2).toMatchObject({ active: true, createdAt: '2026-04-01T09:30:00.000Z', lastUsedAt: null });
    expect(k2.attributes?.lastUsedService).toBeUndefined();
  });

  it('account types from password_enabled; console password, MFA, certificate, console-login usage', () => {
    expect((g.node(`aws:iam-user:${ALICE}`) as PrincipalNode).accountType).toBe('human');
    expect((g.node(`aws:iam-user:${DEPLOYER}`) as PrincipalNode).accountType).toBe('service');
    expect(g.node(`aws:iam-user:${ALICE}`)!.attributes).toMatchObject({ mfaActive: true, passwordEnabled: true });
    const creds = g.credentialsOf(`aws:iam-user:${ALICE}`);
    const pw = creds.find((c) => c.type === 'password') as CredentialNode;
    expect(pw).toMatchObject({ id: `aws:password:${ALICE}`, lastUsedAt: '2026-05-30T08:00:00.000Z', lastRotatedAt: '2026-01-01T00:00:00.000Z', active: true });
    expect(creds.find((c) => c.type === 'certificate')).toMatchObject({ id: `aws:certificate:${ALICE}#1`, active: true });
    expect(g.usageFor(`aws:iam-user:${ALICE}`).filter((u) => u.scope.kind === 'any').map((u) => u.lastUsedAt)).toEqual(['2026-05-30T08:00:00.000Z']);
  });

  it('without a report users are unknown and have no credentials', () => {
    const bare = graphOf({ report: false });
    expect((bare.node(`aws:iam-user:${ALICE}`) as PrincipalNode).accountType).toBe('unknown');
    expect([...bare.credentials()]).toEqual([]);
  });

  it('root: system principal with its keys by slot', () => {
    const root = g.node(`aws:root:${ACCOUNT}`) as PrincipalNode;
    expect(root).toMatchObject({ type: 'root', accountType: 'system', externalId: `arn:aws:iam::${ACCOUNT}:root` });
    expect(g.credentialsOf(root.id).map((c) => c.id)).toEqual([`aws:access-key:arn:aws:iam::${ACCOUNT}:root#1`]);
  });

  it('role last used: a date, or null with the 400-day window when never used', () => {
    const used = g.usageFor(role('gha-deploy')).find((u) => u.scope.kind === 'any')!;
    expect(used).toMatchObject({ lastUsedAt: '2026-05-20T00:00:00.000Z', window: { end: NOW.toISOString(), days: 400 }, attributes: { region: 'us-east-1' } });
    expect(g.usageFor(role('partner')).find((u) => u.scope.kind === 'any')!.lastUsedAt).toBeNull();
  });

  it('service last accessed per service, null when not accessed', () => {
    const facts = g.usageFor(`aws:iam-user:${DEPLOYER}`).filter((u) => u.scope.kind === 'service');
    expect(facts.map((u) => [u.scope.name, u.lastUsedAt, u.attributes?.totalAuthenticatedEntities]).sort()).toEqual([
      ['s3', '2026-05-30T00:00:00.000Z', 1],
      ['sqs', null, 0],
    ]);
    expect(facts[0].window).toEqual({ end: NOW.toISOString(), days: 400 });
    expect(facts[0].provenance.source).toBe('file:last.json');
  });
});

describe('aws mapping helpers', () => {
  it('decodes objects, JSON strings and URL-encoded JSON; rejects garbage', () => {
    const doc = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: 'arn:aws:s3:::a b+c' }] };
    expect(decodePolicyDocument(doc)).toBe(doc);
    expect(decodePolicyDocument(JSON.stringify(doc))).toEqual(doc);
    expect(decodePolicyDocument(encodeURIComponent(JSON.stringify(doc)))).toEqual(doc);
    expect(decodePolicyDocument('%7Bnot json')).toBeUndefined();
  });

  it('matches live keys to report slots by creation date, falling back to creation order', () => {
    const slots = [
      { slot: 1, active: true, rotatedAt: '2024-01-01T00:00:00.000Z' },
      { slot: 2, active: true, rotatedAt: '2025-01-01T00:00:00.000Z' },
    ];
    const byDate = matchKeysToSlots(
      [
        { AccessKeyId: 'AKIAB', CreateDate: '2025-01-01T00:00:00Z' },
        { AccessKeyId: 'AKIAA', CreateDate: new Date('2024-01-01T00:00:00Z') },
      ],
      slots,
    );
    expect(byDate.map((m) => [m.key.AccessKeyId, m.slot?.slot])).toEqual([
      ['AKIAA', 1],
      ['AKIAB', 2],
    ]);
    // dates that do not line up (report older than a rotation): creation order decides
    const byOrder = matchKeysToSlots([{ AccessKeyId: 'AKIAY', CreateDate: '2026-02-02T00:00:00Z' }, { AccessKeyId: 'AKIAX', CreateDate: '2026-01-01T00:00:00Z' }], slots);
    expect(byOrder.map((m) => [m.key.AccessKeyId, m.slot?.slot])).toEqual([
      ['AKIAX', 1],
      ['AKIAY', 2],
    ]);
  });
});

describe('aws mapping: every record is validated; a bad one is skipped with a note naming it, the rest is kept', () => {
  const e = smallEstate();
  const base = () => estateToAuthzJson(e) as unknown as Record<string, unknown[]>;
  const notesOf = (records: ReturnType<typeof mapAws>) => records.flatMap((r) => (r.type === 'coverage' ? [r.coverage] : []));
  const nodeIds = (records: ReturnType<typeof mapAws>) => new Set(records.flatMap((r) => (r.type === 'node' ? [r.node.id] : [])));

  it('null in UserDetailList, a numeric RoleName, Tags: {}, a non-string tag value: four notes, everything else mapped', () => {
    const authz = base();
    const roles = authz.RoleDetailList as Array<Record<string, unknown>>;
    const users = authz.UserDetailList as Array<Record<string, unknown>>;
    const deployIndex = roles.findIndex((r) => r.RoleName === 'gha-deploy');
    roles[deployIndex] = { ...roles[deployIndex], RoleName: 42 };
    const publicIndex = roles.findIndex((r) => r.RoleName === 'public');
    roles[publicIndex] = { ...roles[publicIndex], Tags: {} };
    const aliceIndex = users.findIndex((u) => u.UserName === 'alice');
    users[aliceIndex] = { ...users[aliceIndex], Tags: [{ Key: 'owner', Value: { nested: true } }] };
    users.push(null as unknown as Record<string, unknown>);
    const records = mapAws({ authz: authz as AuthzDetails }, { now: NOW, sources });
    const notes = notesOf(records);
    expect(notes.map((n) => n.message).sort()).toEqual(
      [
        `authz.json: RoleDetailList[${deployIndex}] (role 'gha-deploy'): RoleName is not a string (got a number); this role is skipped`,
        `authz.json: RoleDetailList[${publicIndex}] (role 'public'): Tags is not a list (got an object); this role is skipped`,
        `authz.json: UserDetailList[${aliceIndex}] (user 'alice'): Tags[0].Value is not a string (got an object); this user is skipped`,
        `authz.json: UserDetailList[${users.length - 1}]: the entry is not an object (got null); this user is skipped`,
      ].sort(),
    );
    for (const n of notes) expect(n).toMatchObject({ connector: 'aws', source: 'file:authz.json', reason: 'invalid-input', incomplete: true, scope: ACCOUNT });
    expect(notes.some((n) => /Cannot read|undefined|TypeError/.test(n.message))).toBe(false);
    const ids = nodeIds(records);
    expect(ids.has(role('gha-deploy'))).toBe(false);
    expect(ids.has(role('public'))).toBe(false);
    expect(ids.has(`aws:iam-user:${ALICE}`)).toBe(false);
    // the rest of the account is there
    expect(ids.has(`aws:iam-user:${DEPLOYER}`)).toBe(true);
    expect(ids.has(role('partner'))).toBe(true);
    expect(ids.has(`aws:managed-policy:${APP_POLICY}`)).toBe(true);
  });

  it('the live path maps through the same boundary: notes name the API operation', () => {
    const authz = base();
    (authz.GroupDetailList as unknown[]).push({ GroupName: ['x'], Arn: `arn:aws:iam::${ACCOUNT}:group/x` });
    const records = mapAws({ authz: authz as AuthzDetails }, { now: NOW, sources: LIVE_SOURCES });
    expect(notesOf(records).map((n) => [n.source, n.message])).toEqual([
      ['iam:GetAccountAuthorizationDetails', `iam:GetAccountAuthorizationDetails: GroupDetailList[${(authz.GroupDetailList as unknown[]).length - 1}] (group 'x'): GroupName is not a string (got a list); this group is skipped`],
    ]);
  });

  it('thousands of records with the same defect fold into one note with the count and the first names', () => {
    const authz = base();
    const users = authz.UserDetailList as Array<Record<string, unknown>>;
    const good = users.length;
    for (let i = 0; i < 5000; i++) users.push({ UserName: `bot-${i}`, Arn: `arn:aws:iam::${ACCOUNT}:user/bot-${i}`, CreateDate: 17 });
    const records = mapAws({ authz: authz as AuthzDetails }, { now: NOW, sources });
    const notes = notesOf(records);
    expect(notes).toHaveLength(1);
    expect(notes[0].message).toBe(`authz.json: UserDetailList: 5,000 users skipped because CreateDate is not a date (first: UserDetailList[${good}] 'bot-0', UserDetailList[${good + 1}] 'bot-1', UserDetailList[${good + 2}] 'bot-2')`);
    expect(records.filter((r) => r.type === 'node' && r.node.type === 'iam-user')).toHaveLength(good);
  });

  it('over-long strings are invalid per IAM limits: a multi-megabyte wildcard action and a megabyte ARN never reach the policy engine', () => {
    const authz = base();
    const policies = authz.Policies as Array<Record<string, unknown>>;
    const huge = `iam:${'*?'.repeat(1_500_000)}Q`;
    const document = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: huge, Resource: '*' }] };
    policies.push({ PolicyName: 'wild', Arn: `arn:aws:iam::${ACCOUNT}:policy/wild`, DefaultVersionId: 'v1', PolicyVersionList: [{ VersionId: 'v1', IsDefaultVersion: true, Document: document }] });
    (authz.RoleDetailList as unknown[]).push({ RoleName: 'long', Arn: `arn:aws:iam::${ACCOUNT}:role/${'x'.repeat(1 << 20)}` });
    const records = mapAws({ authz: authz as AuthzDetails }, { now: NOW, sources });
    const messages = notesOf(records).map((n) => n.message);
    expect(messages).toContain(`authz.json: Policies[${policies.length - 1}] (managed policy 'wild'): PolicyVersionList[0].Document is ${JSON.stringify(document).length.toLocaleString('en-US')} characters as JSON, more than IAM allows (131,072); this managed policy is skipped`);
    expect(messages).toContain(`authz.json: RoleDetailList[${(authz.RoleDetailList as unknown[]).length - 1}] (role 'long'): Arn is ${(1048576 + `arn:aws:iam::${ACCOUNT}:role/`.length).toLocaleString('en-US')} characters long, more than IAM allows (2,048); this role is skipped`);
    const docs = records.flatMap((r) => (r.type === 'node' && r.node.kind === 'entitlement' ? [JSON.stringify((r.node as EntitlementNode).document ?? null)] : []));
    expect(docs.every((d) => d.length < 10_000)).toBe(true);
  });

  it('credential report rows and last-accessed entities are validated the same way', () => {
    const rows = parseCsv(estateToCredentialReportCsv(e), { columns: true }) as CredentialReportRow[];
    rows.push({ user: 'ghost' } as unknown as CredentialReportRow);
    const la = estateToLastAccessedJson(e) as unknown as LastAccessedData;
    const [firstArn] = Object.keys(la.entities);
    (la.entities as Record<string, unknown>)[firstArn] = { ServicesLastAccessed: [{ ServiceNamespace: 's3', LastAuthenticated: ['2026-01-01'] }] };
    (la.entities as Record<string, unknown>)['not-an-arn'] = { ServicesLastAccessed: [] };
    const records = mapAws({ credentialReport: rows, lastAccessed: la }, { now: NOW, sources });
    const messages = notesOf(records).map((n) => n.message).sort();
    expect(messages).toEqual(
      [
        `last.json: entities["${firstArn}"] (entity '${firstArn.split('/').pop()}'): ServicesLastAccessed[0].LastAuthenticated is not a date; this entity is skipped`,
        `last.json: entities["not-an-arn"]: the key is not an ARN; this entity is skipped`,
        `report.csv: row ${rows.length + 1} (row 'ghost'): arn is not a string (got nothing); this row is skipped`,
      ].sort(),
    );
    expect(records.some((r) => r.type === 'node' && r.node.id === `aws:iam-user:${ALICE}`)).toBe(true);
  });
});

describe('aws mapping: the scanned account is the account of the export', () => {
  it('comes from the ARNs, whatever the sources', () => {
    const e = smallEstate();
    for (const s of [sources, LIVE_SOURCES]) expect(scannedAccount(mapAws({ authz: estateToAuthzJson(e) as AuthzDetails }, { now: NOW, sources: s }))).toBe(ACCOUNT);
  });

  it('ARNs that disagree: the majority account is the one scanned, and a note names the others', () => {
    const authz = estateToAuthzJson(smallEstate()) as unknown as Record<string, Array<Record<string, unknown>>>;
    // the stray account comes first: the first ARN does not decide
    authz.UserDetailList.unshift({ UserName: 'stray', Arn: 'arn:aws:iam::999999999999:user/stray' });
    const records = mapAws({ authz: authz as AuthzDetails }, { now: NOW, sources });
    expect(scannedAccount(records)).toBe(ACCOUNT);
    const note = records.find((r) => r.type === 'coverage');
    expect(note?.type === 'coverage' && note.coverage).toMatchObject({ incomplete: false, scope: ACCOUNT, message: expect.stringMatching(new RegExp(`^authz\\.json: the ARNs name 2 accounts; .* recorded as ${ACCOUNT} \\(\\d+ ARNs\\); also seen: 999999999999 \\(1 ARN\\)$`)) });
  });

  it('the account given by the caller (STS) wins over the ARNs', () => {
    const records = mapAws({ authz: estateToAuthzJson(smallEstate()) as AuthzDetails }, { now: NOW, sources: LIVE_SOURCES, accountId: '111122223333' });
    expect(scannedAccount(records)).toBe('111122223333');
    expect(accountScanTarget('111122223333')).toEqual({ id: 'aws:account:111122223333', platform: 'aws', kind: 'account', name: '111122223333' });
  });
});
