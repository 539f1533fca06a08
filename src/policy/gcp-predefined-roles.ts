/**
 * Escalation-relevant permissions of Google Cloud predefined roles, for roles whose definition a scan did not read
 * (an offline export without `gcloud iam roles describe`, a live scan refused `roles.get`). Data, not logic.
 *
 * Source: the public dataset iann0036/iam-dataset, `gcp/roles/<role>.json` (the `gcloud iam roles describe` output of
 * every predefined role), commit 2073fa52ac008a45477aa0b1b4580cd99135bf60 (2026-08-22).
 * Derivation: for every predefined role that holds at least one permission an escalation method of src/paths/gcp.ts
 * acts on (key and token creation, signing, delegation, actAs, setIamPolicy, custom-role updates, and the services
 * that run code as a service account), the role's `includedPermissions` intersected with ESCALATION_PERMISSIONS, in
 * the order of that list. Google's own service-agent roles (`roles/*.serviceAgent`, `roles/*ServiceAgent*`) are left
 * out: they are granted to Google-managed identities, which the analysis does not start from.
 * A role missing here and not read by the scan grants nothing the analysis can see (it says so in docs/paths-gcp.md).
 * Hops that rest on this table are medium confidence: predefined roles change over time.
 */

/** Every permission an escalation method needs (src/paths/gcp.ts checks its methods against this list). */
export const ESCALATION_PERMISSIONS: readonly string[] = [
  'iam.serviceAccountKeys.create',
  'iam.serviceAccounts.getAccessToken',
  'iam.serviceAccounts.signBlob',
  'iam.serviceAccounts.signJwt',
  'iam.serviceAccounts.implicitDelegation',
  'iam.serviceAccounts.actAs',
  'iam.serviceAccounts.setIamPolicy',
  'resourcemanager.projects.setIamPolicy',
  'resourcemanager.folders.setIamPolicy',
  'resourcemanager.organizations.setIamPolicy',
  'iam.roles.update',
  'compute.instances.create',
  'compute.disks.create',
  'compute.instances.setMetadata',
  'compute.instances.setServiceAccount',
  'compute.subnetworks.use',
  'compute.subnetworks.useExternalIp',
  'cloudfunctions.functions.create',
  'cloudfunctions.functions.update',
  'cloudfunctions.functions.sourceCodeSet',
  'cloudfunctions.functions.call',
  'cloudfunctions.functions.setIamPolicy',
  'run.services.create',
  'run.services.update',
  'cloudbuild.builds.create',
  'dataflow.jobs.create',
  'dataproc.clusters.create',
  'composer.environments.create',
  'deploymentmanager.deployments.create',
  'cloudscheduler.jobs.create',
];

