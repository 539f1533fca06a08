/**
 * The organisation export (OrganizationExport, organization.ts) as both scans produce it: the live scan builds it from
 * the Organizations API answers, the offline scan reads it from organization.json. Both go through `normaliseOrganization`,
 * so the same organisation gives the same object whichever way it was read: only the API's fields, timestamps as ISO
 * strings, every list sorted by id.
 */
import type { OrganizationExport } from './organization.js';

export class OrganizationShapeError extends Error {}

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function fail(where: string, what: string): never {
  throw new OrganizationShapeError(`${where}: ${what}`);
}

function str(o: Obj, key: string, where: string, required = false): string | undefined {
  const v = o[key];
  if (v === undefined || v === null) {
    if (required) fail(where, `${key} is missing`);
    return undefined;
  }
  if (typeof v !== 'string' || (required && v === '')) fail(where, `${key} should be a string, got ${typeof v}`);
  return v;
}

function bool(o: Obj, key: string, where: string): boolean | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean') fail(where, `${key} should be true or false, got ${typeof v}`);
  return v;
}

/** A timestamp as the SDK (Date), the API (epoch seconds) or the AWS CLI (`2024-05-01T12:00:00.123000+00:00`) gives it. */
function time(o: Obj, key: string, where: string): string | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  const d = v instanceof Date ? v : typeof v === 'number' ? new Date(v * 1000) : typeof v === 'string' ? new Date(v) : undefined;
  if (!d || Number.isNaN(d.getTime())) fail(where, `${key} is not a date`);
  return d.toISOString();
}

function list(o: Obj, key: string, where: string, required = true): Obj[] {
  const v = o[key];
  if (v === undefined && !required) return [];
  if (!Array.isArray(v)) fail(where, `${key} should be an array, got ${v === null ? 'null' : typeof v}`);
  return v.map((x, i) => (isObj(x) ? x : fail(`${where}.${key}[${i}]`, `expected an object, got ${x === null ? 'null' : typeof x}`)));
}

/** Only defined fields, in a fixed order: `{ a: undefined }` and `{}` compare equal. */
function compact<T extends Obj>(o: T): T {
  for (const k of Object.keys(o)) if (o[k] === undefined) delete o[k];
  return o;
}

const byId = <T>(id: (t: T) => string) => (a: T, b: T) => (id(a) < id(b) ? -1 : id(a) > id(b) ? 1 : 0);

/**
 * Check and normalise an organisation export. Throws OrganizationShapeError naming the first field that is wrong;
 * unknown fields are dropped.
 */
export function normaliseOrganization(data: unknown, where = 'organization.json'): OrganizationExport {
  if (!isObj(data)) fail(where, 'expected a JSON object with Roots, OrganizationalUnits, Accounts and Policies');
  const out: OrganizationExport = { Roots: [], OrganizationalUnits: [], Accounts: [], Policies: [] };
  if (data.Organization !== undefined) {
    const org = isObj(data.Organization) ? data.Organization : fail(where, 'Organization should be an object (describe-organization .Organization)');
    const w = `${where}.Organization`;
    out.Organization = compact({
      Id: str(org, 'Id', w),
      Arn: str(org, 'Arn', w),
      MasterAccountId: str(org, 'MasterAccountId', w),
      MasterAccountArn: str(org, 'MasterAccountArn', w),
      FeatureSet: str(org, 'FeatureSet', w),
    });
  }
  out.Roots = list(data, 'Roots', where).map((r, i) => {
    const w = `${where}.Roots[${i}]`;
    const types = list(r, 'PolicyTypes', w, false).map((t, j) => compact({ Type: str(t, 'Type', `${w}.PolicyTypes[${j}]`), Status: str(t, 'Status', `${w}.PolicyTypes[${j}]`) }));
    return compact({ Id: str(r, 'Id', w, true)!, Arn: str(r, 'Arn', w), Name: str(r, 'Name', w), PolicyTypes: r.PolicyTypes === undefined ? undefined : types.sort(byId((t) => t.Type ?? '')) });
  });
  if (out.Roots.length === 0) fail(where, 'Roots is empty: an organisation has one root (list-roots)');
  out.OrganizationalUnits = list(data, 'OrganizationalUnits', where).map((u, i) => {
    const w = `${where}.OrganizationalUnits[${i}]`;
    return compact({ Id: str(u, 'Id', w, true)!, Arn: str(u, 'Arn', w), Name: str(u, 'Name', w), ParentId: str(u, 'ParentId', w, true)! });
  });
  out.Accounts = list(data, 'Accounts', where).map((a, i) => {
    const w = `${where}.Accounts[${i}]`;
    const id = str(a, 'Id', w, true)!;
    if (!/^\d{12}$/.test(id)) fail(w, `Id should be a 12-digit account id, got '${id.slice(0, 40)}'`);
    return compact({
      Id: id,
      Arn: str(a, 'Arn', w),
      Email: str(a, 'Email', w),
      Name: str(a, 'Name', w),
      Status: str(a, 'Status', w),
      State: str(a, 'State', w),
      JoinedMethod: str(a, 'JoinedMethod', w),
      JoinedTimestamp: time(a, 'JoinedTimestamp', w),
      ParentId: str(a, 'ParentId', w),
    });
  });
  out.Policies = list(data, 'Policies', where).map((p, i) => {
    const w = `${where}.Policies[${i}]`;
    const s = isObj(p.PolicySummary) ? p.PolicySummary : fail(w, 'PolicySummary should be an object (list-policies .Policies[])');
    const sw = `${w}.PolicySummary`;
    const content = str(p, 'Content', w, true)!;
    return {
      PolicySummary: compact({
        Id: str(s, 'Id', sw, true)!,
        Arn: str(s, 'Arn', sw),
        Name: str(s, 'Name', sw),
        Description: str(s, 'Description', sw),
        Type: str(s, 'Type', sw, true)!,
        AwsManaged: bool(s, 'AwsManaged', sw),
      }),
      Content: content,
      Targets: list(p, 'Targets', w)
        .map((t, j) => {
          const tw = `${w}.Targets[${j}]`;
          return compact({ TargetId: str(t, 'TargetId', tw, true)!, Arn: str(t, 'Arn', tw), Name: str(t, 'Name', tw), Type: str(t, 'Type', tw, true)! });
        })
        .sort(byId((t) => t.TargetId)),
    };
  });
  out.Roots.sort(byId((r) => r.Id));
  out.OrganizationalUnits.sort(byId((u) => u.Id));
  out.Accounts.sort(byId((a) => a.Id));
  out.Policies.sort(byId((p) => p.PolicySummary.Id));
  return out;
}

/** ACTIVE accounts (State, or the older Status when State is absent) are scanned; the others are not. */
export function isActiveAccount(a: OrganizationExport['Accounts'][number]): boolean {
  return (a.State ?? a.Status ?? 'ACTIVE') === 'ACTIVE';
}
