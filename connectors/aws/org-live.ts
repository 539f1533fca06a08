/**
 * `nhi scan --aws-organization`: the organisation live. From the management account (or a delegated administrator)
 * the Organizations API gives the tree of roots, OUs and accounts and the SCPs and RCPs with their documents and
 * targets; then every ACTIVE account is scanned with the single-account live scan (live.ts), through the member role
 * assumed with STS, a few accounts at a time. The account the scan runs from is scanned with the caller's own
 * credentials (no role is assumed into it). An account that cannot be entered or read is a coverage note naming it;
 * the others complete.
 */
import {
  DescribeOrganizationCommand,
  DescribePolicyCommand,
  OrganizationsClient,
  paginateListAccounts,
  paginateListAccountsForParent,
  paginateListOrganizationalUnitsForParent,
  paginateListPolicies,
  paginateListRoots,
  paginateListTargetsForPolicy,
} from '@aws-sdk/client-organizations';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import pLimit from 'p-limit';
import type { CallCounter, ScanContext } from '../../src/engine/types.js';
import type { CoverageNote, GraphRecord } from '../../src/model/types.js';
import { NhiError } from '../../src/util/errors.js';
import { safeLine } from '../../src/util/text.js';
import { accountTarget, attemptsOf, callOptions, classifyError, clientConfig, countCalls, errName, scanLive, type JobTiming } from './live.js';
import { CONNECTOR_ID } from './map.js';
import type { AwsOptions } from './options.js';
import { isActiveAccount, normaliseOrganization } from './org-export.js';
import { mapOrganization, type OrganizationExport } from './organization.js';

const POLICY_TYPES = ['SERVICE_CONTROL_POLICY', 'RESOURCE_CONTROL_POLICY'] as const;
const SESSION_NAME = 'nhi-drift';

export function createOrganizationsClient(o: AwsOptions, calls?: CallCounter): OrganizationsClient {
  const client = new OrganizationsClient(clientConfig(o));
  if (calls) countCalls(client, 'organizations', calls);
  return client;
}

export function createStsClient(o: AwsOptions, calls?: CallCounter): STSClient {
  const client = new STSClient(clientConfig(o));
  if (calls) countCalls(client, 'sts', calls);
  return client;
}

function note(source: string, message: string, impact: string, incomplete: boolean, reason: CoverageNote['reason'], scope?: string): CoverageNote {
  return { connector: CONNECTOR_ID, source, reason, message: message.replace(/\s+/g, ' '), impact, incomplete, ...(scope ? { scope } : {}) };
}

function failure(op: string, err: unknown): string {
  const info = classifyError(err);
  return info.reason === 'permission-denied' ? `${op} was denied (${info.name})` : `${op} failed (${info.name}: ${info.text}${attemptsOf(err)})`;
}

/**
 * The organisation as the API gives it (OrganizationExport), and notes for what could not be read. Fails (NhiError)
 * only when there is no organisation to read: not in one, or not allowed to list it (not the management account nor a
 * delegated administrator).
 */
