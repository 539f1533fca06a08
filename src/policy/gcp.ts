/** Google Cloud IAM facts shared by the gcp connector's mapping, the GCP rules and the escalation analysis. */
import type { IdentityGraph } from '../graph/graph.js';

/** Predefined roles that let a member become a service account (mint tokens, act as it, make keys, federate into it). */
export const IMPERSONATION_ROLES: ReadonlySet<string> = new Set(['roles/iam.serviceAccountTokenCreator', 'roles/iam.serviceAccountUser', 'roles/iam.workloadIdentityUser', 'roles/iam.serviceAccountKeyAdmin']);

/** Permissions that let a (custom) role become a service account: mint its tokens, sign as it, attach it, make it a key. */
export const ACT_AS_PERMISSIONS: readonly string[] = ['iam.serviceAccounts.getAccessToken', 'iam.serviceAccounts.signJwt', 'iam.serviceAccounts.signBlob', 'iam.serviceAccounts.implicitDelegation', 'iam.serviceAccounts.actAs', 'iam.serviceAccountKeys.create'];

/** Permissions that let a (custom) role rewrite who may do what on a project, folder or organization. */
export const POLICY_ADMIN_PERMISSIONS: readonly string[] = ['resourcemanager.projects.setIamPolicy', 'resourcemanager.folders.setIamPolicy', 'resourcemanager.organizations.setIamPolicy'];

/** The primitive roles that hold nearly every permission of a project. */
export const PRIMITIVE: ReadonlySet<string> = new Set(['roles/owner', 'roles/editor']);

/** The permissions of a custom role, as read from its definition (undefined: predefined, or not read). */
export function customRolePermissions(graph: IdentityGraph | undefined, role: string): string[] | undefined {
  if (!graph || role.startsWith('roles/')) return undefined;
  const node = graph.node(`gcp:role:${role}`);
  const doc = (node?.kind === 'entitlement' ? node.document : undefined) as { includedPermissions?: unknown } | undefined;
  return Array.isArray(doc?.includedPermissions) ? (doc.includedPermissions as string[]) : undefined;
}

/**
 * Owner, Editor, a predefined role matching `adminPattern`, or (given the graph) a custom role whose definition can
 * change IAM policies of a project, folder or organization.
 */
export function isPrivileged(role: string, adminPattern: { test(value: string): boolean }, graph?: IdentityGraph): boolean {
  if (PRIMITIVE.has(role) || adminPattern.test(role)) return true;
  return customRolePermissions(graph, role)?.some((p) => POLICY_ADMIN_PERMISSIONS.includes(p)) ?? false;
}
