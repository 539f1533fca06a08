/**
 * What each connector takes on the `nhi scan` command line, declared by the connector: its flags (commander spec,
 * help, the ScanFlags key they set), which of them select the connector when `--connector` is not given, and how the
 * flags become the connector's options and report target. The scan command, `--help`, the README flag check and
 * `nhi connectors` are driven from these declarations; adding a connector adds an entry here, not code in scan.ts.
 * Cheap to import: no SDK is loaded.
 */
import { statSync } from 'node:fs';
import path from 'node:path';
import { NhiError } from '../src/util/errors.js';
import { hasUserinfo, redactUrl } from '../src/util/url.js';

/** The parsed `nhi scan` flags, by commander attribute name. */
export type FlagValues = Record<string, unknown>;

export interface ConnectorFlag {
  /** commander spec: `--profile <name>`, `--no-last-accessed` */
  spec: string;
  help: string;
  /** the attribute commander sets (camelCase of the long name; `lastAccessed` for `--no-last-accessed`) */
  key: string;
  /**
   * Another connector reads this flag too (`--from-file`: an AWS export file or a folder of gcloud exports): with one
   * of them selected, the flag is not stray for this one.
   */
  sharedWith?: string[];
  /** giving the flag does not by itself select the connector or make it stray (a `--no-…` switch) */
  passive?: boolean;
}

export interface BuiltOptions {
  options: Record<string, unknown>;
  target?: string;
}

export interface ConnectorFlags {
  id: string;
  flags: ConnectorFlag[];
  /** without --connector: were this connector's flags given? */
  selectedBy(values: FlagValues): boolean;
  /** the connector's options and report target; throws NhiError (USAGE) on a bad combination */
  /** the options of one job, or of several (one per organisation of `--github-org a,b,c`) */
  build(values: FlagValues, ctx: { concurrency: number }): BuiltOptions | BuiltOptions[];
}

// ---- helpers the declarations share ---------------------------------------------------------------------------------

