/**
 * The contract of the escalation analysis: escalation methods as data (src/paths/methods/*), the "can become" edges
 * the analysis derives from them once per scan, and the paths over those edges.
 */
import type { Evaluation, StatementRef } from '../policy/decision.js';

/**
 * Placeholders a resource template (and a `context` value) may use, per platform. The engine binds them for each
 * (caller, target) pair it tries; `test/paths/methods.test.ts` fails on any other `${...}` in the catalogue.
 *
 * AWS (every method except `aws-assume-role` acts inside the caller's own account: IAM has no resource policies, and a
 * role can only be passed within its account):
 * - `${partition}`: the partition of the caller's ARN (`aws`, `aws-cn`, `aws-us-gov`).
 * - `${account}`: the caller's account id (= the target's account).
 * - `${region}`: `*` (never used by the built-in catalogue, which writes `*` for regions directly).
 * - `${target}`: the ARN of the target (the user, role or group of `MethodTarget`; the caller's own ARN for `self`; the
 *   role holding the policy for `attached-policy` with `holder: 'role'`).
 * - `${policy}`: the ARN of the customer-managed policy of an `attached-policy` target.
 * - `${companion}`: the ARN of the second role of a `role-trusting-service` target with a `companion`.
 *
 * Google Cloud (resource names as the model names the resources bindings sit on; a permission is held on a resource
 * when a binding on it or on one of its ancestors grants it: service account → project → folders → organization):
 * - `${target}`: the target's resource: `serviceAccounts/<email>` for a service account, `projects/<id>`,
 *   `folders/<id>` or `organizations/<id>` for a `resource-iam-policy` target.
 * - `${project}`: the project id the target service account lives in (where the method creates its workload).
 * - `${projectNumber}`: that project's number (only in `service-agent` e-mail templates).
 * - `${delegate}`: `serviceAccounts/<email>` of the intermediate account of a `service-account-delegated` target.
 * - `${roleParent}`: `projects/<id>` or `organizations/<id>` that owns the custom role of a `held-custom-role` target.
 */
export const METHOD_PLACEHOLDERS = {
  aws: ['partition', 'account', 'region', 'target', 'policy', 'companion'],
  gcp: ['target', 'project', 'projectNumber', 'delegate', 'roleParent'],
} as const satisfies Record<string, readonly string[]>;

/**
 * What a method needs the caller to be allowed. Each requirement is decided on its own with the platform's engine
 * (AWS: `Evaluator.evaluate(caller, action, resource, { context })`); a list in `anyOf` holds when all of its
 * requirements hold; the method applies when any list holds.
 *
 * Resource templates (AWS): after binding the placeholders, a `*` left in a template stands for a part the caller
 * chooses (the name of a resource it creates, the region) or an existing resource the scan cannot see (named in
 * `dependsOn`). Such a requirement is existential: it holds when SOME resource of that form is allowed and not denied.
 * An Allow on `arn:aws:lambda:us-east-1:123456789012:function:build-*` therefore satisfies
 * `arn:${partition}:lambda:*:${account}:function:*`; a Deny defeats it only where it covers every resource the Allow
 * leaves open. A template of `*` alone is for actions without resource types in the iam-data catalogue.
 *
 * `sts:AssumeRole` on `${target}` is never decided by `evaluate` alone: it is `Evaluator.canAssume(caller, target)`
 * (the role's trust policy together with the caller's identity policy, as for the `aws-assume-role` method).
 *
 * Requirements that use no per-target placeholder (`${target}`, `${policy}`, `${companion}`, `${delegate}`) give the
 * same answer for every target of one caller: evaluate them once per caller policy set, then join with the target
 * index.
 */
export interface MethodRequirement {
  /** AWS: `service:Action` with the iam-data catalogue's casing; GCP: a permission, `service.resource.verb` */
  action: string;
  /** resource template, e.g. `${target}`, `arn:${partition}:lambda:*:${account}:function:*`, `*`, `projects/${project}` */
  resource: string;
  /**
   * Condition keys this method fixes for the request (lower-case key names, values may use placeholders), e.g.
   * `{ 'iam:passedtoservice': 'lambda.amazonaws.com' }`. Only keys whose value the method truly determines are
   * listed; a condition on any other key stays open (`conditional`, key named).
   */
  context?: Record<string, string>;
  /**
   * Who must hold it: the caller (default), or the intermediate service account bound to `${delegate}`
   * (`service-account-delegated` targets: the delegate's own grants, not the caller's, must allow it).
   */
  principal?: 'caller' | 'delegate';
}

