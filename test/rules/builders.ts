/**
 * Tiny graph builders for rule and policy tests. Ids, node types, attributes, edges and usage facts follow
 * docs/model.md (AWS section) exactly, so rules are tested against the shape the AWS connector emits.
 */
import { deriveOwnership } from '../../src/graph/derive.js';
import { IdentityGraph } from '../../src/graph/graph.js';
import type { CredentialNode, EntitlementNode, Finding, Provenance, UsageFact } from '../../src/model/types.js';
import { runRules } from '../../src/rules/runner.js';
import type { Rule } from '../../src/rules/types.js';
import { addDays } from '../../src/util/dates.js';

export const ACCOUNT = '123456789012';
export const OTHER_ACCOUNT = '999988887777';
/** evaluation time of every rule test */
export const NOW = new Date('2026-06-01T00:00:00.000Z');

export const PROV: Provenance = { connector: 'aws', source: 'test', observedAt: NOW.toISOString() };

export function daysAgo(n: number): string {
  return addDays(NOW, -n).toISOString();
}

export const arn = {
  user: (name: string, acct = ACCOUNT) => `arn:aws:iam::${acct}:user/${name}`,
  role: (name: string, acct = ACCOUNT, path = '/') => `arn:aws:iam::${acct}:role${path}${name}`,
  group: (name: string, acct = ACCOUNT) => `arn:aws:iam::${acct}:group/${name}`,
  policy: (name: string, acct = ACCOUNT) => `arn:aws:iam::${acct}:policy/${name}`,
  awsPolicy: (name: string) => `arn:aws:iam::aws:policy/${name}`,
  oidc: (host: string, acct = ACCOUNT) => `arn:aws:iam::${acct}:oidc-provider/${host}`,
};

export const ADMIN_DOC = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };

export interface KeyOpts {
  active?: boolean;
  createdAt?: string;
  lastRotatedAt?: string;
  lastUsedAt?: string | null;
}

export class GraphBuilder {
  readonly graph = new IdentityGraph();

  account(id = ACCOUNT, inScan = true): string {
    const nodeId = `aws:account:${id}`;
    this.graph.addNode({ id: nodeId, kind: 'resource', platform: 'aws', type: 'account', name: id, scope: id, attributes: { inScan }, provenance: [PROV] });
    return nodeId;
  }

  root(acct = ACCOUNT): string {
    const id = `aws:root:${acct}`;
    this.graph.addNode({
      id,
      kind: 'principal',
      platform: 'aws',
      type: 'root',
      name: '<root_account>',
      externalId: `arn:aws:iam::${acct}:root`,
      scope: acct,
      accountType: 'system',
      provenance: [PROV],
    });
    return id;
  }

  user(name: string, opts: { passwordEnabled?: boolean; mfaActive?: boolean; createdAt?: string; tags?: Record<string, string>; acct?: string } = {}): string {
    const a = arn.user(name, opts.acct);
    const id = `aws:iam-user:${a}`;
    const attributes: Record<string, unknown> = { arn: a, path: '/' };
    if (opts.passwordEnabled !== undefined) attributes.passwordEnabled = opts.passwordEnabled;
    if (opts.mfaActive !== undefined) attributes.mfaActive = opts.mfaActive;
    this.graph.addNode({
      id,
      kind: 'principal',
      platform: 'aws',
      type: 'iam-user',
      name,
      externalId: a,
      scope: opts.acct ?? ACCOUNT,
      accountType: opts.passwordEnabled ? 'human' : opts.passwordEnabled === false ? 'service' : 'unknown',
      createdAt: opts.createdAt ?? daysAgo(1000),
      tags: opts.tags,
      attributes,
      provenance: [PROV],
    });
    return id;
  }