export function isDir(p: unknown): boolean {
  try {
    return typeof p === 'string' && statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

export const list = (v: unknown): string[] | undefined =>
  typeof v === 'string'
    ? v
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean)
    : undefined;

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

export function positiveInt(flag: string, value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new NhiError('USAGE', `${flag}: expected a positive whole number, got '${String(value)}'`);
  return n;
}

/**
 * A URL flag must not carry credentials (`https://oauth2:glpat-…@host`): they would end up in shell history, process
 * lists, reports and the store. Refuse it without echoing the secret part.
 */
export function checkUrlFlag(flag: string, value: string | undefined, tokenHint: string): void {
  if (value === undefined) return;
  if (hasUserinfo(value)) {
    throw new NhiError('USAGE', `${flag} ${redactUrl(value)}: the URL carries a user name or password; nhi never takes credentials on the command line`, {
      suggestion: tokenHint,
    });
  }
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    throw new NhiError('USAGE', `${flag}: '${redactUrl(value)}' is not a URL`, { suggestion: 'e.g. https://gitlab.example.com' });
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new NhiError('USAGE', `${flag}: only http and https URLs are supported, got ${u.protocol}`);
  if (u.search || u.hash) throw new NhiError('USAGE', `${flag} ${redactUrl(value)}: drop the query string; tokens go in the environment`, { suggestion: tokenHint });
}

/** Some of these keys were given. */
const anyOf = (values: FlagValues, keys: readonly string[]) => keys.some((k) => values[k] !== undefined);

// ---- the declarations, in the order their flags appear in `nhi scan --help` ------------------------------------------

const AWS_LIVE = ['profile', 'roleArn', 'externalId', 'region', 'awsEndpoint', 'awsMemberRole', 'awsAccountConcurrency'];

export const AWS_FLAGS: ConnectorFlags = {
  id: 'aws',
  flags: [
    { spec: '--profile <name>', key: 'profile', help: 'AWS: named profile from ~/.aws/config' },
    { spec: '--role-arn <arn>', key: 'roleArn', help: 'AWS: assume this (read-only audit) role first' },
    { spec: '--external-id <id>', key: 'externalId', help: 'AWS: external id for --role-arn (with --aws-organization: for the member role)' },
    { spec: '--region <region>', key: 'region', help: 'AWS: region for API calls (IAM is global)' },
    { spec: '--aws-endpoint <url>', key: 'awsEndpoint', help: 'AWS: IAM endpoint override (LocalStack, proxies; with --aws-organization also Organizations and STS)' },
    { spec: '--aws-organization', key: 'awsOrganization', help: 'AWS: scan every active account of the organisation (run from the management or a delegated administrator account); offline: --from-file DIR with organization.json' },
    { spec: '--aws-member-role <name>', key: 'awsMemberRole', help: 'AWS organisation: role assumed in each member account (default OrganizationAccountAccessRole)' },
    { spec: '--aws-account-concurrency <n>', key: 'awsAccountConcurrency', help: 'AWS organisation: accounts scanned at the same time (default 4)' },
    { spec: '--from-file <file>', key: 'fromFile', sharedWith: ['gcp', 'kubernetes', 'entra'], help: 'AWS offline: output of `aws iam get-account-authorization-details`; GCP offline: a folder of gcloud exports' },
    { spec: '--credential-report <file>', key: 'credentialReport', help: 'AWS offline: the IAM credential report CSV (decoded)' },
    { spec: '--last-accessed <file>', key: 'lastAccessed', passive: true, help: 'AWS offline: service last-accessed JSON (see docs/offline.md)' },
    { spec: '--no-last-accessed', key: 'lastAccessed', passive: true, help: 'AWS live: skip service last-accessed jobs (faster, no unused-service-grants)' },
  ],
  // a file given to --from-file is AWS's unless a kubernetes flag says it is a kubectl List; a folder is AWS's with --aws-organization
  selectedBy: (v) =>
    anyOf(v, [...AWS_LIVE, 'credentialReport', 'awsOrganization']) ||
    typeof v.lastAccessed === 'string' ||
    (v.fromFile !== undefined && !isDir(v.fromFile) && !anyOf(v, ['kubeCluster', ...KUBE_LIVE.map(([k]) => k)])),
  build(v, { concurrency }) {
    const fromFile = str(v.fromFile);
    const org = v.awsOrganization === true;
    if (isDir(fromFile)) {
      // an organisation export: organization.json and one folder of exports per account
      if (!org && !isFile(path.join(fromFile!, 'organization.json'))) {
        throw new NhiError('USAGE', `--from-file ${fromFile} is a folder: for AWS pass the get-account-authorization-details JSON file, or a folder with organization.json (an organisation export)`, { suggestion: 'see docs/connectors/aws.md, "Organisation"' });
      }
      if (v.credentialReport || typeof v.lastAccessed === 'string') throw new NhiError('USAGE', '--from-file DIR reads an organisation export: each account folder holds its own credential report and last-accessed file', { suggestion: 'drop --credential-report / --last-accessed' });
      if (anyOf(v, AWS_LIVE)) throw new NhiError('USAGE', '--from-file DIR scans an organisation offline: --profile, --role-arn, --external-id, --region, --aws-endpoint, --aws-member-role and --aws-account-concurrency do not apply');
      return { options: { fromDir: fromFile, organization: true }, target: path.basename(path.resolve(fromFile!)) };
    }
    const offline = Boolean(fromFile || v.credentialReport);
    const lastAccessedFile = str(v.lastAccessed);
    if (!offline && lastAccessedFile) throw new NhiError('USAGE', '--last-accessed FILE is for offline scans', { suggestion: 'add --from-file, or drop --last-accessed for a live scan' });
    if (offline && (v.profile || v.roleArn || v.awsEndpoint)) throw new NhiError('USAGE', '--from-file / --credential-report scan offline: --profile, --role-arn and --aws-endpoint do not apply');
    if (offline && org) throw new NhiError('USAGE', '--aws-organization offline reads a folder: --from-file DIR with organization.json and one folder per account', { suggestion: 'see docs/connectors/aws.md, "Organisation"' });
    if (!org && (v.awsMemberRole !== undefined || v.awsAccountConcurrency !== undefined)) throw new NhiError('USAGE', '--aws-member-role and --aws-account-concurrency need --aws-organization');
    if (v.externalId && !v.roleArn && !org) throw new NhiError('USAGE', '--external-id needs --role-arn (or --aws-organization, for the member role)');
    checkUrlFlag('--aws-endpoint', str(v.awsEndpoint), 'credentials come from the AWS credential chain (--profile, --role-arn, environment)');
    const memberRole = str(v.awsMemberRole);
    if (memberRole !== undefined && !/^[\w+=,.@-]{1,64}$/.test(memberRole)) throw new NhiError('USAGE', `--aws-member-role: expected a role name (letters, digits and +=,.@_-, at most 64), got '${memberRole.slice(0, 80)}'`, { suggestion: 'a name such as OrganizationAccountAccessRole, not an ARN' });
    const options: Record<string, unknown> = offline
      ? { fromFile, credentialReport: v.credentialReport, lastAccessed: lastAccessedFile }
      : {
          profile: v.profile,
          roleArn: v.roleArn,
          externalId: v.externalId,
          region: v.region,
          endpoint: v.awsEndpoint,
          serviceLastAccessed: v.lastAccessed !== false,
          lastAccessedConcurrency: concurrency,
          ...(org ? { organization: true, memberRole, accountConcurrency: positiveInt('--aws-account-concurrency', v.awsAccountConcurrency) } : {}),
        };
    const target = offline
      ? [fromFile, str(v.credentialReport), lastAccessedFile].filter((f): f is string => Boolean(f)).map((f) => path.basename(f)).join(', ')
      : `${org ? 'organisation, from ' : ''}${str(v.roleArn) ?? (v.profile ? `profile ${String(v.profile)}` : 'default credentials')}`;
    return { options, target };
  },
};

const GITHUB_KEYS = ['githubOrg', 'githubEnterprise', 'githubUrl', 'githubRepos', 'githubAppId', 'githubPrivateKey', 'githubInstallationId'];

export const GITHUB_FLAGS: ConnectorFlags = {
  id: 'github',
  flags: [
    { spec: '--github-org <org>', key: 'githubOrg', help: 'GitHub: organisation to scan (token from GITHUB_TOKEN or GH_TOKEN); several, comma-separated, go into one graph' },
    { spec: '--github-enterprise <slug>', key: 'githubEnterprise', help: 'GitHub: scan every organisation of this enterprise the token can see (listed through GraphQL; classic token with read:enterprise); with --github-org, the union' },
    { spec: '--github-url <url>', key: 'githubUrl', help: 'GitHub: API base URL (GitHub Enterprise Server: https://HOST/api/v3)' },
    { spec: '--github-repos <globs>', key: 'githubRepos', help: 'GitHub: only these repositories, comma-separated names or globs' },
    { spec: '--github-app-id <id>', key: 'githubAppId', help: 'GitHub: authenticate as this GitHub App (with --github-private-key)' },
    { spec: '--github-private-key <file>', key: 'githubPrivateKey', help: 'GitHub: the App private key (PEM)' },
    { spec: '--github-installation-id <id>', key: 'githubInstallationId', help: 'GitHub: App installation id (default: discovered from the org)' },
    { spec: '--no-github-workflows', key: 'githubWorkflows', passive: true, help: 'GitHub: do not fetch and analyse workflow files' },
  ],
  selectedBy: (v) => anyOf(v, GITHUB_KEYS),
  build(v) {
    if (!v.githubOrg && !v.githubEnterprise) throw new NhiError('USAGE', 'the github connector needs --github-org ORG or --github-enterprise SLUG');
    checkUrlFlag('--github-url', str(v.githubUrl), 'put the token in GITHUB_TOKEN (or GH_TOKEN), or use --github-app-id with --github-private-key');
    if (Boolean(v.githubAppId) !== Boolean(v.githubPrivateKey)) throw new NhiError('USAGE', '--github-app-id and --github-private-key go together');
    // several organisations: one job each, into one graph and one snapshot
    const orgs = [...new Set(list(v.githubOrg) ?? [])];
    if (v.githubOrg !== undefined && orgs.length === 0) throw new NhiError('USAGE', '--github-org: name at least one organisation');
    const enterprise = str(v.githubEnterprise)?.trim();
    if (v.githubEnterprise !== undefined && !/^[A-Za-z0-9][A-Za-z0-9-]*$/.test(enterprise ?? '')) {
      throw new NhiError('USAGE', `--github-enterprise: '${String(v.githubEnterprise)}' is not an enterprise slug`, { suggestion: 'the slug in https://github.com/enterprises/SLUG (letters, digits and hyphens)' });
    }
    if (enterprise && (v.githubAppId || v.githubPrivateKey)) {
      throw new NhiError('USAGE', '--github-enterprise lists organisations with a token: a GitHub App installation token cannot read its enterprise', { suggestion: 'set GITHUB_TOKEN to a token with read:enterprise, or name the organisations with --github-org' });
    }
    if ((orgs.length > 1 || enterprise) && v.githubInstallationId !== undefined) {
      throw new NhiError('USAGE', `--github-installation-id names one installation, but ${enterprise ? '--github-enterprise' : '--github-org'} names several organisations`, { suggestion: 'drop --github-installation-id: the App installation of each organisation is discovered' });
    }
    const host = v.githubUrl ? ` on ${redactUrl(String(v.githubUrl))}` : '';
    const common = {
      url: v.githubUrl,
      repos: list(v.githubRepos),
      appId: v.githubAppId,
      privateKeyFile: v.githubPrivateKey,
      installationId: positiveInt('--github-installation-id', v.githubInstallationId),
      workflows: v.githubWorkflows !== false,
    };
    const jobs: BuiltOptions[] = orgs.map((org) => ({ options: { ...common, org }, target: `${org}${host}` }));
    // the enterprise: one job that lists its organisations when the scan starts (after the store is opened, under the
    // deadline) and becomes one job per organisation, leaving out those --github-org names
    if (enterprise) jobs.push({ options: { ...common, enterprise, ...(orgs.length ? { skipOrgs: orgs } : {}) }, target: `enterprise ${enterprise}${host}` });
    return jobs;
  },
};

export const GITLAB_FLAGS: ConnectorFlags = {
  id: 'gitlab',
  flags: [
    { spec: '--gitlab-url <url>', key: 'gitlabUrl', help: 'GitLab: instance URL (default https://gitlab.com; token from GITLAB_TOKEN)' },
    { spec: '--gitlab-group <path>', key: 'gitlabGroup', help: 'GitLab: group full path to scan (with subgroups)' },
    { spec: '--gitlab-projects <globs>', key: 'gitlabProjects', help: 'GitLab: only these projects, comma-separated paths or globs' },
  ],
  selectedBy: (v) => anyOf(v, ['gitlabUrl', 'gitlabGroup', 'gitlabProjects']),
  build(v) {
    if (!v.gitlabGroup) throw new NhiError('USAGE', 'the gitlab connector needs --gitlab-group PATH');
    checkUrlFlag('--gitlab-url', str(v.gitlabUrl), 'put the token in GITLAB_TOKEN');
    return {
      options: { url: v.gitlabUrl, group: v.gitlabGroup, projects: list(v.gitlabProjects) },
      target: `${String(v.gitlabGroup)}${v.gitlabUrl ? ` on ${redactUrl(String(v.gitlabUrl))}` : ''}`,
    };
  },
};

const GCP_LIVE = ['gcpProject', 'gcpOrganization', 'gcpImpersonateServiceAccount', 'gcpEndpoint'];

export const GCP_FLAGS: ConnectorFlags = {
  id: 'gcp',
  flags: [
    { spec: '--gcp-project <ids>', key: 'gcpProject', help: 'GCP: project ids to scan, comma-separated (Application Default Credentials, or GOOGLE_OAUTH_ACCESS_TOKEN)' },
    { spec: '--gcp-organization <id>', key: 'gcpOrganization', help: 'GCP: scan every active project under this organization (numeric id)' },
    { spec: '--gcp-impersonate-service-account <email>', key: 'gcpImpersonateServiceAccount', help: 'GCP: impersonate this read-only audit service account for the scan' },
    { spec: '--gcp-endpoint <url>', key: 'gcpEndpoint', help: 'GCP: send every Google API call to this base URL (emulators, proxies)' },
  ],
  // --from-file DIR is a folder of gcloud exports (a file is an AWS export), unless an entra flag says it is a tenant's
  selectedBy: (v) => (isDir(v.fromFile) && !anyOf(v, ['entraTenant', 'azureSubscriptions', 'awsOrganization'])) || anyOf(v, GCP_LIVE),
  build(v) {
    const fromFile = str(v.fromFile);
    const live = anyOf(v, GCP_LIVE);
    if (fromFile !== undefined && !isDir(fromFile)) {
      throw new NhiError('USAGE', `--from-file ${fromFile}: the gcp connector reads a folder of gcloud JSON exports`, { suggestion: 'see docs/connectors/gcp.md for the export commands' });
    }
    if (fromFile !== undefined) {
      if (live) throw new NhiError('USAGE', '--from-file DIR scans GCP offline: --gcp-project, --gcp-organization, --gcp-impersonate-service-account and --gcp-endpoint do not apply');
      return { options: { fromDir: fromFile }, target: path.basename(path.resolve(fromFile)) };
    }
    if (v.gcpProject && v.gcpOrganization) throw new NhiError('USAGE', '--gcp-project and --gcp-organization: give one of them');
    checkUrlFlag('--gcp-endpoint', str(v.gcpEndpoint), 'credentials come from Application Default Credentials or GOOGLE_OAUTH_ACCESS_TOKEN');
    const projects = list(v.gcpProject);
    return {
      options: { projects: projects?.length ? projects : undefined, organization: v.gcpOrganization, impersonateServiceAccount: v.gcpImpersonateServiceAccount, endpoint: v.gcpEndpoint },
      target: v.gcpOrganization ? `organizations/${String(v.gcpOrganization)}` : (projects?.join(', ') ?? process.env.GOOGLE_CLOUD_PROJECT ?? process.env.CLOUDSDK_CORE_PROJECT ?? 'default project'),
    };
  },
};

const GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/**
 * Entra ID: live through Microsoft Graph (and Azure Resource Manager with --azure-subscriptions), or offline from a
 * folder of exports. A bare `--from-file DIR` stays GCP's; `--connector entra`, `--entra-tenant` or
 * `--azure-subscriptions` selects this connector, and then `--from-file DIR` is its folder of Microsoft Graph exports.
 */
export const ENTRA_FLAGS: ConnectorFlags = {
  id: 'entra',
  flags: [
    { spec: '--entra-tenant <id>', key: 'entraTenant', help: 'Entra ID: the tenant id (GUID) to scan (default: the tenant of the credential\u2019s token; offline: inferred from the exports)' },
    { spec: '--azure-subscriptions <ids|all>', key: 'azureSubscriptions', help: 'Entra ID live: also read Azure RBAC role assignments of these subscriptions (comma-separated ids, or all the credential can see)' },
  ],
  selectedBy: (v) => anyOf(v, ['entraTenant', 'azureSubscriptions']),
  build(v) {
    const fromFile = str(v.fromFile);
    const tenant = str(v.entraTenant);
    if (tenant !== undefined && !GUID.test(tenant)) throw new NhiError('USAGE', `--entra-tenant: expected a tenant id (GUID), got '${tenant}'`, { suggestion: 'az account show --query tenantId -o tsv' });
    const subsRaw = str(v.azureSubscriptions);
    if (fromFile !== undefined) {
      if (subsRaw !== undefined) throw new NhiError('USAGE', '--azure-subscriptions is for live scans: with --from-file DIR the role assignments come from roleAssignments.json', { suggestion: 'drop --azure-subscriptions, or drop --from-file to scan the tenant live' });
      if (!isDir(fromFile)) throw new NhiError('USAGE', `--from-file ${fromFile}: the entra connector reads a folder of Microsoft Graph exports`, { suggestion: 'see docs/connectors/entra.md for the layout' });
      return { options: { fromDir: fromFile, tenantId: tenant }, target: tenant ?? path.basename(path.resolve(fromFile)) };
    }
    let subscriptions: string[] | 'all' | undefined;
    if (subsRaw !== undefined) {
      const ids = list(subsRaw) ?? [];
      if (ids.length === 1 && ids[0].toLowerCase() === 'all') subscriptions = 'all';
      else {
        const bad = ids.find((id) => !GUID.test(id));
        if (ids.length === 0 || bad !== undefined) throw new NhiError('USAGE', `--azure-subscriptions: expected subscription ids (GUIDs, comma-separated) or 'all', got '${bad ?? subsRaw}'`, { suggestion: 'az account list --query [].id -o tsv' });
        subscriptions = [...new Set(ids.map((id) => id.toLowerCase()))];
      }
    }
    // emulators and the test suite's fakes only (no flag): other Microsoft Graph / Azure Resource Manager roots
    const graphEndpoint = process.env.NHI_ENTRA_GRAPH_ENDPOINT || undefined;
    const armEndpoint = process.env.NHI_ENTRA_ARM_ENDPOINT || undefined;
    checkUrlFlag('NHI_ENTRA_GRAPH_ENDPOINT', graphEndpoint, 'credentials come from DefaultAzureCredential');
    checkUrlFlag('NHI_ENTRA_ARM_ENDPOINT', armEndpoint, 'credentials come from DefaultAzureCredential');
    return { options: { tenantId: tenant, subscriptions, graphEndpoint, armEndpoint }, target: tenant ?? 'default Azure credential' };
  },
};

export const WORKFLOWS_FLAGS: ConnectorFlags = {
  id: 'workflows',
  flags: [
    { spec: '--path <dir>', key: 'path', help: 'workflows: a local checkout (or its .github/workflows folder) to analyse, no token needed' },
    { spec: '--repo <owner/name>', key: 'repo', help: 'workflows: the repository, owner/name or host/owner/name (default: from the origin remote in .git/config)' },
  ],
  selectedBy: (v) => anyOf(v, ['path', 'repo']),
  build: (v) => ({ options: { path: str(v.path) ?? '.', repo: v.repo }, target: str(v.repo) ?? path.resolve(str(v.path) ?? '.') }),
};

const KUBE_LIVE: Array<[key: string, flag: string]> = [
  ['kubeContext', '--kube-context'],
  ['kubeconfig', '--kubeconfig'],
];

/**
 * Kubernetes: live through the API server (the kubeconfig's current context unless --kube-context / --kubeconfig say
 * otherwise), or offline with --from-file and a kubectl List.
 */
export const KUBERNETES_FLAGS: ConnectorFlags = {
  id: 'kubernetes',
  flags: [
    { spec: '--kube-context <name>', key: 'kubeContext', help: 'Kubernetes live: the kubeconfig context to scan (default: the current context)' },
    { spec: '--kubeconfig <path>', key: 'kubeconfig', help: 'Kubernetes live: the kubeconfig file (default: KUBECONFIG, then ~/.kube/config, then in-cluster)' },
    { spec: '--kube-cluster <name>', key: 'kubeCluster', help: "Kubernetes: cluster name used in ids (default: the context's cluster; with --from-file, a kubectl get ... -A -o json List, the file name without extension)" },
    { spec: '--kube-issuer <url>', key: 'kubeIssuer', help: "Kubernetes: the cluster's service-account token issuer, to tie cloud trusts (IRSA, AKS workload identity) to this cluster (default, live: read from the API server)" },
  ],
  // --from-file alone stays AWS's: kubernetes needs --connector kubernetes or one of its flags
  selectedBy: (v) => anyOf(v, ['kubeCluster', 'kubeIssuer', ...KUBE_LIVE.map(([k]) => k)]),
  build(v) {
    const fromFile = str(v.fromFile);
    const cluster = str(v.kubeCluster);
    const issuer = str(v.kubeIssuer);
    if (issuer !== undefined && !/^https?:\/\/[^\s/]+(\/\S*)?$/.test(issuer)) throw new NhiError('USAGE', `--kube-issuer: expected the issuer URL, got '${issuer.slice(0, 80)}'`, { suggestion: 'kubectl get --raw /.well-known/openid-configuration | jq -r .issuer' });
    if (fromFile !== undefined) {
      for (const [key, flag] of KUBE_LIVE) {
        if (v[key] !== undefined) throw new NhiError('USAGE', `offline scan: ${flag} does not apply`, { suggestion: `--from-file reads a kubectl List; drop ${flag}, or drop --from-file to scan the cluster live` });
      }
      if (isDir(fromFile)) throw new NhiError('USAGE', `--from-file ${fromFile} is a folder: the kubernetes connector reads the JSON file kubectl prints`);
      return { options: { fromFile, cluster, issuer }, target: cluster ?? path.basename(fromFile) };
    }
    const context = str(v.kubeContext);
    return { options: { kubeconfig: str(v.kubeconfig), context, cluster, issuer }, target: cluster ?? (context ? `context ${context}` : 'current kubeconfig context') };
  },
};

/** Every declaration, in `--help` order. */
export const CONNECTOR_FLAGS: readonly ConnectorFlags[] = [AWS_FLAGS, GITHUB_FLAGS, GITLAB_FLAGS, GCP_FLAGS, ENTRA_FLAGS, WORKFLOWS_FLAGS, KUBERNETES_FLAGS];

/** Without --connector, the connectors are tried in this order (gcp before aws: a folder given to --from-file is GCP's). */
const INFER_ORDER = ['gcp', 'aws', 'github', 'gitlab', 'entra', 'workflows', 'kubernetes'];

/** Without --connector: the connectors whose flags were given (aws when none were). */
export function inferConnectors(values: FlagValues, declarations: readonly ConnectorFlags[] = CONNECTOR_FLAGS): string[] {
  const rank = (id: string) => {
    const i = INFER_ORDER.indexOf(id);
    return i < 0 ? INFER_ORDER.length : i;
  };
  const ids = declarations.filter((d) => d.selectedBy(values)).map((d) => d.id);
  ids.sort((a, b) => rank(a) - rank(b));
  return ids.length > 0 ? ids : ['aws'];
}

/** A flag for a connector that is not running is a mistake worth one clear line. */
export function checkStrayFlags(values: FlagValues, selected: ReadonlySet<string>, declarations: readonly ConnectorFlags[] = CONNECTOR_FLAGS): void {
  // a shared flag (--from-file) holds one input: it cannot belong to two selected connectors at once
  for (const d of declarations) {
    for (const f of d.flags) {
      if (!f.sharedWith || values[f.key] === undefined) continue;
      const owners = [d.id, ...f.sharedWith].filter((id) => selected.has(id));
      if (owners.length < 2) continue;
      const name = f.spec.split(' ')[0];
      throw new NhiError('USAGE', `${name} gives one input, but ${owners.join(' and ')} both read ${name}: it cannot be both`, { suggestion: `scan them in separate runs (--connector ${owners[0]} ${name} ..., then --connector ${owners[1]} ${name} ...), or the live one without ${name}` });
    }
  }
  for (const d of declarations) {
    if (selected.has(d.id)) continue;
    for (const f of d.flags) {
      if (f.passive || values[f.key] === undefined) continue;
      if (f.sharedWith?.some((id) => selected.has(id))) continue;
      const name = f.spec.split(' ')[0];
      throw new NhiError('USAGE', `${name} is a ${d.id} option, but the ${d.id} connector is not selected`, { suggestion: `add ${d.id} to --connector, or drop ${name}` });
    }
  }
}
