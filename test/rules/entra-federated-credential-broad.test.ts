import { describe, expect, it } from 'vitest';
import { expressionSubjects, githubSubjectBreadth, rule } from '../../src/rules/entra-federated-credential-broad.js';
import { runRule } from './builders.js';
import { appNode, application, entraGraph, fic, servicePrincipal } from './entra-builders.js';

describe('entra-federated-credential-broad', () => {
  it.each([
    ['an exact branch subject', fic('main', 'repo:acme/app:ref:refs/heads/main'), {}, []],
    ['an exact environment subject', fic('prod', 'repo:acme/app:environment:production'), {}, []],
    ['pull_request: any pull request of the repository', fic('pr', 'repo:acme/app:pull_request'), {}, ['medium']],
    ['pull_request, allowed by option', fic('pr', 'repo:acme/app:pull_request'), { allowSubjects: ['repo:acme/app:pull_request'] }, []],
    ['a custom, not repository-scoped subject', fic('owner', 'repository_owner:acme'), {}, ['medium']],
    ['a non-GitHub issuer with an exact subject', fic('aks', 'system:serviceaccount:ns:sa', undefined, 'https://oidc.prod-aks.azure.com/x/'), {}, []],
    ["claims matching repo:acme/* (any repository)", fic('any', undefined, "claims['sub'] matches 'repo:acme/*'"), {}, ['high']],
    ['claims matching every branch of one repository', fic('branches', undefined, "claims['sub'] matches 'repo:acme/app:ref:refs/heads/*'"), {}, ['medium']],
    ['claims matching one repository, any ref', fic('any-ref', undefined, "claims['sub'] matches 'repo:acme/app:*'"), {}, ['medium']],
    ['an or of a narrow and a broad alternative (the broad one counts)', fic('or', undefined, "claims['sub'] eq 'repo:acme/app:ref:refs/heads/main' or claims['sub'] matches 'repo:acme/*'"), {}, ['high']],
    ['an expression that does not test sub', fic('nosub', undefined, "claims['repository_owner'] eq 'acme'"), {}, ['high']],
    ['claims eq one exact subject', fic('eq', undefined, "claims['sub'] eq 'repo:acme/app:ref:refs/heads/main'"), {}, []],
  ] as const)('%s', (_l, credential, opts, expected) => {
    const g = entraGraph({ applications: [application(1)], servicePrincipals: [servicePrincipal(1)], federatedCredentials: { a1: [credential] } });
    const f = runRule(rule, g, opts as Record<string, unknown>);
    expect(f.map((x) => x.severity)).toEqual(expected);
    for (const x of f) {
      expect(x.nodeId).toBe(appNode(1));
      expect(x.discriminator).toBe(credential.id);
    }
  });

  it('helpers: subject breadth and the subjects of an expression', () => {
    expect(githubSubjectBreadth('repo:acme/*')?.severity).toBe('high');
    expect(githubSubjectBreadth('repo:acme/app:ref:refs/tags/v1')).toBeUndefined();
    expect(expressionSubjects("claims['sub'] matches 'repo:a/*' and claims['sub'] matches 'repo:*/b:*'")).toEqual(['repo:a/*', 'repo:*/b:*']);
  });
});
