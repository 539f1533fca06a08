/**
 * The contract of the escalation analysis: escalation methods as data (src/paths/methods/*), the "can become" edges
 * the analysis derives from them once per scan, and the paths over those edges.
 */
import type { Evaluation, StatementRef } from '../policy/decision.js';

/**
 * What a method needs the caller to be allowed. Each action is evaluated with the authorization engine on the
 * resource the template names; `${target}` is the ARN of the identity the caller would become (or act on),
 * `${policy}` the ARN of the policy being changed, `${account}` the caller's account, `${region}` `*`.
 * Several lists in `anyOf` are alternatives (e.g. invoke the new function directly, or through an event source).
 */
export interface MethodRequirement {
  action: string;
  /** resource template, e.g. `${target}`, `arn:aws:lambda:*:${account}:function:*`, `*` */
  resource: string;
  /** condition keys this method fixes for the request, e.g. `{ 'iam:passedtoservice': 'lambda.amazonaws.com' }` */
  context?: Record<string, string>;
}

/** Which identities a method can turn the caller into (or act on). */
export type MethodTarget =
  /** a role that trusts `service` (its trust policy names the service principal), passed with iam:PassRole */
  | { kind: 'role-trusting-service'; service: string; needsInstanceProfile?: boolean }
  /** an IAM user: take its credentials (`loginProfile`: it must have no console password yet / already have one) */
  | { kind: 'user'; loginProfile?: 'absent' | 'present' }
  /** a role: change its trust, or its policies */
  | { kind: 'role' }
  /** a group: add oneself to it, or change its policies (the caller must be a member / a user) */
  | { kind: 'group'; callerMustBeMember?: boolean }
  /** a customer-managed policy attached to an identity the caller is or can become */
  | { kind: 'attached-policy' }
  /** the caller itself: grants itself any permission */
  | { kind: 'self' }
  /** code already running as a role the scan may not see (an existing function, a running instance) */
  | { kind: 'role-of-existing-resource'; service: string; needsInstanceProfile?: boolean };

export type MethodShape = 'modify-policy' | 'take-credentials' | 'pass-role' | 'reach-running-code' | 'assume-role' | 'impersonate';

export interface EscalationMethod {
  /** stable id, used in findings, docs and config: `aws-passrole-lambda-invoke`, `gcp-sa-key-create` */
  id: string;
  platform: 'aws' | 'gcp' | 'github' | 'gitlab';
  title: string;
  shape: MethodShape;
  /** every action in one of these lists must be allowed (with its resource) */
  anyOf: MethodRequirement[][];
  target: MethodTarget;
  /**
   * What the caller ends up with: `target` (becomes the target identity), `admin` (can grant itself anything: the
   * method changes permissions rather than identity).
   */
  becomes: 'target' | 'admin';
  /** resources the scan cannot see that the method also needs, named in the finding (lowers confidence) */
  dependsOn?: string;
  confidence: 'high' | 'medium' | 'low';
  /** public catalogue references: iam-vulnerable case, pathfinding.cloud id, Rhino method name */
  references: string[];
  /** one sentence for the docs and the finding */
  description: string;
}

/** One "can become" edge: `from` can become (or fully control) `to` by `method`. */
export interface BecomeEdge {
  from: string;
  /** a principal id, or ADMIN_OF(account) when the method grants arbitrary permissions */
  to: string;
  /** method id (`aws-assume-role` for trust, `github-push-workflow` for code hosts) */
  method: string;
  /** the statements that grant each required action, and the trust statements for assume-role */
  statements: StatementRef[];
  /** `conditional` when an action or trust turns on an unknown condition key (named) */
  decision: 'allowed' | 'conditional';
  unknownKeys: string[];
  confidence: 'high' | 'medium' | 'low';
  dependsOn?: string;
  /** kept for `nhi can`-style evidence; may be dropped to save memory at scale */
  evaluations?: Evaluation[];
}

/** The sink node a principal reaches when it can grant itself anything in an account. */
export function adminSinkId(platform: string, scope: string): string {
  return `meta:admin:${platform}:${scope}`;
}

export interface PathHop {
  from: string;
  to: string;
  edge: BecomeEdge;
}

export interface EscalationPath {
  /** the principal the path starts from */
  start: string;
  /** the admin-equivalent principal (or admin sink) it ends at */
  end: string;
  hops: PathHop[];
}

/** What an edge producer gets: the merged graph, the as-of time, and the AWS evaluator (shared, memoised). */
export interface PathContext {
  graph: import('../graph/graph.js').IdentityGraph;
  now: Date;
  evaluator: import('../policy/decision.js').Evaluator;
}

/**
 * One platform's contribution to the analysis (src/paths/<platform>.ts): its "can become" edges and which of its
 * identities already hold admin. Producers never enumerate pairs of principals: they index targets (roles by the
 * service they trust, policies by their holders, repositories by the roles that trust them) and join on the index.
 */
export interface EdgeProducer {
  id: string;
  edges(ctx: PathContext): Iterable<BecomeEdge>;
  /** identities that are admin-equivalent already (reaching one of them, or an admin sink, is escalation) */
  admins(ctx: PathContext): Iterable<{ id: string; why: string }>;
}
