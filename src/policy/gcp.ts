/** Google Cloud IAM facts shared by the gcp connector's mapping and the GCP rules. */

/** Predefined roles that let a member become a service account (mint tokens, act as it, make keys, federate into it). */
export const IMPERSONATION_ROLES: ReadonlySet<string> = new Set(['roles/iam.serviceAccountTokenCreator', 'roles/iam.serviceAccountUser', 'roles/iam.workloadIdentityUser', 'roles/iam.serviceAccountKeyAdmin']);

/** Permissions that let a (custom) role become a service account: mint its tokens, sign as it, attach it, make it a key. */
export const ACT_AS_PERMISSIONS: readonly string[] = ['iam.serviceAccounts.getAccessToken', 'iam.serviceAccounts.signJwt', 'iam.serviceAccounts.signBlob', 'iam.serviceAccounts.implicitDelegation', 'iam.serviceAccounts.actAs', 'iam.serviceAccountKeys.create'];

/** Permissions that let a (custom) role rewrite who may do what on a project, folder or organization. */
export const POLICY_ADMIN_PERMISSIONS: readonly string[] = ['resourcemanager.projects.setIamPolicy', 'resourcemanager.folders.setIamPolicy', 'resourcemanager.organizations.setIamPolicy'];
