/** Small helpers for IAM ARNs and policy documents (no I/O). */

export interface ParsedArn {
  partition: string;
  service: string;
  region: string;
  account: string;
  /** everything after the account: `user/path/name`, `role/name`, `root`, `oidc-provider/host` */
  resource: string;
}

export function parseArn(arn: string): ParsedArn | undefined {
  if (typeof arn !== 'string' || !arn.startsWith('arn:')) return undefined;
  const parts = arn.split(':');
  if (parts.length < 6) return undefined;
  return { partition: parts[1], service: parts[2], region: parts[3], account: parts[4], resource: parts.slice(5).join(':') };
}

export function accountOfArn(arn: string | undefined): string | undefined {
  if (!arn) return undefined;
  const p = parseArn(arn);
  return p && /^\d{12}$/.test(p.account) ? p.account : undefined;
}

/** The last path segment of an ARN resource (`user/ci/bot` -> `bot`). */
export function nameOfArn(arn: string): string {
  const p = parseArn(arn);
  const res = p ? p.resource : arn;
  const i = res.lastIndexOf('/');
  return i >= 0 ? res.slice(i + 1) : res;
}

export type IamArnKind = 'user' | 'role' | 'group' | 'root' | 'assumed-role' | 'oidc-provider' | 'saml-provider' | 'policy' | 'other';

export function iamArnKind(arn: string): IamArnKind {
  const p = parseArn(arn);
  if (!p) return 'other';
  if (p.service === 'sts' && p.resource.startsWith('assumed-role/')) return 'assumed-role';
  if (p.service !== 'iam') return 'other';
  if (p.resource === 'root') return 'root';
  const head = p.resource.split('/')[0];
  switch (head) {
    case 'user':
    case 'role':
    case 'group':
    case 'oidc-provider':
    case 'saml-provider':
    case 'policy':
      return head;
    default:
      return 'other';
  }
}

/** Node id of a user / role / group ARN, or undefined for other ARNs. */
export function principalIdOfArn(arn: string): string | undefined {
  switch (iamArnKind(arn)) {
    case 'user':
      return `aws:iam-user:${arn}`;
    case 'role':
      return `aws:iam-role:${arn}`;
    case 'group':
      return `aws:iam-group:${arn}`;
    case 'root': {
      const acct = accountOfArn(arn);
      return acct ? `aws:root:${acct}` : undefined;
    }
    default:
      return undefined;
  }
}

/** `x` or `[x, y]` or nothing -> array. */
export function asArray<T>(v: T | T[] | undefined | null): T[] {
  if (v === undefined || v === null) return [];
  return Array.isArray(v) ? v : [v];
}

/**
 * A policy document as IAM or an export carries it: an object, a JSON string, or a URL-encoded JSON string
 * (the API's form). Returns the parsed object, or undefined when it cannot be decoded.
 */
export function decodePolicyDocument(doc: unknown): unknown {
  if (doc === undefined || doc === null || doc === '') return undefined;
  if (typeof doc === 'object') return doc;
  if (typeof doc !== 'string') return undefined;
  const s = doc.trim();
  if (s.startsWith('{')) {
    try {
      return JSON.parse(s);
    } catch {
      // fall through: maybe partly encoded
    }
  }
  try {
    // the API's form: RFC 3986 percent-encoding (a literal '+' arrives as %2B)
    return JSON.parse(decodeURIComponent(s));
  } catch {
    return undefined;
  }
}
