/**
 * `--github-enterprise SLUG`: the organisations of a GitHub enterprise, listed through the GraphQL API (the REST API
 * has no such list): `enterprise(slug:) { organizations(first: 100, after:) { nodes { login } pageInfo { ... } } }`,
 * page by page through the same client as the REST calls (counted, retried, rate limits honoured). GitHub Enterprise
 * Server answers at /api/graphql (Octokit derives it from an …/api/v3 base URL).
 *
 * What the list holds depends on the token: GitHub lists the organisations of the enterprise the viewer can see
 * (an enterprise owner sees every one; a member, those they belong to). A classic token needs `read:enterprise`
 * (with `read:org`); an App installation token of one organisation cannot read its enterprise.
 */
import type { CallCounter, ScanContext } from '../../src/engine/types.js';
import type { CoverageNote } from '../../src/model/types.js';
import { describeError, NhiError } from '../../src/util/errors.js';
import { redactUrl } from '../../src/util/url.js';
import { createClient, GraphqlRateLimited, isHttpError, MalformedResponse, RequestTimeout, type ClientOptions } from './client.js';

export const ENTERPRISE_ORGS_QUERY = `query($slug: String!, $after: String) {
  enterprise(slug: $slug) {
    organizations(first: 100, after: $after) {
      nodes { login }
      pageInfo { hasNextPage endCursor }
    }
  }
}`;

interface Page {
  enterprise: null | {
    organizations: { nodes: Array<{ login?: unknown } | null> | null; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
  };
}

/** The `errors` of a GraphQL answer, when Octokit threw them (GraphqlResponseError). */
function graphqlErrors(err: unknown): Array<{ type?: string; message?: string }> | undefined {
  const errors = (err as { errors?: unknown })?.errors;
  return err instanceof Error && err.name === 'GraphqlResponseError' && Array.isArray(errors) ? (errors as Array<{ type?: string; message?: string }>) : undefined;
}

/** One line for what went wrong with a listing call, URLs redacted. */
function explain(err: unknown): { text: string; denied: boolean; notFound: boolean; unauthorised: boolean } {
  const gqlErrors = graphqlErrors(err);
  if (gqlErrors) {
    const types = new Set(gqlErrors.map((e) => e.type ?? ''));
    const text = gqlErrors.map((e) => `${e.type ? `${e.type}: ` : ''}${e.message ?? 'error'}`).join('; ');
    return { text, denied: types.has('FORBIDDEN') || types.has('INSUFFICIENT_SCOPES'), notFound: types.has('NOT_FOUND'), unauthorised: false };
  }
  const attempts = (err as { attempts?: number }).attempts;
  const tries = attempts && attempts > 1 ? ` (${attempts} attempts)` : '';
  if (err instanceof RequestTimeout || err instanceof MalformedResponse || err instanceof GraphqlRateLimited) return { text: `${err.message}${tries}`, denied: false, notFound: false, unauthorised: false };
  const status = isHttpError(err) ? err.status : undefined;
  const text = `${status && isHttpError(err) && err.response ? `HTTP ${status}: ` : ''}${describeError(err).replace(/\bhttps?:\/\/[^\s"'<>]+/gi, (u) => redactUrl(u))}${tries}`;
  return { text, denied: status === 403, notFound: status === 404, unauthorised: status === 401 };
}

/**
 * The logins of the enterprise's organisations, in GitHub's order, each once. A listing that fails after some pages
 * keeps what it read and says so in `notes` (the scan is then incomplete); one that reads nothing throws NhiError.
 */
export async function listEnterpriseOrgs(
  o: ClientOptions & { enterprise: string },
  calls: CallCounter,
  log: ScanContext['log'],
  signal?: AbortSignal,
): Promise<{ orgs: string[]; notes: CoverageNote[] }> {
  const gh = createClient(o, calls, log, signal);
  const orgs: string[] = [];
  const seen = new Set<string>();
  let after: string | null = null;
  for (let page = 1; ; page++) {
    let data: Page;
    try {
      data = await gh.graphql<Page>(ENTERPRISE_ORGS_QUERY, { slug: o.enterprise, after });
    } catch (err) {
      if (signal?.aborted) throw signal.reason ?? err;
      const why = explain(err);
      if (orgs.length === 0) {
        const host = o.url === 'https://api.github.com' ? '' : ` on ${redactUrl(o.url)}`;
        const what = `github: cannot list the organisations of enterprise ${o.enterprise}${host} (${why.text})`;
        if (why.unauthorised) throw new NhiError('CREDENTIALS', what, { cause: err, suggestion: 'the token was refused: check GITHUB_TOKEN / GH_TOKEN (e.g. export GITHUB_TOKEN=$(gh auth token))' });
        throw new NhiError('USAGE', what, {
          cause: err,
          suggestion: why.notFound
            ? 'check --github-enterprise (the slug in https://github.com/enterprises/SLUG) and --github-url; the token must belong to an enterprise member with read:enterprise'
            : why.denied
              ? 'the token needs the read:enterprise scope (classic token) and its user must be an owner or member of the enterprise; or name the organisations with --github-org'
              : 'try again later, or name the organisations with --github-org',
        });
      }
      return {
        orgs,
        notes: [
          {
            connector: 'github',
            source: 'github:POST /graphql',
            scope: `enterprise ${o.enterprise}`,
            reason: why.denied ? 'permission-denied' : /rate limit/i.test(why.text) ? 'throttled' : 'error',
            message: `the organisation list of enterprise ${o.enterprise} stopped at page ${page}: ${why.text}`.split('\n')[0],
            impact: `organisations after the first ${orgs.length} listed are not scanned`,
            incomplete: true,
          },
        ],
      };
    }
    if (!data?.enterprise) {
      // GitHub answers `enterprise: null` (with a NOT_FOUND error, thrown above) for a slug it does not show this token
      throw new NhiError('USAGE', `github: enterprise ${o.enterprise} was not found, or this token cannot see it`, {
        suggestion: 'check --github-enterprise (the slug in https://github.com/enterprises/SLUG); the token needs read:enterprise',
      });
    }
    const conn = data.enterprise.organizations;
    for (const n of conn?.nodes ?? []) {
      const login = n && typeof n.login === 'string' ? n.login : undefined;
      if (!login || seen.has(login.toLowerCase())) continue;
      seen.add(login.toLowerCase());
      orgs.push(login);
    }
    if (!conn?.pageInfo?.hasNextPage || !conn.pageInfo.endCursor || conn.pageInfo.endCursor === after) break;
    after = conn.pageInfo.endCursor;
  }
  if (orgs.length === 0) {
    throw new NhiError('USAGE', `github: enterprise ${o.enterprise} lists no organisation this token can see`, {
      suggestion: 'an enterprise owner sees every organisation, a member only those they belong to; or name the organisations with --github-org',
    });
  }
  return { orgs, notes: [] };
}