/**
 * Which identities a method can turn the caller into (or act on): how the engine enumerates targets. A target is never
 * the caller itself (except for `self`, and for `attached-policy` / `group` targets that are the caller's own); on AWS
 * it is in the caller's account and never a service-linked role (path `/aws-service-role/`): IAM refuses to change
 * those, and only their service assumes them.
 */
export type MethodTarget =
  /**
   * AWS: a role whose trust policy admits the service principal `service` (e.g. `lambda.amazonaws.com`) for
   * sts:AssumeRole, passed to the service with iam:PassRole. `needsInstanceProfile`: the role must be in an instance
   * profile (EC2 takes profiles, not roles). `companion`: the method also passes a second role, one that trusts
   * `companion.service`; any such role the caller may pass will do (it need not be privileged); it binds
   * `${companion}`.
   */
  | { kind: 'role-trusting-service'; service: string; needsInstanceProfile?: boolean; companion?: { service: string } }
  /**
   * AWS: an IAM user whose credentials the caller takes (or which it changes, then takes). `loginProfile`: the user
   * must have no console password yet (`absent`) or already have one (`present`). `keySlotFree`: the user must hold
   * fewer than two access keys (AWS allows two, active or not). `noMfaDevice`: the user must have no MFA device
   * (console sign-in would ask for it).
   */
  | { kind: 'user'; loginProfile?: 'absent' | 'present'; keySlotFree?: boolean; noMfaDevice?: boolean }
  /** AWS: a role the caller assumes, or changes (its trust, or its policies) and then assumes */
  | { kind: 'role' }
  /**
   * AWS: a group. `callerMustBeMember: true`: a group the caller (a user) already belongs to, whose policies it
   * changes; `false`: a group it does not belong to yet, which it joins.
   */
  | { kind: 'group'; callerMustBeMember?: boolean }
  /**
   * AWS: a customer-managed policy (never `arn:aws:iam::aws:policy/...`: AWS-managed policies cannot be changed) that
   * is attached to `holder`: the caller, directly or through one of its groups (`caller`, the default), or a role
   * other than the caller (`role`, bound to `${target}`), which the method then becomes. `otherVersion`: the policy must
   * have a version besides its default one (the export's `PolicyVersionList`, recorded as `attributes.versionCount`;
   * an unknown count keeps the candidate).
   */
  | { kind: 'attached-policy'; holder?: 'caller' | 'role'; otherVersion?: boolean }
  /** AWS: the caller itself (its own user or role; `${target}` = its ARN) */
  | { kind: 'self' }
  /**
   * AWS: a role that trusts `service` and may run an existing resource the scan cannot see (a function, a stack, a
   * running instance with `needsInstanceProfile`): every such role of the caller's account is a candidate, and the
   * method names the resource it depends on in `dependsOn`.
   */
  | { kind: 'role-of-existing-resource'; service: string; needsInstanceProfile?: boolean }
  /** Google Cloud: any service account (`${target}` = `serviceAccounts/<email>`, `${project}` = its project) */
  | { kind: 'service-account' }
  /**
   * Google Cloud: a Google-managed account that a service runs the caller's work as when no service account is named
   * (no actAs needed). `emails` are templates over `${projectNumber}`; any of them present in the graph is a target
   * (which one a project uses depends on its age and settings).
   */
  | { kind: 'service-agent'; emails: string[] }
  /**
   * Google Cloud: a service account reached through an intermediate one (`${delegate}`): the caller holds
   * implicitDelegation on the delegate, and the delegate holds a token-minting permission on the target.
   */
  | { kind: 'service-account-delegated' }
  /** Google Cloud: the IAM policy of a project, folder or organization (`${target}` = its resource name) */
  | { kind: 'resource-iam-policy'; level: 'project' | 'folder' | 'organization' }
  /**
   * Google Cloud: a custom role bound to the caller (on any resource); `${roleParent}` is the project or organization
   * that owns the role definition.
   */
  | { kind: 'held-custom-role' };

/**
 * - `modify-policy`: change a permission or trust policy (own, a group's, another identity's).
 * - `take-credentials`: mint credentials of another identity (an access key, a console password, a key file).
 * - `pass-role`: have a service run the caller's new code as the target (AWS: iam:PassRole; GCP: actAs, or the
 *   service's own default account).
 * - `reach-running-code`: change or enter code already running as the target (an existing function, instance, stack).
 * - `assume-role`: sts:AssumeRole on the target's trust.
 * - `impersonate`: mint short-lived tokens or signatures as the target (GCP getAccessToken / signBlob / signJwt).
 */
