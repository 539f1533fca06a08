/** Tiny GitHub / GitLab graph builders for rule tests, following docs/model.md (GitHub and GitLab sections). */
import { IdentityGraph } from '../../src/graph/graph.js';
import type { CredentialNode, IdentityNode } from '../../src/model/types.js';
import { PROV } from './builders.js';

export class GitHubBuilder {
  readonly graph = new IdentityGraph();

  org(login = 'acme', attributes: Record<string, unknown> = {}): string {
    const id = `github:org:${login}`;
    this.graph.addNode({ id, kind: 'resource', platform: 'github', type: 'org', name: login, scope: login, attributes: { inScan: true, ...attributes }, provenance: [PROV] });
    return id;
  }

  repo(full: string, attributes: Record<string, unknown> = {}): string {
    const id = `github:repo:${full}`;
    this.graph.addNode({ id, kind: 'resource', platform: 'github', type: 'repo', name: full, scope: full.split('/')[0], attributes: { visibility: 'private', archived: false, ...attributes }, provenance: [PROV] });
    this.graph.addEdge({ type: 'IN_SCOPE', from: id, to: `github:org:${full.split('/')[0]}`, provenance: [PROV] });
    return id;
  }

  credential(node: Omit<CredentialNode, 'kind' | 'platform' | 'provenance' | 'scope'> & { platform?: string; scope?: string }): string {
    this.graph.addNode({ kind: 'credential', platform: 'github', scope: 'acme', provenance: [PROV], ...node } as CredentialNode);
    return node.id;
  }

  node(node: Omit<IdentityNode, 'provenance'>): string {
    this.graph.addNode({ ...node, provenance: [PROV] } as IdentityNode);
    return node.id;
  }

  edge(type: string, from: string, to: string, attributes?: Record<string, unknown>): this {
    this.graph.addEdge({ type, from, to, ...(attributes ? { attributes } : {}), provenance: [PROV] });
    return this;
  }

  deployKey(repo: string, id: number, opts: { readOnly: boolean; createdAt: string; lastUsedAt?: string | null }): string {
    const nodeId = this.credential({ id: `github:deploy-key:${repo}:${id}`, type: 'deploy-key', name: `key-${id}`, credentialType: 'ssh-key', createdAt: opts.createdAt, lastUsedAt: opts.lastUsedAt, active: true, attributes: { readOnly: opts.readOnly, repo } });
    this.edge('CAN_ACCESS', nodeId, `github:repo:${repo}`, { access: opts.readOnly ? 'read' : 'write' });
    return nodeId;
  }

  secret(level: 'repo' | 'environment' | 'org', key: string, name: string, attributes: Record<string, unknown> = {}): string {
    const prefix = level === 'repo' ? `repo:${key}` : level === 'environment' ? `env:${key}` : `org:${key}`;
    return this.credential({ id: `github:actions-secret:${prefix}/${name}`, type: 'actions-secret', name, credentialType: 'secret', active: true, attributes: { level, ...attributes } });
  }
}