export async function collectOrganization(client: OrganizationsClient, ctx: ScanContext): Promise<{ org: OrganizationExport; notes: CoverageNote[] }> {
  const notes: CoverageNote[] = [];
  const opts = callOptions(ctx);
  const fatal = (op: string, err: unknown): never => {
    if (ctx.signal?.aborted) throw ctx.signal.reason ?? err;
    if (errName(err) === 'AWSOrganizationsNotInUseException') {
      throw new NhiError('INPUT', 'the account is not in an AWS organisation (AWSOrganizationsNotInUseException)', { suggestion: 'drop --aws-organization to scan this one account' });
    }
    const denied = classifyError(err).reason === 'permission-denied';
    throw new NhiError('INTERNAL', `organizations:${failure(op, err)}`, {
      cause: err,
      suggestion: denied ? 'run from the management account or a delegated administrator, with organizations:Describe* and organizations:List* (see `nhi permissions aws`)' : undefined,
    });
  };
  const raw: { Organization?: unknown; Roots: unknown[]; OrganizationalUnits: unknown[]; Accounts: unknown[]; Policies: unknown[] } = { Roots: [], OrganizationalUnits: [], Accounts: [], Policies: [] };

  ctx.progress('organisation: reading the tree');
  try {
    raw.Organization = (await client.send(new DescribeOrganizationCommand({}), opts)).Organization;
  } catch (err) {
    fatal('DescribeOrganization', err);
  }
  try {
    for await (const page of paginateListRoots({ client }, {}, opts)) raw.Roots.push(...(page.Roots ?? []));
  } catch (err) {
    fatal('ListRoots', err);
  }

  // the tree, level by level: OUs and accounts under each parent
  const limit = pLimit(Math.max(1, Math.min(ctx.concurrency, 4)));
  const parentOf = new Map<string, string>();
  let level = (raw.Roots as Array<{ Id?: string }>).map((r) => r.Id).filter((id): id is string => Boolean(id));
  while (level.length > 0) {
    const next: string[] = [];
    await Promise.all(
      level.map((parent) =>
        limit(async () => {
          try {
            for await (const page of paginateListOrganizationalUnitsForParent({ client }, { ParentId: parent }, opts)) {
              for (const ou of page.OrganizationalUnits ?? []) {
                raw.OrganizationalUnits.push({ ...ou, ParentId: parent });
                if (ou.Id) next.push(ou.Id);
              }
            }
            for await (const page of paginateListAccountsForParent({ client }, { ParentId: parent }, opts)) {
              for (const a of page.Accounts ?? []) if (a.Id) parentOf.set(a.Id, parent);
            }
          } catch (err) {
            if (ctx.signal?.aborted) throw ctx.signal.reason ?? err;
            const what = classifyError(err).reason === 'permission-denied' ? 'organizations:ListOrganizationalUnitsForParent or ListAccountsForParent was denied' : `listing under ${parent} failed (${classifyError(err).name})`;
            notes.push(note('organizations:ListOrganizationalUnitsForParent', `organisation: ${what} for ${parent}`, 'the OUs below it are missing and its accounts have no parent: SCPs and RCPs attached along that branch are not applied to them', true, classifyError(err).reason));
          }
        }),
      ),
    );
    level = next.sort();
  }

  // every account (the tree gave their parents); the cross-check: one the tree did not show has no parent
  try {
    for await (const page of paginateListAccounts({ client }, {}, opts)) for (const a of page.Accounts ?? []) raw.Accounts.push({ ...a, ParentId: a.Id ? parentOf.get(a.Id) : undefined });
  } catch (err) {
    fatal('ListAccounts', err);
  }
  const listed = new Set((raw.Accounts as Array<{ Id?: string }>).map((a) => a.Id));
  const orphans = (raw.Accounts as Array<{ Id?: string; ParentId?: string }>).filter((a) => !a.ParentId).map((a) => a.Id);
  if (orphans.length > 0 && notes.length === 0) {
    notes.push(note('organizations:ListAccountsForParent', `organisation: ${orphans.length} account(s) listed by ListAccounts were under no root or OU (first: ${orphans.slice(0, 3).join(', ')}); the organisation changed during the scan?`, 'SCPs and RCPs of their OUs are not applied to them', true, 'error'));
  }
  const unlisted = [...parentOf.keys()].filter((id) => !listed.has(id));
  if (unlisted.length > 0) ctx.log.debug(`aws: ${unlisted.length} accounts under OUs were not in ListAccounts (joined during the scan?)`);

  // SCPs and RCPs, each with its document and where it is attached
  ctx.progress('organisation: reading SCPs and RCPs');
  for (const type of POLICY_TYPES) {
    const summaries: Array<{ Id?: string }> = [];
    try {
      for await (const page of paginateListPolicies({ client }, { Filter: type }, opts)) summaries.push(...(page.Policies ?? []));
    } catch (err) {
      if (ctx.signal?.aborted) throw ctx.signal.reason ?? err;
      if (errName(err) === 'PolicyTypeNotEnabledException') {
        notes.push(note(`organizations:ListPolicies`, `organisation: the policy type ${type} is not enabled`, `no ${type === 'SERVICE_CONTROL_POLICY' ? 'SCP' : 'RCP'} limits any account`, false, 'unsupported'));
      } else {
        notes.push(note('organizations:ListPolicies', `organisation: ${failure(`ListPolicies (${type})`, err)}`, `${type === 'SERVICE_CONTROL_POLICY' ? 'SCPs' : 'RCPs'} are unknown: what they deny is not applied`, true, classifyError(err).reason));
      }
      continue;
    }
    const failed: string[] = [];
    let lastErr: unknown;
    await Promise.all(
      summaries.map((s) =>
        limit(async () => {
          if (!s.Id) return;
          try {
            const d = await client.send(new DescribePolicyCommand({ PolicyId: s.Id }), opts);
            const targets: unknown[] = [];
            for await (const page of paginateListTargetsForPolicy({ client }, { PolicyId: s.Id }, opts)) targets.push(...(page.Targets ?? []));
            raw.Policies.push({ PolicySummary: d.Policy?.PolicySummary ?? s, Content: d.Policy?.Content, Targets: targets });
          } catch (err) {
            if (ctx.signal?.aborted) throw ctx.signal.reason ?? err;
            failed.push(s.Id);
            lastErr = err;
          }
        }),
      ),
    );
    if (failed.length > 0) {
      notes.push(
        note(
          'organizations:DescribePolicy',
          `organisation: ${failed.length} ${type} document(s) or targets could not be read (first: ${failed.sort().slice(0, 3).join(', ')}; ${failure('DescribePolicy / ListTargetsForPolicy', lastErr)})`,
          'those policies are left out: what they deny is not applied',
          true,
          classifyError(lastErr).reason,
        ),
      );
    }
  }
  try {
    return { org: normaliseOrganization(raw, 'the Organizations API answer'), notes };
  } catch (err) {
    throw new NhiError('INTERNAL', `organizations: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
}

/**
 * Credentials of a member role, refreshed five minutes before they expire (a long account scan outlives the
 * default hour). The first call tells whether the role can be assumed at all.
 */
function assumeRoleCredentials(sts: STSClient, roleArn: string, externalId: string | undefined, ctx: ScanContext): AwsCredentialIdentityProvider {
  let current: Promise<AwsCredentialIdentity> | undefined;
  let expires = 0;
  return () => {
    if (!current || Date.now() > expires - 5 * 60_000) {
      const p = sts
        .send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: SESSION_NAME, ...(externalId ? { ExternalId: externalId } : {}) }), callOptions(ctx))
        .then((r) => {
          const c = r.Credentials;
          if (!c?.AccessKeyId || !c.SecretAccessKey) throw new Error('AssumeRole returned no credentials');
          expires = c.Expiration ? c.Expiration.getTime() : Date.now() + 3_600_000;
          return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken, expiration: c.Expiration };
        });
      p.catch(() => {
        if (current === p) current = undefined;
      });
      current = p;
    }
    return current;
  };
}

export function memberRoleArn(account: string, role: string): string {
  return `arn:aws:iam::${account}:role/${role}`;
}

/** A queue the account workers push finished records into and the scan generator reads from, in the order they finish. */
class Finished {
  private readonly items: GraphRecord[][] = [];
  private wake: (() => void) | undefined;
  private open = true;
  push(batch: GraphRecord[]): void {
    this.items.push(batch);
    this.wake?.();
  }
  close(): void {
    this.open = false;
    this.wake?.();
  }
  async *drain(): AsyncGenerator<GraphRecord> {
    for (;;) {
      const batch = this.items.shift();
      if (batch) {
        yield* batch;
        continue;
      }
      if (!this.open) return;
      await new Promise<void>((r) => (this.wake = r));
      this.wake = undefined;
    }
  }
}

export async function* scanOrganizationLive(ctx: ScanContext, o: AwsOptions): AsyncGenerator<GraphRecord> {
  const orgClient = createOrganizationsClient(o, ctx.calls);
  const sts = createStsClient(o, ctx.calls);
  try {
    const { org, notes } = await collectOrganization(orgClient, ctx);
    let caller: string | undefined;
    try {
      caller = (await sts.send(new GetCallerIdentityCommand({}), callOptions(ctx))).Account;
    } catch (err) {
      if (ctx.signal?.aborted) throw ctx.signal.reason ?? err;
      ctx.log.debug(`aws: sts:GetCallerIdentity failed (${classifyError(err).name}): every account is entered through the member role`);
    }
    const active = org.Accounts.filter(isActiveAccount);
    const inactive = org.Accounts.filter((a) => !isActiveAccount(a));
    if (inactive.length > 0) {
      notes.push(note('organizations:ListAccounts', `organisation: ${inactive.length} account(s) are not ACTIVE and were not scanned (${inactive.slice(0, 3).map((a) => `${a.Id} ${a.State ?? a.Status}`).join(', ')}${inactive.length > 3 ? ', …' : ''})`, 'their identities are not in the scan', false, 'unsupported'));
    }
    ctx.progress(`organisation: ${org.Accounts.length} accounts, ${org.OrganizationalUnits.length} OUs, ${org.Policies.length} SCPs/RCPs; scanning ${active.length} accounts, ${o.accountConcurrency} at a time`);

    const finished = new Finished();
    const scanned: string[] = [];
    let done = 0;
    const limit = pLimit(o.accountConcurrency);
    // how long last-accessed jobs take, learnt once for all accounts (each has too few jobs to learn it alone)
    const timing: JobTiming = { settle: 0 };
    const label = (a: OrganizationExport['Accounts'][number]) => `account ${a.Id}${a.Name ? ` (${safeLine(a.Name).slice(0, 60)})` : ''}`;
    const scanOne = async (a: OrganizationExport['Accounts'][number]): Promise<void> => {
      const id = a.Id;
      const own = caller === id;
      const roleArn = memberRoleArn(id, o.memberRole);
      const records: GraphRecord[] = [];
      const end = (what: string) => {
        done++;
        ctx.progress(`${label(a)}: ${what} [${done}/${active.length}]`, { milestone: true });
      };
      let credentials: AwsCredentialIdentityProvider | undefined;
      if (!own) {
        credentials = assumeRoleCredentials(sts, roleArn, o.externalId, ctx);
        try {
          await credentials();
        } catch (err) {
          if (ctx.signal?.aborted) throw ctx.signal.reason ?? err;
          const info = classifyError(err);
          finished.push([
            { type: 'coverage', coverage: note('sts:AssumeRole', `${label(a)} was not scanned: sts:${failure(`AssumeRole of ${roleArn}`, err)}`, 'the identities of that account are not in the scan', true, info.reason, id) },
          ]);
          end(`not scanned (AssumeRole: ${info.name})`);
          return;
        }
      }
      // the member role's (or the caller's) scan; its progress goes under the account's name, at debug level
      // a signal of its own: the account's waits listen on it, not on the scan's (accounts in parallel would add up
      // past Node's listener-leak warning)
      const sub: ScanContext = { ...ctx, progress: (m) => ctx.log.debug(`aws: ${label(a)}: ${m}`), ...(ctx.signal ? { signal: AbortSignal.any([ctx.signal]) } : {}) };
      records.push({ type: 'target', target: accountTarget(id) });
      try {
        // the account's target is the organisation's id for it (one per account, even when it holds no identity)
        for await (const r of scanLive(sub, o, credentials, timing)) if (r.type !== 'target') records.push(r);
      } catch (err) {
        if (ctx.signal?.aborted) throw ctx.signal.reason ?? err;
        const info = classifyError(err instanceof NhiError && err.cause !== undefined ? err.cause : err);
        const message = err instanceof NhiError ? err.message : `${info.name}: ${info.text}`;
        finished.push([
          { type: 'coverage', coverage: note('iam:GetAccountAuthorizationDetails', `${label(a)} was not scanned: ${message}`, 'the identities of that account are not in the scan', true, info.reason, id) },
        ]);
        end(`failed (${info.name})`);
        return;
      }
      scanned.push(id);
      finished.push(records);
      end(`done, ${records.length} records${own ? ' (the caller\u2019s own account, no role assumed)' : ''}`);
    };
    const all = Promise.all(active.map((a) => limit(() => scanOne(a)))).finally(() => finished.close());
    // a worker that throws (cancelled, deadline): the drain ends and the error surfaces below
    all.catch(() => finished.close());
    yield* finished.drain();
    await all;

    const mapped = mapOrganization(org, { now: ctx.now, source: 'api:organizations', scannedAccounts: scanned.sort() });
    for (const r of mapped.records) yield r;
    for (const n of [...notes, ...mapped.notes]) yield { type: 'coverage', coverage: n };
  } finally {
    orgClient.destroy();
    sts.destroy();
  }
}