/** predefined role → the permissions of ESCALATION_PERMISSIONS it includes */
export const PREDEFINED_ROLE_PERMISSIONS: Readonly<Record<string, readonly string[]>> = {
  'roles/assuredoss.admin': ['iam.serviceAccountKeys.create'],
  'roles/backupdr.computeEngineOperator': ['iam.serviceAccounts.actAs', 'compute.instances.create', 'compute.disks.create', 'compute.instances.setMetadata', 'compute.instances.setServiceAccount', 'compute.subnetworks.use', 'compute.subnetworks.useExternalIp'],
  'roles/cloudbuild.admin': ['cloudbuild.builds.create'],
  'roles/cloudbuild.builds.builder': ['cloudbuild.builds.create'],
  'roles/cloudbuild.builds.editor': ['cloudbuild.builds.create'],
  'roles/cloudbuild.editor': ['cloudbuild.builds.create'],
  'roles/cloudfunctions.admin': ['cloudfunctions.functions.create', 'cloudfunctions.functions.update', 'cloudfunctions.functions.sourceCodeSet', 'cloudfunctions.functions.call', 'cloudfunctions.functions.setIamPolicy', 'run.services.create', 'run.services.update'],
  'roles/cloudfunctions.developer': ['cloudfunctions.functions.create', 'cloudfunctions.functions.update', 'cloudfunctions.functions.sourceCodeSet', 'cloudfunctions.functions.call', 'run.services.create', 'run.services.update'],
  'roles/cloudfunctions.editor': ['cloudfunctions.functions.create', 'cloudfunctions.functions.update', 'cloudfunctions.functions.sourceCodeSet', 'cloudfunctions.functions.call', 'run.services.create', 'run.services.update'],
  'roles/cloudmigration.inframanager': ['compute.instances.create', 'compute.disks.create', 'compute.instances.setMetadata', 'compute.instances.setServiceAccount', 'compute.subnetworks.use', 'compute.subnetworks.useExternalIp'],
  'roles/cloudscheduler.admin': ['cloudscheduler.jobs.create'],
  'roles/composer.admin': ['composer.environments.create'],
  'roles/composer.editor': ['composer.environments.create'],
  'roles/composer.environmentAndStorageObjectAdmin': ['composer.environments.create'],
  'roles/composer.worker': ['cloudbuild.builds.create'],
  'roles/compute.admin': ['compute.instances.create', 'compute.disks.create', 'compute.instances.setMetadata', 'compute.instances.setServiceAccount', 'compute.subnetworks.use', 'compute.subnetworks.useExternalIp'],
  'roles/compute.editor': ['compute.instances.create', 'compute.disks.create', 'compute.instances.setMetadata', 'compute.instances.setServiceAccount', 'compute.subnetworks.use', 'compute.subnetworks.useExternalIp'],
  'roles/compute.instanceAdmin': ['compute.instances.create', 'compute.disks.create', 'compute.instances.setMetadata', 'compute.instances.setServiceAccount', 'compute.subnetworks.use', 'compute.subnetworks.useExternalIp'],
  'roles/compute.instanceAdmin.v1': ['compute.instances.create', 'compute.disks.create', 'compute.instances.setMetadata', 'compute.instances.setServiceAccount', 'compute.subnetworks.use', 'compute.subnetworks.useExternalIp'],
  'roles/dataflow.admin': ['cloudbuild.builds.create', 'dataflow.jobs.create'],
  'roles/dataflow.developer': ['cloudbuild.builds.create', 'dataflow.jobs.create'],
  'roles/dataproc.admin': ['dataproc.clusters.create'],
  'roles/dataproc.editor': ['dataproc.clusters.create'],
  'roles/dataproc.hubAgent': ['iam.serviceAccounts.actAs', 'compute.instances.setMetadata', 'dataproc.clusters.create'],
  'roles/deploymentmanager.admin': ['deploymentmanager.deployments.create'],
  'roles/deploymentmanager.editor': ['deploymentmanager.deployments.create'],
  'roles/earthengine.appsPublisher': ['iam.serviceAccounts.setIamPolicy'],
  'roles/editor': ['iam.serviceAccountKeys.create', 'iam.serviceAccounts.actAs', 'compute.instances.create', 'compute.disks.create', 'compute.instances.setMetadata', 'compute.instances.setServiceAccount', 'compute.subnetworks.use', 'compute.subnetworks.useExternalIp', 'cloudfunctions.functions.create', 'cloudfunctions.functions.update', 'cloudfunctions.functions.sourceCodeSet', 'cloudfunctions.functions.call', 'run.services.create', 'run.services.update', 'cloudbuild.builds.create', 'dataflow.jobs.create', 'dataproc.clusters.create', 'composer.environments.create', 'deploymentmanager.deployments.create', 'cloudscheduler.jobs.create'],
  'roles/firebase.admin': ['cloudfunctions.functions.create', 'cloudfunctions.functions.update', 'cloudfunctions.functions.sourceCodeSet', 'cloudfunctions.functions.call', 'cloudfunctions.functions.setIamPolicy', 'run.services.create', 'run.services.update'],
  'roles/firebase.developAdmin': ['cloudfunctions.functions.create', 'cloudfunctions.functions.update', 'cloudfunctions.functions.sourceCodeSet', 'cloudfunctions.functions.call', 'cloudfunctions.functions.setIamPolicy', 'run.services.create', 'run.services.update'],
  'roles/iam.admin': ['iam.serviceAccountKeys.create', 'iam.serviceAccounts.actAs', 'iam.serviceAccounts.setIamPolicy', 'iam.roles.update'],
  'roles/iam.dataScientist': ['iam.serviceAccounts.actAs', 'cloudfunctions.functions.create', 'cloudfunctions.functions.update', 'cloudfunctions.functions.sourceCodeSet', 'cloudfunctions.functions.call', 'run.services.create', 'run.services.update'],
  'roles/iam.databasesAdmin': ['iam.serviceAccounts.actAs'],
  'roles/iam.devOps': ['iam.serviceAccounts.actAs', 'iam.serviceAccounts.setIamPolicy', 'cloudfunctions.functions.create', 'cloudfunctions.functions.update', 'cloudfunctions.functions.sourceCodeSet', 'cloudfunctions.functions.call', 'run.services.create', 'run.services.update', 'cloudbuild.builds.create'],
  'roles/iam.editor': ['iam.serviceAccountKeys.create', 'iam.serviceAccounts.actAs'],
  'roles/iam.infrastructureAdmin': ['compute.instances.create', 'compute.disks.create', 'compute.instances.setMetadata', 'compute.instances.setServiceAccount', 'compute.subnetworks.use', 'compute.subnetworks.useExternalIp'],
  'roles/iam.mlEngineer': ['run.services.create', 'run.services.update', 'dataproc.clusters.create'],
  'roles/iam.networkAdmin': ['compute.instances.create', 'compute.disks.create', 'compute.instances.setMetadata', 'compute.instances.setServiceAccount', 'compute.subnetworks.use', 'compute.subnetworks.useExternalIp'],
  'roles/iam.organizationRoleAdmin': ['iam.roles.update'],
  'roles/iam.roleAdmin': ['iam.roles.update'],
  'roles/iam.securityAdmin': ['iam.serviceAccounts.setIamPolicy', 'resourcemanager.projects.setIamPolicy', 'resourcemanager.folders.setIamPolicy', 'resourcemanager.organizations.setIamPolicy', 'cloudfunctions.functions.setIamPolicy'],
  'roles/iam.serviceAccountAdmin': ['iam.serviceAccounts.setIamPolicy'],
  'roles/iam.serviceAccountKeyAdmin': ['iam.serviceAccountKeys.create'],
  'roles/iam.serviceAccountTokenCreator': ['iam.serviceAccounts.getAccessToken', 'iam.serviceAccounts.signBlob', 'iam.serviceAccounts.signJwt', 'iam.serviceAccounts.implicitDelegation'],
  'roles/iam.serviceAccountUser': ['iam.serviceAccounts.actAs'],
  'roles/iam.siteReliabilityEngineer': ['compute.instances.create', 'compute.disks.create', 'compute.instances.setMetadata', 'compute.instances.setServiceAccount', 'compute.subnetworks.use', 'compute.subnetworks.useExternalIp'],
  'roles/iam.workloadIdentityUser': ['iam.serviceAccounts.getAccessToken'],
  'roles/metastore.migrationAdmin': ['compute.instances.create', 'compute.disks.create', 'compute.instances.setMetadata', 'compute.subnetworks.use'],
  'roles/notebooks.legacyAdmin': ['compute.instances.create', 'compute.disks.create', 'compute.instances.setMetadata', 'compute.instances.setServiceAccount', 'compute.subnetworks.use', 'compute.subnetworks.useExternalIp'],
  'roles/owner': ['iam.serviceAccountKeys.create', 'iam.serviceAccounts.actAs', 'iam.serviceAccounts.setIamPolicy', 'resourcemanager.projects.setIamPolicy', 'iam.roles.update', 'compute.instances.create', 'compute.disks.create', 'compute.instances.setMetadata', 'compute.instances.setServiceAccount', 'compute.subnetworks.use', 'compute.subnetworks.useExternalIp', 'cloudfunctions.functions.create', 'cloudfunctions.functions.update', 'cloudfunctions.functions.sourceCodeSet', 'cloudfunctions.functions.call', 'cloudfunctions.functions.setIamPolicy', 'run.services.create', 'run.services.update', 'cloudbuild.builds.create', 'dataflow.jobs.create', 'dataproc.clusters.create', 'composer.environments.create', 'deploymentmanager.deployments.create', 'cloudscheduler.jobs.create'],
  'roles/resourcemanager.folderAdmin': ['resourcemanager.projects.setIamPolicy', 'resourcemanager.folders.setIamPolicy'],
  'roles/resourcemanager.folderIamAdmin': ['resourcemanager.folders.setIamPolicy'],
  'roles/resourcemanager.organizationAdmin': ['resourcemanager.projects.setIamPolicy', 'resourcemanager.folders.setIamPolicy', 'resourcemanager.organizations.setIamPolicy'],
  'roles/resourcemanager.projectIamAdmin': ['resourcemanager.projects.setIamPolicy'],
  'roles/run.admin': ['run.services.create', 'run.services.update'],
  'roles/run.developer': ['run.services.create', 'run.services.update'],
  'roles/run.editor': ['run.services.create', 'run.services.update'],
  'roles/run.sourceDeveloper': ['run.services.create', 'run.services.update', 'cloudbuild.builds.create'],
  'roles/securitycenter.admin': ['iam.serviceAccountKeys.create'],
};
