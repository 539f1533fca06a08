/** GCP rule-test graphs built through the connector's own mapping (so rules see exactly what a scan produces). */
import { mapGcpProject, type GcpProjectData } from '../../connectors/gcp/map.js';
import { deriveCiLinks } from '../../src/graph/derive-ci.js';
import { IdentityGraph } from '../../src/graph/graph.js';
import type { GraphRecord } from '../../src/model/types.js';
import { NOW } from './builders.js';

export const P = 'demo-proj';
export const sa = (name: string) => `${name}@${P}.iam.gserviceaccount.com`;
export const saId = (name: string) => `gcp:service-account:${sa(name)}`;

export function gcpGraph(d: Partial<GcpProjectData>, extra: GraphRecord[] = []): IdentityGraph {
  const data: GcpProjectData = { projectId: P, projectNumber: '123456789', serviceAccounts: [], keys: {}, saPolicies: {}, roles: [], pools: [], providers: [], ...d };
  const g = IdentityGraph.from([...mapGcpProject(data, { now: NOW, source: (w) => `test:${w}` }), ...extra]);
  deriveCiLinks(g);
  return g;
}

export const account = (name: string, extra: Record<string, unknown> = {}) => ({ email: sa(name), projectId: P, uniqueId: `1${name.length}000`, ...extra });
export const binding = (role: string, ...members: string[]) => ({ role, members });
