import { describe, expect, it } from 'vitest';
import { IdentityGraph } from '../../src/graph/graph.js';
import { rule } from '../../src/rules/long-lived-cloud-credential-in-ci.js';
import { runRule } from './builders.js';
import { workflow } from './workflow-helpers.js';

const steps = (s: string) => `on: push\njobs:\n  deploy:\n    runs-on: x\n    steps:\n${s}`;

describe('long-lived-cloud-credential-in-ci', () => {
  it.each([
    ['AWS OIDC role', steps('      - uses: aws-actions/configure-aws-credentials@v4\n        with:\n          role-to-assume: arn:aws:iam::123456789012:role/deploy\n')],
    ['GCP workload identity federation', steps('      - uses: google-github-actions/auth@v2\n        with:\n          workload_identity_provider: projects/1/locations/global/workloadIdentityPools/p/providers/g\n          service_account: sa@p.iam.gserviceaccount.com\n')],
    ['azure/login with client-id (OIDC federation)', steps('      - uses: azure/login@v2\n        with:\n          client-id: ${{ secrets.AZURE_CLIENT_ID }}\n          tenant-id: ${{ secrets.AZURE_TENANT_ID }}\n          subscription-id: ${{ secrets.AZURE_SUBSCRIPTION_ID }}\n')],
    ['an unrelated secret in env', steps('      - run: ./notify\n        env:\n          SLACK_WEBHOOK: ${{ secrets.SLACK }}\n')],
  ])('valid: %s', (_l, text) => {
    expect(runRule(rule, IdentityGraph.from(workflow(text)))).toEqual([]);
  });

  it.each([
    ['configure-aws-credentials with keys', steps('      - uses: aws-actions/configure-aws-credentials@v4\n        with:\n          aws-access-key-id: ${{ secrets.KEY_ID }}\n          aws-secret-access-key: ${{ secrets.SECRET }}\n'), ['KEY_ID', 'SECRET'], 6],
    ['AWS keys in step env', steps('      - run: aws s3 ls\n        env:\n          AWS_ACCESS_KEY_ID: ${{ secrets.K }}\n          AWS_SECRET_ACCESS_KEY: ${{ secrets.S }}\n'), ['K', 'S'], 6],
    ['azure/login with creds (a service principal secret)', steps('      - uses: azure/login@v2\n        with:\n          creds: ${{ secrets.AZURE_CREDENTIALS }}\n'), ['AZURE_CREDENTIALS', 'Azure with an Entra service principal secret'], 6],
    ['GCP key JSON', steps('      - uses: google-github-actions/auth@v2\n        with:\n          credentials_json: ${{ secrets.GCP_SA_KEY }}\n'), ['GCP_SA_KEY'], 6],
    ['job-level env', 'on: push\njobs:\n  deploy:\n    runs-on: x\n    env:\n      AWS_ACCESS_KEY_ID: ${{ secrets.K }}\n    steps:\n      - run: aws s3 ls\n', ['K'], 5],
    ['the older AWS_ACCESS_KEY / AWS_SECRET_KEY names', steps('      - run: ./deploy.sh\n        env:\n          AWS_ACCESS_KEY: ${{ secrets.AK }}\n          AWS_SECRET_KEY: ${{ secrets.SK }}\n'), ['AK', 'SK'], 6],
    ['a %YAML 1.1 header (GitHub still reads `on:` as the trigger key)', `%YAML 1.1\n---\n${steps('      - run: aws s3 ls\n        env:\n          AWS_ACCESS_KEY_ID: ${{ secrets.K }}\n')}`, ['K'], 8],
  ])('invalid: %s', (_l, text, secrets, line) => {
    const [f, ...rest] = runRule(rule, IdentityGraph.from(workflow(text)));
    expect(rest).toEqual([]);
    expect(f).toMatchObject({ severity: 'high', location: { startLine: line } });
    for (const s of secrets) expect(f.message).toContain(s);
  });

  it('a step passing AWS keys and a Google key is two findings, each labelled with its own provider', () => {
    const text = steps('      - run: ./both.sh\n        env:\n          AWS_ACCESS_KEY_ID: ${{ secrets.AWS_K }}\n          GOOGLE_CREDENTIALS: ${{ secrets.GCP_JSON }}\n');
    const found = runRule(rule, IdentityGraph.from(workflow(text)));
    expect(found.map((f) => f.message.replace(/^.*authenticates to /, ''))).toEqual(['AWS with AWS access keys from secrets AWS_K', 'Google Cloud with a Google Cloud service account key from secrets GCP_JSON']);
    expect(new Set(found.map((f) => f.fingerprint)).size).toBe(2);
  });

  it('the same keys in several steps of a job are one finding (one fingerprint, each step a line of evidence); another job is another finding', () => {
    const step = (cmd: string) => `      - run: ${cmd}\n        env:\n          AWS_ACCESS_KEY_ID: \${{ secrets.K }}\n          AWS_SECRET_ACCESS_KEY: \${{ secrets.S }}\n`;
    const two = `on: push\njobs:\n  deploy:\n    runs-on: x\n    steps:\n${step('aws s3 sync . s3://b')}${step('aws cloudfront create-invalidation')}  audit:\n    runs-on: x\n    steps:\n${step('aws s3 ls')}`;
    const found = runRule(rule, IdentityGraph.from(workflow(two)));
    expect(found).toHaveLength(2);
    const deploy = found.find((f) => f.message.includes('job deploy'))!;
    expect(deploy.message).toContain('(2 steps)');
    expect(deploy.evidence.map((e) => e.description.split(':')[0])).toEqual(['Line 6', 'Line 10']);
    expect(deploy.location).toMatchObject({ startLine: 6 });
    // lines moving (a comment added on top) keep the fingerprint
    const moved = runRule(rule, IdentityGraph.from(workflow(`# deploys\n${two}`)));
    expect(moved.map((f) => f.fingerprint).sort()).toEqual(found.map((f) => f.fingerprint).sort());
  });
});
