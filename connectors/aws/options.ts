import { z } from 'zod';

/**
 * Options of the AWS connector. All are optional: with any of the file options set the scan is offline,
 * otherwise it calls IAM with the credentials the options (or the environment) point to.
 */
export const awsOptionsSchema = z
  .object({
    /** offline: output of `aws iam get-account-authorization-details` (JSON) */
    fromFile: z.string().min(1).optional(),
    /** offline organisation: a folder with organization.json and one sub-folder of exports per account */
    fromDir: z.string().min(1).optional(),
    /** live: scan every active account of the AWS organisation (from the management or a delegated admin account) */
    organization: z.boolean().default(false),
    /** live organisation: the role assumed in each member account */
    memberRole: z.string().min(1).max(64).default('OrganizationAccountAccessRole'),
    /** live organisation: accounts scanned at the same time */
    accountConcurrency: z.number().int().min(1).max(64).default(4),
    /** offline: the decoded IAM credential report (CSV) */
    credentialReport: z.string().min(1).optional(),
    /** offline: service last-accessed data (JSON, see docs/connectors/aws.md) */
    lastAccessed: z.string().min(1).optional(),
    /** live: named profile from the shared AWS config files */
    profile: z.string().min(1).optional(),
    /** live: role to assume before scanning */
    roleArn: z.string().min(1).optional(),
    /** live: external id for roleArn (with `organization`: for the member role) */
    externalId: z.string().min(1).optional(),
    /** live: region for the API calls (IAM is global) */
    region: z.string().min(1).optional(),
    /** live: IAM endpoint override (LocalStack, proxies, tests); an organisation scan sends Organizations and STS calls there too */
    endpoint: z.string().url().optional(),
    /** live: run service last-accessed jobs per principal */
    serviceLastAccessed: z.boolean().default(true),
    /** live: service last-accessed jobs in flight */
    lastAccessedConcurrency: z.number().int().min(1).max(64).default(5),
    /** live: delay between polls of asynchronous IAM jobs (credential report, last accessed) */
    pollIntervalMs: z.number().int().min(0).default(2000),
    /** live: give up on one asynchronous IAM job after this long */
    pollTimeoutMs: z.number().int().min(0).default(120_000),
    /** live: attempts per API call (the SDK's standard retry with back-off on throttling) */
    maxAttempts: z.number().int().min(1).max(20).default(6),
    /** live: one attempt of one call gives up after this long without an answer (no flag: tests and the CLI deadline) */
    requestTimeoutMs: z.number().int().min(1).default(60_000),
  })
  .strict();

export type AwsOptions = z.output<typeof awsOptionsSchema>;

export function isOffline(o: Partial<AwsOptions>): boolean {
  return Boolean(o.fromFile || o.fromDir || o.credentialReport || o.lastAccessed);
}

/** Options as the engine hands them over (already validated), with defaults filled in for direct callers. */
export function resolveOptions(raw: Record<string, unknown>): AwsOptions {
  return awsOptionsSchema.parse(raw);
}
