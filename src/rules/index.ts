import { rule as adminEquivalent } from './admin-equivalent.js';
import { rule as credentialNotRotated } from './credential-not-rotated.js';
import { rule as credentialUnused } from './credential-unused.js';
import { rule as humanWithAccessKey } from './human-with-access-key.js';
import { rule as identityUnowned } from './identity-unowned.js';
import { rule as identityUnused } from './identity-unused.js';
import { rule as multipleActiveKeys } from './multiple-active-keys.js';
import { rule as oidcTrustUnscoped } from './oidc-trust-unscoped.js';
import { rule as privilegeEscalation } from './privilege-escalation.js';
import { rule as rootAccessKey } from './root-access-key.js';
import { rule as trustAnyPrincipal } from './trust-any-principal.js';
import { rule as trustUnknownAccount } from './trust-unknown-account.js';
import { rule as unusedServiceGrants } from './unused-service-grants.js';
import { rule as longLivedCloudCredentialInCi } from './long-lived-cloud-credential-in-ci.js';
import { rule as secretsInherit } from './secrets-inherit.js';
import { rule as allSecretsExposed } from './all-secrets-exposed.js';
import { rule as aiAgentUntrustedInput } from './ai-agent-untrusted-input.js';
import { rule as oidcTokenBroad } from './oidc-token-broad.js';
import { rule as publishTokenNotTrustedPublishing } from './publish-token-not-trusted-publishing.js';
import { rule as secretToUnpinnedAction } from './secret-to-unpinned-action.js';
import { rule as workflowFederationToAdmin } from './workflow-federation-to-admin.js';
import { rule as workflowTokenWriteAll } from './workflow-token-write-all.js';
import { rule as appInstallationOverprivileged } from './app-installation-overprivileged.js';
import { rule as ciSecretUnreferenced } from './ci-secret-unreferenced.js';
import { rule as credentialNoExpiry } from './credential-no-expiry.js';
import { rule as defaultWorkflowTokenWrite } from './default-workflow-token-write.js';
import { rule as deployKeyWriteAccessUnused } from './deploy-key-write-access-unused.js';
import { rule as selfHostedRunnerOnPublicRepo } from './self-hosted-runner-on-public-repo.js';
import { rule as webhookWithoutSecret } from './webhook-without-secret.js';
import { rule as defaultComputeSaEditor } from './default-compute-sa-editor.js';
import { rule as saImpersonationBroad } from './sa-impersonation-broad.js';
import { rule as saPrimitiveRole } from './sa-primitive-role.js';
import { rule as saUserManagedKey } from './sa-user-managed-key.js';
import { rule as unusedRoleGrants } from './unused-role-grants.js';
import { rule as untrustedTriggerSecrets } from './untrusted-trigger-secrets.js';
import { rule as wifProviderUnconditioned } from './wif-provider-unconditioned.js';
import { rule as k8sDefaultServiceAccountAutomount } from './k8s-default-service-account-automount.js';
import { rule as k8sLegacyServiceAccountToken } from './k8s-legacy-service-account-token.js';
import { rule as k8sServiceAccountClusterAdmin } from './k8s-service-account-cluster-admin.js';
import { rule as entraPrivilegedApplicationPermission } from './entra-privileged-application-permission.js';
import { rule as entraAppSecretInsteadOfFederation } from './entra-app-secret-instead-of-federation.js';
import { rule as azureRbacOwnerServicePrincipal } from './azure-rbac-owner-service-principal.js';
import { rule as entraFederatedCredentialBroad } from './entra-federated-credential-broad.js';
import type { Rule } from './types.js';

/** Every rule, sorted by id. */
export const RULES: readonly Rule<any>[] = [
  adminEquivalent,
  credentialNotRotated,
  credentialUnused,
  humanWithAccessKey,
  identityUnowned,
  identityUnused,
  multipleActiveKeys,
  oidcTrustUnscoped,
  privilegeEscalation,
  rootAccessKey,
  trustAnyPrincipal,
  trustUnknownAccount,
  unusedServiceGrants,
  longLivedCloudCredentialInCi,
  secretsInherit,
  allSecretsExposed,
  aiAgentUntrustedInput,
  oidcTokenBroad,
  publishTokenNotTrustedPublishing,
  secretToUnpinnedAction,
  workflowFederationToAdmin,
  workflowTokenWriteAll,
  appInstallationOverprivileged,
  ciSecretUnreferenced,
  credentialNoExpiry,
  defaultWorkflowTokenWrite,
  deployKeyWriteAccessUnused,
  selfHostedRunnerOnPublicRepo,
  webhookWithoutSecret,
  defaultComputeSaEditor,
  saImpersonationBroad,
  saPrimitiveRole,
  saUserManagedKey,
  unusedRoleGrants,
  untrustedTriggerSecrets,
  wifProviderUnconditioned,
  k8sDefaultServiceAccountAutomount,
  k8sLegacyServiceAccountToken,
  k8sServiceAccountClusterAdmin,
  entraPrivilegedApplicationPermission,
  entraAppSecretInsteadOfFederation,
  azureRbacOwnerServicePrincipal,
  entraFederatedCredentialBroad,
].sort((a, b) => a.meta.id.localeCompare(b.meta.id));

const byId = new Map(RULES.map((r) => [r.meta.id, r]));

export function getRule(id: string): Rule<any> | undefined {
  return byId.get(id);
}
