/**
 * Graphs for the query commands' unit tests, built through the AWS connector's own mapping so the commands see what a
 * scan stores: the small account of test/fixtures/query (see its generate.mjs for who is who), and variants of it.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { mapAws, type AuthzDetails } from '../../connectors/aws/map.js';
import { offlineSources, readOffline } from '../../connectors/aws/offline.js';
import { IdentityGraph } from '../../src/graph/graph.js';
import type { IdentityNode } from '../../src/model/types.js';

export const NOW = new Date('2026-11-20T08:00:00.000Z');
export const SNAPSHOT = { id: 7, asOf: NOW.toISOString() };
export const ACCOUNT = '111122223333';
export const FIXTURE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'query');

export const userArn = (p: string) => `arn:aws:iam::${ACCOUNT}:user/${p}`;
export const roleArn = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;
export const userId = (p: string) => `aws:iam-user:${userArn(p)}`;
export const roleId = (name: string) => `aws:iam-role:${roleArn(name)}`;

/** The fixture account as a scan maps it (with a tweak to its export, when given). */
export function fixtureGraph(tweak?: (authz: AuthzDetails) => void): IdentityGraph {
  const files = { fromFile: path.join(FIXTURE, 'authz.json'), credentialReport: path.join(FIXTURE, 'credential-report.csv') };
  const input = readOffline(files);
  if (tweak && input.authz) tweak(input.authz);
  return IdentityGraph.from(mapAws({ authz: input.authz, credentialReport: input.credentialReport }, { now: NOW, sources: offlineSources(files) }));
}

export function node(graph: IdentityGraph, id: string): IdentityNode {
  const n = graph.node(id);
  if (!n) throw new Error(`no node ${id}`);
  return n;
}
