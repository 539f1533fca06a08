/**
 * Which public catalogue entries the built-in methods cover, as data: docs/escalation-methods.md renders these tables
 * and test/paths/methods.test.ts checks them against the methods both ways (references, and the catalogues' own
 * permission lists against the methods' requirements), so the docs, the data and the references cannot drift apart.
 *
 * Snapshots read: BishopFox/iam-vulnerable at 0f298666 (2025-09-11), DataDog/pathfinding.cloud at 84dd65c9
 * (2025-12-17; 65 path definitions under data/paths), RhinoSecurityLabs/GCP-IAM-Privilege-Escalation (README method
 * list and PrivEscScanner).
 */

export type Catalogue = 'iam-vulnerable' | 'pathfinding.cloud' | 'rhino-gcp';

export interface CoverageEntry {
  catalogue: Catalogue;
  /** the catalogue's id: iam-vulnerable profile (`privesc4`, `privesc-ssmSendCommand`, `fp1`), pathfinding id, Rhino permission */
  id: string;
  /** the catalogue's own name for it */
  name: string;
  /**
   * `escalation`: a way to escalate; `hard-case`: iam-vulnerable's tool-testing cases that DO escalate in a way tools
   * tend to miss; `decoy`: its tool-testing cases that look like escalation but are not (the evaluator must refuse
   * them).
   */
  kind: 'escalation' | 'hard-case' | 'decoy';
  /**
   * The permissions the catalogue gives its starting principal for this case (facts, spelled as the catalogue spells
   * them): iam-vulnerable, the actions of the profile's policy; pathfinding.cloud, the path's required permissions;
   * Rhino, its scanner's permission list. Escalation entries only; empty for a case that rests on trust alone.
   */
  grants?: string[];
  /**
   * escalation: the methods that cover it (each lists `<catalogue>:<id>` in its references); hard case: the methods
   * that should find it; decoy: the methods it imitates
   */
  methods: string[];
  /** why it is not covered (then `methods` is empty) */
  notCovered?: string;
  /** where a method needs more than the catalogue's `grants`, and why (the grants alone then do not satisfy it) */
  deviation?: string;
  /** how the coverage differs from the catalogue's description, or what the engine must get right */
  note?: string;
}

function entry(catalogue: Catalogue, id: string, name: string, grants: string[], methods: string[], note?: string): CoverageEntry {
  const e: CoverageEntry = { catalogue, id, name, kind: 'escalation', grants, methods };
  if (note) e.note = note;
  return e;
}

/** an iam-vulnerable privilege-escalation profile */
function iv(id: string, name: string, grants: string[], methods: string[], note?: string): CoverageEntry {
  return entry('iam-vulnerable', id, name, grants, methods, note);
}

/** a pathfinding.cloud path; its name is its permission list */
function pf(id: string, grants: string[], methods: string[], note?: string): CoverageEntry {
  return entry('pathfinding.cloud', id, grants.join(' + '), grants, methods, note);
}

/** a Rhino Security Labs GCP method, named by its key permission */
function rh(id: string, grants: string[], methods: string[], note?: string): CoverageEntry {
  return entry('rhino-gcp', id, id, grants, methods, note);
}

function uncovered(id: string, grants: string[], why: string): CoverageEntry {
  return { catalogue: 'rhino-gcp', id, name: id, kind: 'escalation', grants, methods: [], notCovered: why };
}

/** an iam-vulnerable tool-testing case: decided by the evaluator, not by a method of its own */
function tool(id: string, name: string, kind: 'hard-case' | 'decoy', methods: string[], note: string): CoverageEntry {
  return { catalogue: 'iam-vulnerable', id, name, kind, methods, note };
}