export type MethodShape = 'modify-policy' | 'take-credentials' | 'pass-role' | 'reach-running-code' | 'assume-role' | 'impersonate';

export interface EscalationMethod {
  /** stable id, used in findings, docs and config: `aws-passrole-lambda-invoke`, `gcp-sa-key-create` */
  id: string;
  platform: 'aws' | 'gcp' | 'github' | 'gitlab' | 'k8s' | 'entra';
  title: string;
  shape: MethodShape;
  /** every requirement in one of these lists must hold (see MethodRequirement for templates and decisions) */
  anyOf: MethodRequirement[][];
  target: MethodTarget;
  /**
   * What the caller ends up with:
   * - `target`: it becomes the target identity (edge caller → target node).
   * - `admin`: it can grant itself anything (edge caller → `adminSinkId(platform, scope)`, with `BecomeEdge.target`
   *   naming what it acted on). Scope: AWS, the account; GCP, the resource whose policy it controls (the
   *   `resource-iam-policy` target, or the resource a `held-custom-role` binding sits on; a binding on a service
   *   account yields an edge to that account instead).
   */
  becomes: 'target' | 'admin';
  /**
   * Node types (model `type`) the caller must have, e.g. `['iam-user']` (only users have login profiles, join groups,
   * take user policies); absent: any principal of the platform.
   */
  callerTypes?: string[];
  /**
   * The method only changes identity policies, so the outcome stays inside a permissions boundary: the caller's own
   * (`caller-boundary`: it gains the permissions itself, through its own policy, its group or a group it joins) or the
   * target's (`target-boundary`: it grants them to an identity it then becomes). A bounded identity is admin only
   * where its boundary allows it; the engine must not conclude more.
   */
  limitedBy?: 'caller-boundary' | 'target-boundary';
  /**
   * What else the method needs that the scan cannot see (an existing resource, a setting, the service still being
   * offered), named in the finding. Present exactly when `confidence` is below `high`: it says why.
   */
  dependsOn?: string;
  confidence: 'high' | 'medium' | 'low';
  /**
   * Public catalogue references: `iam-vulnerable:<case>` (BishopFox iam-vulnerable, e.g. `iam-vulnerable:privesc4`),
   * `pathfinding.cloud:<path id>` (DataDog pathfinding.cloud, e.g. `pathfinding.cloud:iam-002`), `rhino-gcp:<method>`
   * (Rhino Security Labs' GCP method list, by permission), or an https URL of the platform's own documentation.
   */
  references: string[];
  /** one sentence for the docs and the finding */
  description: string;
}

/** What reports and commands show of a method, and what the catalogues without AWS-shaped requirements (code hosts, Kubernetes, Entra) hold. */
export type MethodInfo = Pick<EscalationMethod, 'id' | 'platform' | 'title' | 'shape' | 'becomes' | 'confidence' | 'references' | 'description' | 'dependsOn'>;

/** One "can become" edge: `from` can become (or fully control) `to` by `method`. */
export interface BecomeEdge {
  from: string;
  /** a principal id, or ADMIN_OF(account) when the method grants arbitrary permissions */
  to: string;
  /** method id (`aws-assume-role` for trust, `github-push-workflow` for code hosts) */
  method: string;
  /**
   * What the method acted on when that is not `to` (then an admin sink): the identity whose policy was changed, the
   * policy, or the resource whose IAM policy was rewritten.
   */
  target?: string;
  /** the statements that grant each required action, and the trust statements for assume-role */
  statements: StatementRef[];
  /** `conditional` when an action or trust turns on an unknown condition key (named) */
  decision: 'allowed' | 'conditional';
  unknownKeys: string[];
  confidence: 'high' | 'medium' | 'low';
  dependsOn?: string;
  /** how the hop happens in this estate, when the method's title does not say it (the trigger, the job, the token's sub) */
  via?: string;
  /** kept for `nhi can`-style evidence; may be dropped to save memory at scale */
  evaluations?: Evaluation[];
}

/** The sink node a principal reaches when it can grant itself anything in an account. */
export function adminSinkId(platform: string, scope: string): string {
  return `meta:admin:${platform}:${scope}`;
}

const SINK_PLACE: Record<string, string> = { aws: 'AWS account', gcp: 'Google Cloud', entra: 'Entra tenant', k8s: 'Kubernetes cluster' };

/** `meta:admin:aws:123456789012` → `full admin of AWS account 123456789012` (raw text: callers make it safe). */
export function adminSinkName(platform: string, scope: string): string {
  return `full admin of ${SINK_PLACE[platform] ?? platform} ${scope}`;
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
