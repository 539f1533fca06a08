import { describe, expect, it } from 'vitest';
import { accessLevelOf, allServices, expandActions, normaliseAccessLevel, servicesMatching } from '../../src/policy/actions.js';

describe('action catalog', () => {
  it('lists services from the catalog', () => {
    const services = allServices();
    expect(services).toContain('s3');
    expect(services).toContain('iam');
    expect(services.length).toBeGreaterThan(200);
  });

  it.each([
    ['s3:GetObject', 'Read'],
    ['S3:getobject', 'Read'],
    ['s3:ListAllMyBuckets', 'List'],
    ['iam:PutRolePolicy', 'Permissions management'],
    ['iam:AttachRolePolicy', 'Permissions management'],
    ['iam:TagRole', 'Tagging'],
    ['iam:PassRole', 'Write'],
  ])('access level of %s is %s', (action, level) => {
    expect(accessLevelOf(action)).toBe(level);
  });

  it('unknown actions have no level', () => {
    expect(accessLevelOf('s3:NoSuchActionEver')).toBeUndefined();
    expect(accessLevelOf('nosuchservice:Get')).toBeUndefined();
  });

  it('normalises composite levels to the most powerful part', () => {
    expect(normaliseAccessLevel('Permissions management, Write')).toBe('Permissions management');
    expect(normaliseAccessLevel('Tagging, Write')).toBe('Tagging');
    expect(normaliseAccessLevel('List')).toBe('List');
  });

  it('expands prefix wildcards case-insensitively', () => {
    const gets = expandActions('S3:get*');
    expect(gets).toContain('s3:GetObject');
    expect(gets.every((a) => a.toLowerCase().startsWith('s3:get'))).toBe(true);
  });

  it('expands infix wildcards', () => {
    const policyActions = expandActions('iam:*Policy*');
    expect(policyActions).toEqual(expect.arrayContaining(['iam:PutRolePolicy', 'iam:CreatePolicyVersion', 'iam:GetPolicy']));
    expect(policyActions).not.toContain('iam:PassRole');
  });

  it('expands service:* to every action of the service and * to every service', () => {
    const iamAll = expandActions('iam:*');
    expect(iamAll).toContain('iam:PassRole');
    expect(iamAll.every((a) => a.startsWith('iam:'))).toBe(true);
    const everything = expandActions('*');
    expect(everything.length).toBeGreaterThan(iamAll.length * 10);
  });

  it('keeps a literal unknown action of a known service, drops unknown services', () => {
    expect(expandActions('s3:BrandNewAction')).toEqual(['s3:BrandNewAction']);
    expect(expandActions('nosuchservice:Get*')).toEqual([]);
  });

  it('servicesMatching handles wildcards in the service part', () => {
    expect(servicesMatching('s3:GetObject')).toEqual(['s3']);
    const s3ish = servicesMatching('s3*:Get*');
    expect(s3ish).toContain('s3');
    expect(s3ish).toContain('s3express');
    expect(servicesMatching('*').length).toBe(allServices().length);
  });
});