export const COVERAGE: readonly CoverageEntry[] = [
  // ------------------------------------------------------------------ BishopFox iam-vulnerable: privilege-escalation profiles
  iv('privesc1', 'IAM-CreateNewPolicyVersion', ['iam:CreatePolicyVersion'], ['aws-iam-create-policy-version']),
  iv('privesc2', 'IAM-SetExistingDefaultPolicyVersion', ['iam:SetDefaultPolicyVersion'], ['aws-iam-set-default-policy-version'], 'low confidence: the scan reads only default policy versions, so it cannot see whether an older version grants more'),
  iv('privesc3', 'EC2-CreateInstanceWithExistingProfile', ['iam:PassRole', 'ec2:DescribeInstances', 'ec2:RunInstances', 'ec2:CreateKeyPair', 'ec2:AssociateIamInstanceProfile'], ['aws-passrole-ec2']),
  iv('privesc4', 'IAM-CreateAccessKey', ['iam:CreateAccessKey'], ['aws-iam-create-access-key']),
  iv('privesc5', 'IAM-CreateLoginProfile', ['iam:CreateLoginProfile'], ['aws-iam-create-login-profile']),
  iv('privesc6', 'IAM-UpdateLoginProfile', ['iam:UpdateLoginProfile'], ['aws-iam-update-login-profile']),
  iv('privesc7', 'IAM-AttachUserPolicy', ['iam:AttachUserPolicy'], ['aws-iam-attach-user-policy-self']),
  iv('privesc8', 'IAM-AttachGroupPolicy', ['iam:AttachGroupPolicy'], ['aws-iam-attach-group-policy']),
  iv('privesc9', 'IAM-AttachRolePolicy', ['iam:AttachRolePolicy'], ['aws-iam-attach-role-policy-self']),
  iv('privesc10', 'IAM-PutUserPolicy', ['iam:PutUserPolicy'], ['aws-iam-put-user-policy-self']),
  iv('privesc11', 'IAM-PutGroupPolicy', ['iam:PutGroupPolicy'], ['aws-iam-put-group-policy']),
  iv('privesc12', 'IAM-PutRolePolicy', ['iam:PutRolePolicy'], ['aws-iam-put-role-policy-self']),
  iv('privesc13', 'IAM-AddUserToGroup', ['iam:AddUserToGroup'], ['aws-iam-add-user-to-group']),
  iv('privesc14', 'IAM-UpdatingAssumeRolePolicy', ['iam:UpdateAssumeRolePolicy', 'sts:AssumeRole'], ['aws-iam-update-assume-role-policy'], 'the profile also grants sts:AssumeRole; same-account trust that names the caller does not need it'),
  iv('privesc15', 'Lambda-PassExistingRoleToNewLambdaThenInvoke', ['iam:PassRole', 'lambda:CreateFunction', 'lambda:InvokeFunction'], ['aws-passrole-lambda-invoke']),
  iv('privesc16', 'Lambda-PassRoleToNewLambdaThenTrigger', ['lambda:CreateFunction', 'iam:PassRole', 'lambda:CreateEventSourceMapping'], ['aws-passrole-lambda-event-source'], 'medium confidence: needs an event source that delivers records'),
  iv('privesc17', 'Lambda-EditExistingLambdaFunctionWithRole', ['lambda:UpdateFunctionCode', 'lambda:UpdateFunctionConfiguration'], ['aws-lambda-update-function-code'], 'low confidence: needs an existing function running as the role (the scan does not read functions)'),
  iv('privesc18', 'Glue-PassExistingRoleToNewGlueDevEndpoint', ['glue:CreateDevEndpoint', 'glue:GetDevEndpoint', 'iam:PassRole'], ['aws-passrole-glue-dev-endpoint']),
  iv('privesc19', 'Glue-UpdateExistingGlueDevEndpoint', ['glue:UpdateDevEndpoint', 'glue:GetDevEndpoint'], ['aws-glue-update-dev-endpoint'], 'low confidence: needs an existing development endpoint'),
  iv('privesc20', 'CloudFormation-PassExistingRoleToCloudFormation', ['iam:PassRole', 'cloudformation:CreateStack', 'cloudformation:DescribeStacks'], ['aws-passrole-cloudformation']),
  iv('privesc21', 'DataPipeline-PassExistingRoleToNewDataPipeline', ['iam:PassRole', 'datapipeline:CreatePipeline', 'datapipeline:PutPipelineDefinition', 'datapipeline:ActivatePipeline'], ['aws-passrole-datapipeline'], 'the code runs as the resource role (EC2, instance profile) with a pipeline role trusting datapipeline.amazonaws.com passed alongside; the profile’s service role trusts both'),
  iv('privesc-AssumeRole', 'STS-AssumeRole', [], ['aws-assume-role'], 'a chain of three roles, each trusting the previous one by ARN: each hop is one aws-assume-role edge'),
  iv('privesc-cloudFormationUpdateStack', 'CloudFormation-UpdateStack', ['cloudformation:UpdateStack', 'cloudformation:DescribeStacks'], ['aws-cloudformation-update-stack'], 'low confidence: needs an existing stack with a service role'),
  iv('privesc-codeBuildCreateProjectPassRole', 'CodeBuild-CreateProjectPassRole', ['codebuild:CreateProject', 'codebuild:StartBuild', 'codebuild:StartBuildBatch', 'iam:PassRole', 'iam:ListRoles'], ['aws-passrole-codebuild']),
  iv('privesc-ec2InstanceConnect', 'EC2InstanceConnect-SendSSHPublicKey', ['ec2:DescribeInstances', 'ec2-instance-connect:SendSSHPublicKey', 'ec2-instance-connect:SendSerialConsoleSSHPublicKey'], ['aws-ec2-instance-connect'], 'low confidence: needs a running instance with the role, reachable over SSH'),
  iv('privesc-sageMakerCreateNotebookPassRole', 'SageMaker-CreateNotebookPassRole', ['sagemaker:CreateNotebookInstance', 'sagemaker:CreatePresignedNotebookInstanceUrl', 'sagemaker:ListNotebookInstances', 'sagemaker:DescribeNotebookInstance', 'sagemaker:StopNotebookInstance', 'sagemaker:DeleteNotebookInstance', 'iam:PassRole', 'iam:ListRoles'], ['aws-passrole-sagemaker-notebook']),
  iv('privesc-sageMakerCreatePresignedNotebookURL', 'SageMakerCreatePresignedNotebookURL', ['sagemaker:CreatePresignedNotebookInstanceUrl', 'sagemaker:ListNotebookInstances'], ['aws-sagemaker-presigned-notebook-url'], 'low confidence: needs an existing notebook instance'),
  iv('privesc-sageMakerCreateProcessingJob', 'SageMaker-CreateProcessingJobPassRole', ['sagemaker:CreateProcessingJob', 'iam:PassRole'], ['aws-passrole-sagemaker-processing-job']),
  iv('privesc-sageMakerCreateTrainingJob', 'SageMaker-CreateTrainingJobPassRole', ['sagemaker:CreateTrainingJob', 'iam:PassRole'], ['aws-passrole-sagemaker-training-job']),
  iv('privesc-ssmSendCommand', 'SSM-SendCommand', ['ec2:DescribeInstances', 'ssm:listCommands', 'ssm:listCommandInvocations', 'ssm:sendCommand'], ['aws-ssm-send-command'], 'low confidence: needs a running, SSM-managed instance with the role'),
  iv('privesc-ssmStartSession', 'SSM-StartSession', ['ec2:DescribeInstances', 'ssm:StartSession', 'ssm:DescribeSessions', 'ssm:GetConnectionStatus', 'ssm:DescribeInstanceProperties', 'ssm:TerminateSession', 'ssm:ResumeSession'], ['aws-ssm-start-session'], 'low confidence: needs a running, SSM-managed instance with the role'),

  // ------------------------------------------------------------------ iam-vulnerable tool-testing cases (decided by the evaluator, not by new methods)
  tool('fn1', 'fn1-privesc3-multiple-policies', 'hard-case', ['aws-passrole-ec2'], 'ec2:RunInstances and iam:PassRole come from two different policies: requirements are decided across all of the principal’s policies'),
  tool('fn2', 'fn2-ExploitableResourceConstraint', 'hard-case', ['aws-iam-create-policy-version'], 'CreatePolicyVersion is limited to policy/fn2-*, which matches the policy attached to the principal itself'),
  tool('fn3', 'fn3-ExploitableConditionConstraint', 'hard-case', ['aws-iam-create-policy-version'], 'aws:TokenIssueTime after 2020-01-01 holds as of the scan: the condition is decided true'),
  tool('fn4', 'fn4-ExploitableNotAction', 'hard-case', ['aws-iam-put-user-policy-self', 'aws-iam-put-role-policy-self', 'aws-ssm-send-command', 'aws-ec2-instance-connect'], 'NotAction iam:Update*/Create*/Attach* still allows iam:Put*Policy, iam:PassRole, SSM and Instance Connect'),
  tool('fp1', 'fp1-allow-and-deny-same-policy', 'decoy', ['aws-iam-put-user-policy-self'], 'iam:* is allowed and denied in the same policy: the Deny wins'),
  tool('fp2', 'fp2-allow-and-deny-multiple-policies', 'decoy', ['aws-iam-put-user-policy-self'], '* is allowed by one policy and denied by another: the Deny wins across policies'),
  tool('fp3', 'fp3-deny', 'decoy', ['aws-iam-put-user-policy-self'], 'a Deny of iam:* alone grants nothing'),
  tool('fp4', 'fp4-NonExploitableResourceConstraint', 'decoy', ['aws-iam-create-policy-version'], 'CreatePolicyVersion only on arn:aws:iam::aws:policy/fp4-* (the AWS-managed path): no customer-managed policy of the principal matches'),
  tool('fp5', 'fp5-NonExploitableConditionConstraint', 'decoy', ['aws-iam-create-policy-version'], 'aws:TokenIssueTime before 2020-01-01 never holds as of the scan: the condition is decided false'),
  tool('privesc-permissive-role-trust', 'privesc-permissive-role-trust', 'decoy', ['aws-assume-role'], 'a role that trusts the account root: assumable by every principal whose own policy allows sts:AssumeRole on it, but it holds no permissions, so reaching it is not escalation'),

  // ------------------------------------------------------------------ DataDog pathfinding.cloud (65 paths)
  pf('apprunner-001', ['iam:PassRole', 'apprunner:CreateService'], ['aws-passrole-apprunner']),
  pf('apprunner-002', ['apprunner:UpdateService'], ['aws-apprunner-update-service']),
  pf('bedrock-001', ['iam:PassRole', 'bedrock-agentcore:CreateCodeInterpreter', 'bedrock-agentcore:StartCodeInterpreterSession', 'bedrock-agentcore:InvokeCodeInterpreter'], ['aws-passrole-bedrock-code-interpreter']),
  pf('bedrock-002', ['bedrock-agentcore:StartCodeInterpreterSession', 'bedrock-agentcore:InvokeCodeInterpreter'], ['aws-bedrock-code-interpreter-existing']),
  pf('cloudformation-001', ['iam:PassRole', 'cloudformation:CreateStack'], ['aws-passrole-cloudformation']),
  pf('cloudformation-002', ['cloudformation:UpdateStack'], ['aws-cloudformation-update-stack']),
  pf('cloudformation-003', ['iam:PassRole', 'cloudformation:CreateStackSet', 'cloudformation:CreateStackInstances'], ['aws-passrole-cloudformation-stackset'], 'the edge goes to the administration role; the execution role it assumes is the next hop (an aws-assume-role edge)'),
  pf('cloudformation-004', ['iam:PassRole', 'cloudformation:UpdateStackSet'], ['aws-passrole-cloudformation-update-stackset']),
  pf('cloudformation-005', ['cloudformation:CreateChangeSet', 'cloudformation:ExecuteChangeSet'], ['aws-cloudformation-update-stack'], 'the change-set alternative of updating an existing stack'),
  pf('codebuild-001', ['iam:PassRole', 'codebuild:CreateProject', 'codebuild:StartBuild'], ['aws-passrole-codebuild']),
  pf('codebuild-002', ['codebuild:StartBuild'], ['aws-codebuild-start-build-existing']),
  pf('codebuild-003', ['codebuild:StartBuildBatch'], ['aws-codebuild-start-build-existing']),
  pf('codebuild-004', ['iam:PassRole', 'codebuild:CreateProject', 'codebuild:StartBuildBatch'], ['aws-passrole-codebuild']),
  pf('datapipeline-001', ['iam:PassRole', 'datapipeline:CreatePipeline', 'datapipeline:PutPipelineDefinition', 'datapipeline:ActivatePipeline'], ['aws-passrole-datapipeline'], 'pathfinding.cloud names the role trusting datapipeline.amazonaws.com as the one gained; here the gained role is the EC2 resource role the activity runs as, and the datapipeline role is a companion that must be passable'),
  pf('ec2-001', ['iam:PassRole', 'ec2:RunInstances'], ['aws-passrole-ec2']),
  pf('ec2-002', ['ec2:ModifyInstanceAttribute', 'ec2:StopInstances', 'ec2:StartInstances'], ['aws-ec2-modify-user-data']),
  pf('ec2-003', ['iam:PassRole', 'ec2:RequestSpotInstances'], ['aws-passrole-ec2-spot']),
  pf('ec2-004', ['ec2:CreateLaunchTemplateVersion', 'ec2:ModifyLaunchTemplate'], ['aws-ec2-launch-template-version']),
  pf('ec2instanceconnect-003', ['ec2-instance-connect:SendSSHPublicKey', 'ec2:DescribeInstances'], ['aws-ec2-instance-connect']),
  pf('ecs-001', ['iam:PassRole', 'ecs:CreateCluster', 'ecs:RegisterTaskDefinition', 'ecs:CreateService'], ['aws-passrole-ecs-new-cluster']),
  pf('ecs-002', ['iam:PassRole', 'ecs:CreateCluster', 'ecs:RegisterTaskDefinition', 'ecs:RunTask'], ['aws-passrole-ecs-new-cluster']),
  pf('ecs-003', ['iam:PassRole', 'ecs:RegisterTaskDefinition', 'ecs:CreateService'], ['aws-passrole-ecs-existing-cluster']),
  pf('ecs-004', ['iam:PassRole', 'ecs:RegisterTaskDefinition', 'ecs:RunTask'], ['aws-passrole-ecs-existing-cluster']),
  pf('ecs-005', ['iam:PassRole', 'ecs:RegisterTaskDefinition', 'ecs:StartTask'], ['aws-passrole-ecs-start-task']),
  pf('glue-001', ['iam:PassRole', 'glue:CreateDevEndpoint'], ['aws-passrole-glue-dev-endpoint']),
  pf('glue-002', ['glue:UpdateDevEndpoint'], ['aws-glue-update-dev-endpoint']),
  pf('glue-003', ['iam:PassRole', 'glue:CreateJob', 'glue:StartJobRun'], ['aws-passrole-glue-job']),
  pf('glue-004', ['iam:PassRole', 'glue:CreateJob', 'glue:CreateTrigger'], ['aws-passrole-glue-job']),
  pf('glue-005', ['iam:PassRole', 'glue:UpdateJob', 'glue:StartJobRun'], ['aws-passrole-glue-update-job']),
  pf('glue-006', ['iam:PassRole', 'glue:UpdateJob', 'glue:CreateTrigger'], ['aws-passrole-glue-update-job']),
  pf('iam-001', ['iam:CreatePolicyVersion'], ['aws-iam-create-policy-version']),
  pf('iam-002', ['iam:CreateAccessKey'], ['aws-iam-create-access-key']),
  pf('iam-003', ['iam:CreateAccessKey', 'iam:DeleteAccessKey'], ['aws-iam-delete-and-create-access-key']),
  pf('iam-004', ['iam:CreateLoginProfile'], ['aws-iam-create-login-profile']),
  pf('iam-005', ['iam:PutRolePolicy'], ['aws-iam-put-role-policy-self']),
  pf('iam-006', ['iam:UpdateLoginProfile'], ['aws-iam-update-login-profile']),
  pf('iam-007', ['iam:PutUserPolicy'], ['aws-iam-put-user-policy-self']),
  pf('iam-008', ['iam:AttachUserPolicy'], ['aws-iam-attach-user-policy-self']),
  pf('iam-009', ['iam:AttachRolePolicy'], ['aws-iam-attach-role-policy-self']),
  pf('iam-010', ['iam:AttachGroupPolicy'], ['aws-iam-attach-group-policy']),
  pf('iam-011', ['iam:PutGroupPolicy'], ['aws-iam-put-group-policy']),
  pf('iam-012', ['iam:UpdateAssumeRolePolicy'], ['aws-iam-update-assume-role-policy']),
  pf('iam-013', ['iam:AddUserToGroup'], ['aws-iam-add-user-to-group']),
  pf('iam-014', ['iam:AttachRolePolicy', 'sts:AssumeRole'], ['aws-iam-attach-role-policy-assume']),
  pf('iam-015', ['iam:AttachUserPolicy', 'iam:CreateAccessKey'], ['aws-iam-attach-user-policy-create-key']),
  pf('iam-016', ['iam:CreatePolicyVersion', 'sts:AssumeRole'], ['aws-iam-create-policy-version-assume']),
  pf('iam-017', ['iam:PutRolePolicy', 'sts:AssumeRole'], ['aws-iam-put-role-policy-assume']),
  pf('iam-018', ['iam:PutUserPolicy', 'iam:CreateAccessKey'], ['aws-iam-put-user-policy-create-key']),
  pf('iam-019', ['iam:AttachRolePolicy', 'iam:UpdateAssumeRolePolicy'], ['aws-iam-attach-role-policy-update-trust']),
  pf('iam-020', ['iam:CreatePolicyVersion', 'iam:UpdateAssumeRolePolicy'], ['aws-iam-create-policy-version-update-trust']),
  pf('iam-021', ['iam:PutRolePolicy', 'iam:UpdateAssumeRolePolicy'], ['aws-iam-put-role-policy-update-trust']),
  pf('lambda-001', ['iam:PassRole', 'lambda:CreateFunction', 'lambda:InvokeFunction'], ['aws-passrole-lambda-invoke']),
  pf('lambda-002', ['iam:PassRole', 'lambda:CreateFunction', 'lambda:CreateEventSourceMapping'], ['aws-passrole-lambda-event-source']),
  pf('lambda-003', ['lambda:UpdateFunctionCode'], ['aws-lambda-update-function-code']),
  pf('lambda-004', ['lambda:UpdateFunctionCode', 'lambda:InvokeFunction'], ['aws-lambda-update-function-code-invoke']),
  pf('lambda-005', ['lambda:UpdateFunctionCode', 'lambda:AddPermission'], ['aws-lambda-update-function-code-invoke']),
  pf('lambda-006', ['iam:PassRole', 'lambda:CreateFunction', 'lambda:AddPermission'], ['aws-passrole-lambda-invoke']),
  { ...pf('sagemaker-001', ['iam:PassRole', 'sagemaker:CreateNotebookInstance'], ['aws-passrole-sagemaker-notebook']), deviation: 'the method also needs a way into the new notebook (sagemaker:CreatePresignedNotebookInstanceUrl, or a lifecycle configuration of the caller’s): creating the notebook alone runs no code of the caller’s' },
  pf('sagemaker-002', ['iam:PassRole', 'sagemaker:CreateTrainingJob'], ['aws-passrole-sagemaker-training-job']),
  pf('sagemaker-003', ['iam:PassRole', 'sagemaker:CreateProcessingJob'], ['aws-passrole-sagemaker-processing-job']),
  pf('sagemaker-004', ['sagemaker:CreatePresignedNotebookInstanceUrl'], ['aws-sagemaker-presigned-notebook-url']),
  pf('sagemaker-005', ['sagemaker:CreateNotebookInstanceLifecycleConfig', 'sagemaker:StopNotebookInstance', 'sagemaker:UpdateNotebookInstance', 'sagemaker:StartNotebookInstance'], ['aws-sagemaker-notebook-lifecycle-config']),
  pf('ssm-001', ['ssm:StartSession'], ['aws-ssm-start-session']),
  pf('ssm-002', ['ssm:SendCommand'], ['aws-ssm-send-command']),
  pf('sts-001', ['sts:AssumeRole'], ['aws-assume-role']),

  // ------------------------------------------------------------------ Rhino Security Labs' GCP methods (README list and scanner)
  rh('cloudbuild.builds.create', ['cloudbuild.builds.create'], ['gcp-cloudbuild-default-account'], 'a build that names its service account is gcp-actas-cloudbuild (it needs actAs on that account)'),
  rh('deploymentmanager.deployments.create', ['deploymentmanager.deployments.create'], ['gcp-deploymentmanager-create']),
  rh('iam.roles.update', ['iam.roles.update'], ['gcp-custom-role-update']),
  rh('iam.serviceAccounts.getAccessToken', ['iam.serviceAccounts.getAccessToken'], ['gcp-sa-get-access-token']),
  rh('iam.serviceAccountKeys.create', ['iam.serviceAccountKeys.create'], ['gcp-sa-key-create']),
  rh('iam.serviceAccounts.implicitDelegation', ['iam.serviceAccounts.implicitDelegation'], ['gcp-sa-implicit-delegation'], 'the intermediate account must itself hold a token-minting permission on the target'),
  rh('iam.serviceAccounts.signBlob', ['iam.serviceAccounts.signBlob'], ['gcp-sa-sign-blob']),
  rh('iam.serviceAccounts.signJwt', ['iam.serviceAccounts.signJwt'], ['gcp-sa-sign-jwt']),
  rh('cloudfunctions.functions.create', ['cloudfunctions.functions.create', 'cloudfunctions.functions.sourceCodeSet', 'iam.serviceAccounts.actAs', 'cloudfunctions.functions.call'], ['gcp-actas-cloudfunctions-create']),
  rh('cloudfunctions.functions.update', ['cloudfunctions.functions.sourceCodeSet', 'cloudfunctions.functions.update', 'iam.serviceAccounts.actAs'], ['gcp-actas-cloudfunctions-update']),
  rh('compute.instances.create', ['compute.disks.create', 'compute.instances.create', 'compute.instances.setMetadata', 'compute.instances.setServiceAccount', 'compute.subnetworks.use', 'compute.subnetworks.useExternalIp', 'iam.serviceAccounts.actAs'], ['gcp-actas-compute-instance']),
  rh('run.services.create', ['run.services.create', 'iam.serviceaccounts.actAs', 'run.routes.invoke'], ['gcp-actas-cloud-run-create']),
  rh('cloudscheduler.jobs.create', ['cloudscheduler.jobs.create', 'cloudscheduler.locations.list', 'iam.serviceAccounts.actAs'], ['gcp-actas-cloud-scheduler']),
  rh('resourcemanager.projects.setIamPolicy', ['resourcemanager.projects.setIamPolicy'], ['gcp-set-iam-policy-project']),
  rh('resourcemanager.folders.setIamPolicy', ['resourcemanager.folders.setIamPolicy'], ['gcp-set-iam-policy-folder']),
  rh('resourcemanager.organizations.setIamPolicy', ['resourcemanager.organizations.setIamPolicy'], ['gcp-set-iam-policy-organization']),
  rh('iam.serviceAccounts.setIamPolicy', ['iam.serviceAccounts.setIamPolicy'], ['gcp-sa-set-iam-policy']),
  uncovered('orgpolicy.policy.set', ['orgpolicy.policy.set'], 'changes organization policy constraints (for instance re-allowing key creation), not any identity’s permissions: it unlocks other methods rather than escalating by itself, and the scan does not read organization policies'),
  uncovered('storage.hmacKeys.create', ['storage.hmacKeys.create'], 'an HMAC key acts as the service account for Cloud Storage only (the XML API), not as the account in general; not modelled as becoming it'),
  uncovered('serviceusage.apiKeys.create', ['serviceusage.apiKeys.create'], 'an API key identifies a project to APIs that accept keys; it carries no identity’s IAM permissions'),
  uncovered('serviceusage.apiKeys.list', ['serviceusage.apiKeys.list'], 'reading existing API keys: as above, no identity is gained'),
];