  role(
    name: string,
    opts: { trust?: unknown; path?: string; createdAt?: string; tags?: Record<string, string>; lastUsedAt?: string | null; acct?: string } = {},
  ): string {
    const path = opts.path ?? '/';
    const a = arn.role(name, opts.acct, path);
    const id = `aws:iam-role:${a}`;
    const serviceLinked = path.startsWith('/aws-service-role/');
    this.graph.addNode({
      id,
      kind: 'principal',
      platform: 'aws',
      type: 'iam-role',
      name,
      externalId: a,
      scope: opts.acct ?? ACCOUNT,
      accountType: serviceLinked ? 'system' : 'service',
      createdAt: opts.createdAt ?? daysAgo(1000),
      tags: opts.tags,
      attributes: { arn: a, path, serviceLinked, trustPolicy: opts.trust ?? { Version: '2012-10-17', Statement: [] } },
      provenance: [PROV],
    });
    if (opts.lastUsedAt !== undefined) this.usage(id, { kind: 'any' }, opts.lastUsedAt);
    return id;
  }

  group(name: string, members: string[] = []): string {
    const a = arn.group(name);
    const id = `aws:iam-group:${a}`;
    this.graph.addNode({ id, kind: 'principal', platform: 'aws', type: 'iam-group', name, externalId: a, scope: ACCOUNT, accountType: 'system', provenance: [PROV] });
    for (const m of members) this.graph.addEdge({ type: 'MEMBER_OF', from: m, to: id, provenance: [PROV] });
    return id;
  }

  oidcProvider(host: string, acct = ACCOUNT): string {
    const a = arn.oidc(host, acct);
    const id = `aws:oidc-provider:${a}`;
    this.graph.addNode({ id, kind: 'principal', platform: 'aws', type: 'oidc-provider', name: host, externalId: a, scope: acct, accountType: 'system', attributes: { url: host }, provenance: [PROV] });
    return id;
  }

  anyone(): string {
    const id = 'aws:anyone:*';
    this.graph.addNode({ id, kind: 'principal', platform: 'aws', type: 'anyone', name: '*', accountType: 'unknown', provenance: [PROV] });
    return id;
  }

  servicePrincipal(service: string): string {
    const id = `aws:service-principal:${service}`;
    this.graph.addNode({ id, kind: 'principal', platform: 'aws', type: 'service-principal', name: service, accountType: 'system', provenance: [PROV] });
    return id;
  }

  accessKey(holderId: string, keyId: string, opts: KeyOpts = {}): string {
    const id = `aws:access-key:${keyId}`;
    const created = opts.createdAt ?? daysAgo(10);
    const node: CredentialNode = {
      id,
      kind: 'credential',
      platform: 'aws',
      type: 'access-key',
      name: keyId,
      credentialType: 'access-key',
      scope: ACCOUNT,
      createdAt: created,
      lastRotatedAt: opts.lastRotatedAt ?? created,
      active: opts.active ?? true,
      provenance: [PROV],
    };
    if (opts.lastUsedAt !== undefined) node.lastUsedAt = opts.lastUsedAt;
    this.graph.addNode(node);
    this.graph.addEdge({ type: 'HAS_CREDENTIAL', from: holderId, to: id, provenance: [PROV] });
    return id;
  }

  password(userId: string, opts: KeyOpts = {}): string {
    const userArn = userId.replace(/^aws:iam-user:/, '');
    const id = `aws:password:${userArn}`;
    const node: CredentialNode = {
      id,
      kind: 'credential',
      platform: 'aws',
      type: 'password',
      name: 'console password',
      credentialType: 'password',
      scope: ACCOUNT,
      active: opts.active ?? true,
      provenance: [PROV],
    };
    if (opts.createdAt) node.createdAt = opts.createdAt;
    if (opts.lastUsedAt !== undefined) node.lastUsedAt = opts.lastUsedAt;
    this.graph.addNode(node);
    this.graph.addEdge({ type: 'HAS_CREDENTIAL', from: userId, to: id, provenance: [PROV] });
    return id;
  }

  managedPolicy(name: string, document: unknown, opts: { aws?: boolean } = {}): string {
    const a = opts.aws ? arn.awsPolicy(name) : arn.policy(name);
    const id = `aws:managed-policy:${a}`;
    const node: EntitlementNode = {
      id,
      kind: 'entitlement',
      platform: 'aws',
      type: 'managed-policy',
      name,
      externalId: a,
      entitlementType: 'managed-policy',
      managedBy: opts.aws ? 'platform' : 'customer',
      provenance: [PROV],
    };
    if (document !== undefined) node.document = document;
    this.graph.addNode(node);
    return id;
  }

