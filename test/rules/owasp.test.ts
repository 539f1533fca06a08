import { describe, expect, it } from 'vitest';
import { RULES } from '../../src/rules/index.js';
import { OWASP_NHI_IDS, expandPlatforms, owaspCoverage, owaspCoverageText, owaspIds, owaspRanges } from '../../src/rules/owasp.js';

const rule = (id: string, platforms: string[], owasp: string[]) => ({ id, platforms, owasp });

describe('OWASP NHI Top 10 coverage', () => {
  const rules = [
    rule('neutral', ['*'], ['NHI7']),
    rule('aws-only', ['aws'], ['NHI5', 'NHI10']),
    rule('ci', ['github', 'gitlab'], ['NHI2']),
    rule('also-aws', ['aws'], ['NHI5']),
  ];

  it('covers a risk when an enabled rule maps to it and one of its platforms was scanned', () => {
    const cov = owaspCoverage(rules, new Set(['aws']));
    expect(cov.map((c) => c.id)).toEqual([...OWASP_NHI_IDS]);
    const by = Object.fromEntries(cov.map((c) => [c.id, c]));
    expect(by.NHI5).toEqual({ id: 'NHI5', name: 'Overprivileged NHI', covered: true, rules: ['also-aws', 'aws-only'] });
    expect(by.NHI7).toMatchObject({ covered: true, rules: ['neutral'] });
    expect(by.NHI10).toMatchObject({ covered: true, name: 'Human Use of NHI' });
    // its rules exist but need a platform that was not scanned
    expect(by.NHI2).toEqual({ id: 'NHI2', name: 'Secret Leakage', covered: false, rules: [], reason: 'not-scanned', platforms: ['github', 'gitlab'] });
    // no rule maps to it
    expect(by.NHI8).toEqual({ id: 'NHI8', name: 'Environment Isolation', covered: false, rules: [], reason: 'no-rule' });
  });

  it('a platform-neutral rule needs some scan; nothing is covered when nothing was scanned', () => {
    const cov = owaspCoverage(rules, new Set());
    expect(cov.filter((c) => c.covered)).toEqual([]);
    expect(cov.find((c) => c.id === 'NHI7')).toMatchObject({ covered: false, reason: 'not-scanned', platforms: [] });
  });

  it('a disabled rule (absent from the rules that ran) covers nothing', () => {
    const cov = owaspCoverage(rules.filter((r) => r.id !== 'neutral'), new Set(['github']));
    expect(cov.find((c) => c.id === 'NHI7')).toMatchObject({ covered: false, reason: 'no-rule' });
    expect(cov.find((c) => c.id === 'NHI2')).toMatchObject({ covered: true, rules: ['ci'] });
  });

  it('connector ids stand for the platforms they read; workflow files count for CI rules only, and hold no identities', () => {
    expect([...expandPlatforms(['workflows'])]).toEqual(['workflows']);
    expect(expandPlatforms(['kubernetes']).has('k8s')).toBe(true);
    expect(expandPlatforms(['entra']).has('azure')).toBe(true);
    const withCategory = [rule('neutral', ['*'], ['NHI7']), { ...rule('ci', ['github', 'gitlab'], ['NHI2']), category: 'ci' }, { ...rule('api', ['github'], ['NHI5']), category: 'privilege' }];
    const cov = Object.fromEntries(owaspCoverage(withCategory, expandPlatforms(['workflows'])).map((c) => [c.id, c]));
    expect(cov.NHI2).toMatchObject({ covered: true, rules: ['ci'] });
    expect(cov.NHI5).toMatchObject({ covered: false, reason: 'not-scanned', platforms: ['github'] });
    expect(cov.NHI7).toMatchObject({ covered: false, reason: 'not-scanned' });
    // a CI rule that reads settings only the API gives does not run on workflow files alone
    const needsApi = [{ ...rule('settings', ['github'], ['NHI9']), category: 'ci', needsApi: true }];
    expect(owaspCoverage(needsApi, expandPlatforms(['workflows']))[8]).toMatchObject({ id: 'NHI9', covered: false, reason: 'not-scanned', platforms: ['github'] });
    expect(owaspCoverage(needsApi, new Set(['github']))[8]).toMatchObject({ id: 'NHI9', covered: true, rules: ['settings'] });
    // a GitHub scan covers all three
    expect(owaspCoverage(withCategory, new Set(['github'])).filter((c) => c.covered).map((c) => c.id)).toEqual(['NHI2', 'NHI5', 'NHI7']);
  });

  it('the registry covers all ten risks when every platform is scanned, and only the CI risks from workflow files', () => {
    const metas = RULES.map((r) => r.meta);
    const all = owaspCoverage(metas, expandPlatforms(['aws', 'gcp', 'github', 'gitlab', 'kubernetes', 'entra']));
    expect(all.every((c) => c.covered)).toBe(true);
    const ci = owaspCoverage(metas, expandPlatforms(['workflows']));
    // workflow files cover the CI risks; offboarding, reuse and human use need the platforms' identities
    expect(ci.filter((c) => c.covered).map((c) => c.id)).toEqual(['NHI2', 'NHI3', 'NHI5', 'NHI6', 'NHI7', 'NHI8']);
    expect(ci.find((c) => c.id === 'NHI10')).toMatchObject({ covered: false, reason: 'not-scanned', platforms: ['aws'] });
    expect(ci.find((c) => c.id === 'NHI1')).toMatchObject({ covered: false, reason: 'not-scanned' });
    // the rules that read repository settings from the API are not counted for workflow files
    const ciRules = new Set(ci.flatMap((c) => c.rules));
    expect(ciRules.has('default-workflow-token-write')).toBe(false);
    expect(ciRules.has('self-hosted-runner-on-public-repo')).toBe(false);
    expect(ciRules.has('workflow-token-write-all')).toBe(true);
  });

  it('ids: valid only, unique, in order; compact ranges and text', () => {
    expect(owaspIds(['NHI10', 'NHI2', 'NHI2', 'NHI11', 'nhi1', 3, null])).toEqual(['NHI2', 'NHI10']);
    expect(owaspIds(undefined)).toEqual([]);
    expect(owaspRanges(['NHI1', 'NHI2', 'NHI4', 'NHI5', 'NHI6', 'NHI7', 'NHI10'])).toBe('NHI1, NHI2, NHI4-NHI7, NHI10');
    expect(owaspRanges([])).toBe('');
    const text = owaspCoverageText(owaspCoverage(rules, new Set(['aws'])));
    expect(text.covered).toBe('3 of 10: NHI5, NHI7, NHI10');
    expect(text.notCovered).toBe('NHI2 (no source scanned for their rules); NHI1, NHI3, NHI4, NHI6, NHI8, NHI9 (no rule enabled)');
    const full = owaspCoverageText(OWASP_NHI_IDS.map((id) => ({ id, name: id, covered: true, rules: ['x'] })));
    expect(full).toEqual({ covered: '10 of 10: NHI1-NHI10' });
  });
});
