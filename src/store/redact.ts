/**
 * Defence in depth: connectors drop secret values at their boundary, and this guard makes sure nothing that looks like
 * one is ever written to the store. Attribute keys that name a secret value are removed, and string values that match a
 * known credential format are replaced. Ids such as access key ids (AKIA...) are metadata, not secrets, and are kept.
 */

const SECRET_KEYS = new Set(
  [
    'secret',
    'secretvalue',
    'secretaccesskey',
    'secret_access_key',
    'sessiontoken',
    'session_token',
    'privatekey',
    'private_key',
    'password',
    'clientsecret',
    'client_secret',
    'token',
    'value',
  ].map((k) => k.toLowerCase()),
);

const SECRET_PATTERNS: RegExp[] = [
  /-----BEGIN [A-Z ]*PRIVATE KEY-----/, // PEM private keys
  /\bgh[pousr]_[A-Za-z0-9]{36,}\b/, // GitHub tokens
  /\bgithub_pat_[A-Za-z0-9_]{22,}\b/, // GitHub fine-grained tokens
  /\bglpat-[A-Za-z0-9_-]{20,}\b/, // GitLab personal access tokens
  /(?:aws_secret_access_key|SecretAccessKey)["'\s:=]+[A-Za-z0-9/+=]{40}\b/, // an AWS secret key with its label
];

export const REDACTED = '[redacted]';

export interface RedactionStats {
  removedKeys: number;
  replacedValues: number;
}

/** Does an attribute key name a secret value (`password`, `clientSecret`, `token`, `value`, ...)? */
export function isSecretKey(key: string): boolean {
  return SECRET_KEYS.has(key.toLowerCase());
}

export function looksLikeSecret(value: string): boolean {
  return SECRET_PATTERNS.some((re) => re.test(value));
}

/** A deep copy of `value` without secret-named keys and with secret-looking strings replaced. */
export function redactSecrets<T>(value: T, stats: RedactionStats = { removedKeys: 0, replacedValues: 0 }): T {
  const walk = (v: unknown, inAttributes: boolean): unknown => {
    if (typeof v === 'string') {
      if (looksLikeSecret(v)) {
        stats.replacedValues++;
        return REDACTED;
      }
      return v;
    }
    if (Array.isArray(v)) return v.map((x) => walk(x, inAttributes));
    if (v && typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
        // secret-named keys are dropped inside free-form attribute bags; top-level model fields are typed and safe
        if (inAttributes && isSecretKey(k) && x !== null && typeof x !== 'boolean' && typeof x !== 'object') {
          stats.removedKeys++;
          continue;
        }
        out[k] = walk(x, inAttributes || k === 'attributes' || k === 'data');
      }
      return out;
    }
    return v;
  };
  return walk(value, false) as T;
}
