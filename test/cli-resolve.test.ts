import { describe, expect, it } from 'vitest';
import { IdentityGraph } from '../src/graph/graph.js';
import { resolveIdentity } from '../src/cli/resolve.js';
import { nhiErrorOf } from './support/errors.js';

const prov = [{ connector: 'aws', source: 't', observedAt: '2026-11-01T00:00:00Z' }];
function graph(): IdentityGraph {
  const g = new IdentityGraph();
  const p = (id: string, name: string, externalId?: string, platform = 'aws', type = 'iam-role', scope = '111111111111') =>
    g.addNode({ id, kind: 'principal', platform, type, name, externalId, scope, accountType: 'service', provenance: prov });
  p('aws:iam-role:arn:aws:iam::111111111111:role/deploy', 'deploy', 'arn:aws:iam::111111111111:role/deploy');
  p('aws:iam-role:arn:aws:iam::222222222222:role/deploy', 'deploy', 'arn:aws:iam::222222222222:role/deploy', 'aws', 'iam-role', '222222222222');
  p('aws:iam-user:arn:aws:iam::111111111111:user/ci-bot', 'ci-bot', 'arn:aws:iam::111111111111:user/ci-bot', 'aws', 'iam-user');
  p('gcp:service-account:ci@p.iam.gserviceaccount.com', 'ci@p.iam.gserviceaccount.com', 'ci@p.iam.gserviceaccount.com', 'gcp', 'service-account', 'p');
  g.addNode({ id: 'aws:access-key:AKIAEXAMPLE', kind: 'credential', platform: 'aws', type: 'access-key', name: 'ci-bot', credentialType: 'access-key', active: true, provenance: prov });
  g.addNode({ id: 'aws:managed-policy:arn:aws:iam::aws:policy/ReadOnly', kind: 'entitlement', platform: 'aws', type: 'managed-policy', name: 'ReadOnly', entitlementType: 'managed-policy', provenance: prov });
  return g;
}

const error = nhiErrorOf;

describe('resolveIdentity', () => {
  it.each([
    ['a node id', 'aws:iam-user:arn:aws:iam::111111111111:user/ci-bot', 'aws:iam-user:arn:aws:iam::111111111111:user/ci-bot'],
    ['an ARN', 'arn:aws:iam::222222222222:role/deploy', 'aws:iam-role:arn:aws:iam::222222222222:role/deploy'],
    ['an email', 'ci@p.iam.gserviceaccount.com', 'gcp:service-account:ci@p.iam.gserviceaccount.com'],
    ['a unique name (the user, not its key of the same name)', 'ci-bot', 'aws:iam-user:arn:aws:iam::111111111111:user/ci-bot'],
    ['a name in another case', 'CI-BOT', 'aws:iam-user:arn:aws:iam::111111111111:user/ci-bot'],
    ['a credential by id', 'aws:access-key:AKIAEXAMPLE', 'aws:access-key:AKIAEXAMPLE'],
  ])('finds %s', (_what, query, id) => {
    expect(resolveIdentity(graph(), query).id).toBe(id);
  });

  it('an ambiguous name is a usage error listing the candidates', () => {
    const e = error(() => resolveIdentity(graph(), 'deploy'));
    expect(e.code).toBe('USAGE');
    expect(e.message).toBe("identity 'deploy' is ambiguous: 2 identities match");
    expect(e.suggestion).toContain('arn:aws:iam::111111111111:role/deploy');
    expect(e.suggestion).toContain('arn:aws:iam::222222222222:role/deploy');
  });

  it('an unknown name, a policy or an empty query is a clear error', () => {
    expect(error(() => resolveIdentity(graph(), 'nobody')).code).toBe('NOT_FOUND');
    expect(error(() => resolveIdentity(graph(), 'ReadOnly')).code).toBe('NOT_FOUND');
    expect(error(() => resolveIdentity(graph(), '  ')).code).toBe('USAGE');
  });

  it('hostile text in a query never reaches the message raw', () => {
    const e = error(() => resolveIdentity(graph(), 'x\u001b]8;;http://evil\u0007y\nz'));
    expect(e.message).not.toMatch(/[\u0000-\u001f]/);
  });
});
