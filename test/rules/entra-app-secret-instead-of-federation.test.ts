import { describe, expect, it } from 'vitest';
import { rule } from '../../src/rules/entra-app-secret-instead-of-federation.js';
import { runRule } from './builders.js';
import { appNode, application, entraGraph, fic, secret, servicePrincipal } from './entra-builders.js';

const cert = { keyId: 'cert1', displayName: 'CN=app', type: 'AsymmetricX509Cert', usage: 'Verify', startDateTime: '2026-01-01T00:00:00Z', endDateTime: '2027-01-01T00:00:00Z' };

describe('entra-app-secret-instead-of-federation', () => {
  it.each([
    ['no credential at all', {}, [], {}, []],
    ['a federated credential only', {}, [fic('main', 'repo:acme/app:ref:refs/heads/main')], {}, []],
    ['an active client secret, no federation', { passwordCredentials: [secret('s', 30, 300)] }, [], {}, ['medium']],
    ['a client secret next to a federated credential', { passwordCredentials: [secret('s', 30, 300)] }, [fic('main', 'repo:acme/app:ref:refs/heads/main')], {}, ['low']],
    ['an expired client secret', { passwordCredentials: [secret('s', 400, -10)] }, [], {}, []],
    ['a certificate only (default)', { keyCredentials: [cert] }, [], {}, []],
    ['a certificate with includeCertificates', { keyCredentials: [cert] }, [], { includeCertificates: true }, ['medium']],
    ['ignored by name', { passwordCredentials: [secret('s', 30, 300)] }, [], { ignore: ['app*'] }, []],
  ] as const)('%s', (_l, creds, fics, opts, expected) => {
    const g = entraGraph({ applications: [application(1, creds as Record<string, unknown>)], servicePrincipals: [servicePrincipal(1)], federatedCredentials: { a1: [...fics] } });
    const f = runRule(rule, g, opts as Record<string, unknown>);
    expect(f.map((x) => x.severity)).toEqual(expected);
    for (const x of f) expect(x.nodeId).toBe(appNode(1));
  });

  it('the message names the secret and its expiry, never its value', () => {
    const g = entraGraph({ applications: [application(1, { passwordCredentials: [{ ...secret('pipeline', 30, 300), hint: 'Xq7', secretText: 'Xq7-secret' }] })], servicePrincipals: [servicePrincipal(1)] });
    const [f] = runRule(rule, g);
    expect(f.message).toMatch(/client secret pipeline \(expires \d{4}-\d{2}-\d{2}\) and has no federated credential/);
    expect(JSON.stringify(f)).not.toContain('Xq7');
  });
});
