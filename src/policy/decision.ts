/**
 * The contract of the authorization engine (src/policy/evaluate.ts): what a decision is, and the provenance that
 * comes with it. `nhi can`, `nhi who-can`, the escalation paths and the rules all read these shapes.
 */

/**
 * `allowed`: some Allow applies and nothing denies; `denied`: an explicit Deny applies, no Allow applies, or the
 * permissions boundary does not allow; `conditional`: the outcome turns on a condition key the scan cannot settle
 * (named in `unknownKeys`).
 */
export type Decision = 'allowed' | 'denied' | 'conditional';

/** One statement that took part in a decision. */
export interface StatementRef {
  /** entitlement node id (`aws:managed-policy:<arn>`, `aws:inline-policy:<owner arn>/<name>`), or the role id for trust */
  policyId: string;
  policyName: string;
  statementIndex: number;
  sid?: string;
  /** `direct`, or the id of the group that carries the policy to the principal */
  via: string;
  /** `scp` / `rcp`: a service / resource control policy of the AWS organisation (policyId `aws:scp:<p-id>`) */
  kind: 'identity' | 'boundary' | 'trust' | 'scp' | 'rcp';
  /** for `scp` / `rcp`: the root, OU or account the policy is attached at (graph id), when it is one level */
  level?: string;
  effect: 'Allow' | 'Deny';
}

/** How one condition of a statement came out for this request. */
export interface ConditionOutcome {
  statement: StatementRef;
  /** as written, e.g. `ForAnyValue:StringLike`, `DateLessThanIfExists` */
  operator: string;
  /** as written, e.g. `aws:CurrentTime` */
  key: string;
  values: string[];
  /** `unknown`: the scan cannot know the key's value for this request */
  outcome: 'true' | 'false' | 'unknown';
}

/** Values of condition keys for a request, beyond what the evaluator derives itself (lower-case key names). */
export type ConditionContext = Record<string, string | string[] | undefined>;

export interface RequestOptions {
  /** extra keys the caller knows, e.g. `{ 'iam:passedtoservice': 'lambda.amazonaws.com' }` */
  context?: ConditionContext;
}

export interface Evaluation {
  decision: Decision;
  principalId: string;
  action: string;
  resource: string;
  /** Allow statements of the identity policies that match (conditions true or unknown) */
  allows: StatementRef[];
  /** Deny statements that match (conditions true or unknown; unknown makes the decision conditional at best) */
  denies: StatementRef[];
  /** the permissions boundary's own verdict, when the principal has one */
  boundary?: { decision: Decision; allows: StatementRef[]; denies: StatementRef[] };
  /**
   * the service control policies' verdict, when the principal is in a member account of an AWS organisation whose
   * SCPs the graph holds (every level from the root down must allow; any Deny wins)
   */
  scp?: { decision: Decision; allows: StatementRef[]; denies: StatementRef[] };
  /** the resource control policies' verdict, when the resource is in a member account with RCPs (only Denies limit) */
  rcp?: { decision: Decision; denies: StatementRef[] };
  /** every condition looked at, with its outcome */
  conditions: ConditionOutcome[];
  /** condition keys that left the outcome open (sorted, deduplicated) */
  unknownKeys: string[];
  /** why, when denied */
  deniedBy?: 'explicit-deny' | 'no-allow' | 'boundary' | 'scp' | 'rcp';
  /** statements skipped as malformed, documents that could not be read, and similar remarks (one line each) */
  notes?: string[];
}

/** Decision to assume a role: the trust policy together with the caller's identity policy. */
export interface AssumeEvaluation {
  decision: Decision;
  callerId: string;
  roleId: string;
  /** trust statements that admit the caller (its ARN, its account, `*`, a service) */
  trust: StatementRef[];
  /** how the trust admits the caller: its own ARN (same account: no identity grant needed), its account root, anyone */
  via?: 'principal' | 'account' | 'anyone';
  /** the caller's identity-policy decision for sts:AssumeRole on the role, when it was needed */
  identity?: Evaluation;
  conditions: ConditionOutcome[];
  unknownKeys: string[];
  /** trust statements skipped as malformed, a caller that cannot assume roles, and similar remarks */
  notes?: string[];
}

/**
 * One evaluator per graph and as-of time. Memoises by policy set (principals that share their policies, groups and
 * boundary share the work), so asking about thousands of principals that hold the same few policies stays cheap.
 */
export interface Evaluator {
  /** May `principalId` do `action` on `resource` (an ARN, or `*` for actions without resource types)? */
  evaluate(principalId: string, action: string, resource: string, opts?: RequestOptions): Evaluation;
  /** May `callerId` assume `roleId` (sts:AssumeRole: trust policy and, where needed, the caller's identity policy)? */
  canAssume(callerId: string, roleId: string): AssumeEvaluation;
  /**
   * A stable key of everything that decides `principalId`'s identity-policy answers (policies with their paths,
   * boundary, and the principal itself when a policy uses variables): principals with equal keys get equal answers.
   */
  policySetKey(principalId: string): string;
}