  inlinePolicy(ownerId: string, name: string, document: unknown): string {
    const ownerArn = ownerId.replace(/^aws:[a-z-]+:/, '');
    const id = `aws:inline-policy:${ownerArn}/${name}`;
    this.graph.addNode({ id, kind: 'entitlement', platform: 'aws', type: 'inline-policy', name, entitlementType: 'inline-policy', document, managedBy: 'customer', provenance: [PROV] });
    this.graph.addEdge({ type: 'GRANTED', from: ownerId, to: id, attributes: { via: 'inline' }, provenance: [PROV] });
    return id;
  }

  attach(principalId: string, policyId: string, via: 'attached' | 'boundary' = 'attached'): this {
    this.graph.addEdge({ type: 'GRANTED', from: principalId, to: policyId, attributes: { via }, provenance: [PROV] });
    return this;
  }

  canAssume(
    fromId: string,
    roleId: string,
    opts: { statementIndex?: number; sid?: string; conditions?: Record<string, Record<string, string | string[]>>; principalType?: 'AWS' | 'Federated' | 'Service' | '*' } = {},
  ): this {
    const attributes: Record<string, unknown> = { statementIndex: opts.statementIndex ?? 0, principalType: opts.principalType ?? 'AWS' };
    if (opts.sid) attributes.sid = opts.sid;
    if (opts.conditions) attributes.conditions = opts.conditions;
    this.graph.addEdge({ type: 'CAN_ASSUME', from: fromId, to: roleId, attributes, provenance: [PROV] });
    // keep the role's trust policy document in step with its edges, as the connector does: the authorization engine
    // reads the document
    const role = this.graph.node(roleId);
    const from = this.graph.node(fromId);
    const trust = role?.attributes?.trustPolicy as { Statement?: unknown[] } | undefined;
    if (role && trust && Array.isArray(trust.Statement)) {
      const type = opts.principalType ?? 'AWS';
      const value =
        type === '*' ? '*' : fromId.startsWith('aws:account:') ? `arn:aws:iam::${fromId.slice('aws:account:'.length)}:root` : fromId.startsWith('aws:service-principal:') ? fromId.slice('aws:service-principal:'.length) : (from?.externalId ?? fromId);
      const principal = type === '*' ? '*' : { [fromId.startsWith('aws:service-principal:') ? 'Service' : type]: value };
      const statement: Record<string, unknown> = { Effect: 'Allow', Principal: principal, Action: type === 'Federated' ? 'sts:AssumeRoleWithWebIdentity' : 'sts:AssumeRole' };
      if (opts.sid) statement.Sid = opts.sid;
      if (opts.conditions) statement.Condition = opts.conditions;
      trust.Statement.push(statement);
    }
    return this;
  }

  usage(nodeId: string, scope: UsageFact['scope'], lastUsedAt: string | null, attributes?: Record<string, unknown>): this {
    const fact: UsageFact = { nodeId, scope, lastUsedAt, window: { end: NOW.toISOString(), days: 400 }, provenance: PROV };
    if (attributes) fact.attributes = attributes;
    this.graph.addUsage(fact);
    return this;
  }

  serviceUsage(nodeId: string, service: string, lastUsedAt: string | null): this {
    return this.usage(nodeId, { kind: 'service', name: service }, lastUsedAt, { serviceName: service, totalAuthenticatedEntities: lastUsedAt ? 1 : 0 });
  }

  /** derive OWNED_BY edges the way the engine does before rules run */
  deriveOwners(keys?: string[]): IdentityGraph {
    deriveOwnership(this.graph, keys);
    return this.graph;
  }
}

/** Run one rule through the real runner (options parsed with the rule's schema, fingerprints, severity defaults). */
export function runRule(rule: Rule<any>, graph: IdentityGraph, options?: Record<string, unknown>, now: Date = NOW): Finding[] {
  return runRules(graph, [rule], { now, settings: options ? { [rule.meta.id]: { options } } : undefined });
}
