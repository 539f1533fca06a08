/**
 * Small helpers shared by the rule files (not a rule itself). Everything here is pure and platform-neutral unless
 * the name says AWS.
 */
import type { IdentityGraph } from '../graph/graph.js';
import type { CredentialNode, Evidence, IdentityNode, PrincipalNode, Provenance } from '../model/types.js';
import { daysSince, isoDay } from '../util/dates.js';
import { NON_IDENTITY_TYPES as GRAPH_NON_IDENTITY_TYPES } from '../graph/identities.js';

/**
 * Principal types the rules do not judge as non-human identities of their own: what is not an identity at all
 * (containers, issuers, the public: src/graph/identities.ts), plus the root user, people, and federated workload
 * principals (judged through the account they federate into).
 */
export const NON_IDENTITY_TYPES: ReadonlySet<string> = new Set([...GRAPH_NON_IDENTITY_TYPES, 'root', 'user', 'wif-principal', 'gke-workload']);

/** Active credentials of the given types that the customer manages (platform-managed keys left out). */
export function* activeCredentials(graph: IdentityGraph, types: Iterable<string>): Iterable<CredentialNode> {
  const wanted = new Set(types);
  for (const c of graph.credentials()) if (c.active && wanted.has(c.credentialType) && !isPlatformManaged(c)) yield c;
}

/** Credentials the platform creates and rotates itself (GCP system-managed keys): hygiene rules leave them alone. */
export function isPlatformManaged(c: { attributes?: Record<string, unknown> }): boolean {
  return c.attributes?.platformManaged === true;
}

export function firstProvenance(node: { provenance: Provenance[] } | undefined): Provenance | undefined {
  return node?.provenance[0];
}

/** A human-readable kind for messages: `IAM user`, `IAM role`, or the platform type. */
export function kindLabel(node: IdentityNode): string {
  switch (node.type) {
    case 'iam-user':
      return 'IAM user';
    case 'iam-role':
      return 'IAM role';
    case 'iam-group':
      return 'IAM group';
    case 'root':
      return 'root user of account';
    case 'access-key':
      return 'access key';
    case 'actions-secret':
      return 'GitHub Actions secret';
    case 'dependabot-secret':
      return 'Dependabot secret';
    case 'fine-grained-pat':
      return 'fine-grained PAT';
    case 'saml-credential':
      return 'SAML-authorised credential';
    case 'app-installation':
      return 'GitHub App installation';
    case 'sa-key':
      return 'service account key';
    case 'service-account':
      return 'service account';
    case 'ci-variable':
      return 'GitLab CI/CD variable';
    case 'access-token':
      return 'GitLab access token';
    case 'self-hosted-runner':
      return 'self-hosted runner';
    default:
      return node.type.replace(/-/g, ' ');
  }
}

/** `IAM user ci-bot` (root: `root user of account 123456789012`). */
export function label(node: IdentityNode): string {
  if (node.type === 'root') return `root user of account ${node.scope ?? node.name}`;
  return `${kindLabel(node)} ${node.name}`;
}

/** AWS service-linked roles are managed by AWS: they cannot be changed, owned or deleted by the customer. */
export function isServiceLinked(p: PrincipalNode): boolean {
  return p.attributes?.serviceLinked === true || (typeof p.attributes?.path === 'string' && p.attributes.path.startsWith('/aws-service-role/'));
}

/**
 * A principal that belongs to somebody else: marked `attributes.external`, or living in an AWS account that the
 * graph knows and that was not scanned (it only appears as the source of a trust).
 */
export function isExternal(graph: IdentityGraph, p: PrincipalNode): boolean {
  if (p.attributes?.external === true) return true;
  if (p.platform === 'aws' && p.scope) {
    const acct = graph.node(`aws:account:${p.scope}`);
    if (acct) return acct.attributes?.inScan !== true;
  }
  return false;
}

/** Users, roles, service accounts and the like: identities the customer owns and can clean up. */
export function isOwnedIdentity(graph: IdentityGraph, p: PrincipalNode): boolean {
  // system identities (AWS service principals, GCP service agents) belong to the platform
  return !NON_IDENTITY_TYPES.has(p.type) && p.accountType !== 'system' && !isServiceLinked(p) && !isExternal(graph, p);
}

/** Credential age base: last rotation, else creation. */
export function credentialAgeBase(c: CredentialNode): string | undefined {
  return c.lastRotatedAt ?? c.createdAt;
}

export function credentialEvidence(c: CredentialNode, now: Date, description: string): Evidence {
  const ev: Evidence = {
    description,
    data: {
      credentialId: c.id,
      credentialType: c.credentialType,
      name: c.name,
      active: c.active,
      createdAt: c.createdAt ?? null,
      lastRotatedAt: c.lastRotatedAt ?? null,
      lastUsedAt: c.lastUsedAt === undefined ? 'unknown' : c.lastUsedAt,
      ageDays: daysSince(credentialAgeBase(c), now) ?? null,
    },
  };
  const source = firstProvenance(c);
  if (source) ev.source = source;
  return ev;
}

export function nodeEvidence(node: IdentityNode, description: string, data?: Record<string, unknown>): Evidence {
  const ev: Evidence = { description };
  const source = firstProvenance(node);
  if (source) ev.source = source;
  if (data) ev.data = data;
  return ev;
}

export { globMatch } from '../util/glob.js';

export function day(iso: string | null | undefined): string {
  return isoDay(iso);
}

/** `s3, ec2, iam (+4 more)` */
export function listWithMore(items: string[], max = 5): string {
  if (items.length <= max) return items.join(', ');
  return `${items.slice(0, max).join(', ')} (+${items.length - max} more)`;
}

/** The account id of an AWS principal id or ARN (`aws:iam-role:arn:aws:iam::111122223333:role/x` → 111122223333). */
export function awsAccountOf(nodeId: string, node?: IdentityNode): string | undefined {
  let m = /^aws:(?:account|root):(\d{12})$/.exec(nodeId);
  if (m) return m[1];
  m = /arn:aws[a-z-]*:(?:iam|sts)::(\d{12}):/.exec(nodeId);
  if (m) return m[1];
  return node?.scope && /^\d{12}$/.test(node.scope) ? node.scope : undefined;
}

/**
 * `access key AKIA…`; a credential named after its holder and slot (`ci access key 1`, as offline AWS scans name
 * keys) becomes `access key 1`, because messages name the holder separately.
 */
export function credentialLabel(c: CredentialNode): string {
  if (c.platform !== 'aws') return `${kindLabel(c)} ${c.name}`;
  const m = /\b((?:access key|password|certificate|token|secret|key)(?: \d+)?)$/i.exec(c.name);
  if (m) return m[1];
  const type = c.credentialType === 'access-key' ? 'access key' : c.credentialType.replace(/-/g, ' ');
  return `${type} ${c.name}`;
}

export function capitalise(s: string): string {
  return s ? s[0].toUpperCase() + s.slice(1) : s;
}

/** Where a credential without a holder lives, for messages: ` of acme/app`, ` of org acme`, or nothing. */
export function placeOf(c: IdentityNode): string {
  const repo = c.attributes?.repo;
  if (typeof repo === 'string') {
    const env = c.attributes?.environment;
    return ` of ${repo}${typeof env === 'string' ? ` (environment ${env})` : ''}`;
  }
  const project = c.attributes?.project;
  if (typeof project === 'string') return ` of ${project}`;
  if (c.attributes?.level === 'org' && c.scope) return ` of org ${c.scope}`;
  return '';
}
