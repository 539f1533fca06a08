import { describe, expect, it } from 'vitest';
import { rule } from '../../src/rules/webhook-without-secret.js';
import { runRule } from './builders.js';
import { GitHubBuilder } from './github-builders.js';

function hook(attributes: Record<string, unknown>) {
  const b = new GitHubBuilder();
  b.node({ id: 'github:webhook:acme/app/5', kind: 'resource', platform: 'github', type: 'webhook', name: 'acme/app hook 5 → ci.example.com', scope: 'acme', attributes: { level: 'repo', active: true, events: ['push'], urlHost: 'ci.example.com', hasSecret: true, insecureSsl: false, ...attributes } } as never);
  return b.graph;
}

describe('webhook-without-secret', () => {
  it.each([
    ['secret set, TLS verified', hook({})],
    ['inactive hook without secret', hook({ active: false, hasSecret: false })],
  ])('valid: %s', (_l, graph) => {
    expect(runRule(rule, graph)).toEqual([]);
  });

  it.each([
    ['no secret', { hasSecret: false }, 'medium', 'no secret'],
    ['TLS verification off', { insecureSsl: true }, 'medium', 'TLS verification off'],
    ['both', { hasSecret: false, insecureSsl: true }, 'high', 'no secret and TLS verification off'],
  ])('invalid: %s', (_l, attrs, severity, text) => {
    const [f] = runRule(rule, hook(attrs));
    expect(f).toMatchObject({ nodeId: 'github:webhook:acme/app/5', severity });
    expect(f.message).toBe(`Webhook acme/app hook 5 → ci.example.com has ${text}`);
  });
});
