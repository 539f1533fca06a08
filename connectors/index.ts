import type { Connector } from '../src/engine/types.js';

/**
 * The connector registry. Connectors are loaded on demand so `nhi --help` and offline commands never pay for
 * SDK start-up.
 */
export interface ConnectorEntry {
  id: string;
  title: string;
  load(): Promise<Connector>;
}

export const CONNECTORS: ConnectorEntry[] = [
  { id: 'aws', title: 'AWS IAM', load: async () => (await import('./aws/index.js')).awsConnector },
  { id: 'github', title: 'GitHub (organisation)', load: async () => (await import('./github/index.js')).githubConnector },
  { id: 'gcp', title: 'Google Cloud IAM (projects or an organization; or gcloud exports)', load: async () => (await import('./gcp/index.js')).gcpConnector },
  { id: 'entra', title: 'Microsoft Entra ID and Azure RBAC (live: Microsoft Graph and Azure Resource Manager; offline: Graph exports)', load: async () => (await import('./entra/index.js')).entraConnector },
  { id: 'gitlab', title: 'GitLab (group)', load: async () => (await import('./gitlab/index.js')).gitlabConnector },
  { id: 'kubernetes', title: 'Kubernetes (API server through the kubeconfig, or offline: the List kubectl get ... -A -o json prints)', load: async () => (await import('./kubernetes/index.js')).kubernetesConnector },
  { id: 'workflows', title: 'GitHub Actions workflow files (local checkout)', load: async () => (await import('./workflows/index.js')).workflowsConnector },
];

export function connectorIds(): string[] {
  return CONNECTORS.map((c) => c.id);
}

export function findConnector(id: string): ConnectorEntry | undefined {
  return CONNECTORS.find((c) => c.id === id);
}
