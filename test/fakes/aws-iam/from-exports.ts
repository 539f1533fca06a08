/**
 * Build a FakeEstate from the exports a user would hand to an offline scan (authorization details JSON, credential
 * report CSV, last-accessed JSON), so the same estate can be scanned live through the fake and offline from files.
 * Access key ids do not exist in those exports: deterministic fake ids are made up from the user and slot.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import type { FakeEstate, FakeKey, FakeServiceAccess, PolicyDoc } from './estate.js';

type Json = Record<string, any>;

const iso = (v: unknown): string | undefined => {
  if (typeof v !== 'string' || !v || v === 'N/A' || v === 'no_information' || v === 'not_supported') return undefined;
  const t = Date.parse(v.includes('T') ? v : v.replace(' ', 'T'));
  return Number.isNaN(t) ? undefined : new Date(t).toISOString();
};
const tagMap = (tags: Array<{ Key: string; Value: string }> | undefined) => (tags?.length ? Object.fromEntries(tags.map((t) => [t.Key, t.Value])) : undefined);
const doc = (d: unknown): PolicyDoc => (typeof d === 'string' ? (JSON.parse(decodeURIComponent(d)) as PolicyDoc) : (d as PolicyDoc));
const fakeKeyId = (user: string, slot: number) => `AKIA${createHash('sha256').update(`${user}#${slot}`).digest('hex').slice(0, 16).toUpperCase()}`;

export function estateFromExports(files: { authz: string; credentialReport?: string; lastAccessed?: string }): FakeEstate {
  const authz = JSON.parse(readFileSync(files.authz, 'utf8')) as Json;
  const rows = files.credentialReport ? (parse(readFileSync(files.credentialReport, 'utf8'), { columns: true, skip_empty_lines: true }) as Array<Record<string, string>>) : [];
  const la = files.lastAccessed ? (JSON.parse(readFileSync(files.lastAccessed, 'utf8')) as { generatedAt: string; entities: Record<string, Json> }) : undefined;
  const byUser = new Map(rows.map((r) => [r.user, r]));
  const firstArn: string = authz.UserDetailList?.[0]?.Arn ?? authz.RoleDetailList?.[0]?.Arn;
  const accountId = /::(\d{12}):/.exec(firstArn)?.[1] ?? '000000000000';

  const keysOf = (name: string): FakeKey[] => {
    const r = byUser.get(name);
    if (!r) return [];
    const keys: FakeKey[] = [];
    for (const slot of [1, 2]) {
      const rotated = iso(r[`access_key_${slot}_last_rotated`]);
      if (!rotated) continue;
      const used = iso(r[`access_key_${slot}_last_used_date`]);
      const id = fakeKeyId(name, slot);
      keys.push({
        id,
        secret: `fake/${id}/never-returned-by-these-apis`,
        status: r[`access_key_${slot}_active`] === 'true' ? 'Active' : 'Inactive',
        createDate: rotated,
        ...(used ? { lastUsed: { date: used, service: r[`access_key_${slot}_last_used_service`], region: r[`access_key_${slot}_last_used_region`] } } : {}),
      });
    }
    return keys;
  };

  const root = byUser.get('<root_account>');
  const lastAccessed: Record<string, FakeServiceAccess[]> = {};
  for (const [arn, e] of Object.entries(la?.entities ?? {})) {
    lastAccessed[arn] = (e.ServicesLastAccessed as Json[]).map((s) => ({
      namespace: s.ServiceNamespace,
      name: s.ServiceName,
      lastAuthenticated: iso(s.LastAuthenticated),
      entity: s.LastAuthenticatedEntity,
      region: s.LastAuthenticatedRegion,
      total: s.TotalAuthenticatedEntities ?? 0,
    }));
  }

  return {
    accountId,
    generatedAt: iso(la?.generatedAt) ?? new Date(0).toISOString(),
    users: (authz.UserDetailList ?? []).map((u: Json) => {
      const r = byUser.get(u.UserName);
      return {
        name: u.UserName,
        path: u.Path,
        id: u.UserId,
        createDate: iso(u.CreateDate)!,
        groups: u.GroupList ?? [],
        attached: (u.AttachedManagedPolicies ?? []).map((p: Json) => p.PolicyArn),
        inline: (u.UserPolicyList ?? []).map((p: Json) => ({ name: p.PolicyName, document: doc(p.PolicyDocument) })),
        boundary: u.PermissionsBoundary?.PermissionsBoundaryArn,
        tags: tagMap(u.Tags),
        keys: keysOf(u.UserName),
        ...(r?.password_enabled === 'true' ? { password: { lastChanged: iso(r.password_last_changed)!, lastUsed: iso(r.password_last_used) } } : {}),
        mfa: r?.mfa_active === 'true',
      };
    }),
    roles: (authz.RoleDetailList ?? []).map((r: Json) => ({
      name: r.RoleName,
      path: r.Path,
      id: r.RoleId,
      createDate: iso(r.CreateDate)!,
      trust: doc(r.AssumeRolePolicyDocument),
      attached: (r.AttachedManagedPolicies ?? []).map((p: Json) => p.PolicyArn),
      inline: (r.RolePolicyList ?? []).map((p: Json) => ({ name: p.PolicyName, document: doc(p.PolicyDocument) })),
      boundary: r.PermissionsBoundary?.PermissionsBoundaryArn,
      tags: tagMap(r.Tags),
      ...(r.RoleLastUsed?.LastUsedDate ? { lastUsed: { date: iso(r.RoleLastUsed.LastUsedDate)!, region: r.RoleLastUsed.Region } } : {}),
    })),
    groups: (authz.GroupDetailList ?? []).map((g: Json) => ({
      name: g.GroupName,
      path: g.Path,
      id: g.GroupId,
      createDate: iso(g.CreateDate)!,
      attached: (g.AttachedManagedPolicies ?? []).map((p: Json) => p.PolicyArn),
      inline: (g.GroupPolicyList ?? []).map((p: Json) => ({ name: p.PolicyName, document: doc(p.PolicyDocument) })),
    })),
    policies: (authz.Policies ?? []).map((p: Json) => {
      const v = (p.PolicyVersionList as Json[]).find((x) => x.IsDefaultVersion) ?? p.PolicyVersionList[0];
      return { arn: p.Arn, name: p.PolicyName, id: p.PolicyId, path: p.Path, document: doc(v.Document), createDate: iso(p.CreateDate)!, updateDate: iso(p.UpdateDate)!, defaultVersionId: p.DefaultVersionId };
    }),
    ...(root
      ? {
          root: {
            createDate: iso(root.user_creation_time)!,
            mfa: root.mfa_active === 'true',
            passwordLastUsed: iso(root.password_last_used),
            keys: [1, 2]
              .filter((s) => iso(root[`access_key_${s}_last_rotated`]))
              .map((s) => ({ active: root[`access_key_${s}_active`] === 'true', rotated: iso(root[`access_key_${s}_last_rotated`])!, lastUsed: iso(root[`access_key_${s}_last_used_date`]) })),
          },
        }
      : {}),
    lastAccessed,
  };
}
