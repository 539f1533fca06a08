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
    ['an unrelated secret in env', steps('      - run: ./notify\n        env:\n          SLACK_WEBHOOK: ${{ secrets.SLACK }}\n')],
  ])('valid: %s', (_l, text) => {
    expect(runRule(rule, IdentityGraph.from(workflow(text)))).toEqual([]);
  });

  it.each([
    ['configure-aws-credentials with keys', steps('      - uses: aws-actions/configure-aws-credentials@v4\n        with:\n          aws-access-key-id: ${{ secrets.KEY_ID }}\n          aws-secret-access-key: ${{ secrets.SECRET }}\n'), ['KEY_ID', 'SECRET'], 6],
    ['AWS keys in step env', steps('      - run: aws s3 ls\n        env:\n          AWS_ACCESS_KEY_ID: ${{ secrets.K }}\n          AWS_SECRET_ACCESS_KEY: ${{ secrets.S }}\n'), ['K', 'S'], 6],
    ['GCP key JSON', steps('      - uses: google-github-actions/auth@v2\n        with:\n          credentials_json: ${{ secrets.GCP_SA_KEY }}\n'), ['GCP_SA_KEY'], 6],
    ['job-level env', 'on: push\njobs:\n  deploy:\n    runs-on: x\n    env:\n      AWS_ACCESS_KEY_ID: ${{ secrets.K }}\n    steps:\n      - run: aws s3 ls\n', ['K'], 5],
  ])('invalid: %s', (_l, text, secrets, line) => {
    const [f, ...rest] = runRule(rule, IdentityGraph.from(workflow(text)));
    expect(rest).toEqual([]);
    expect(f).toMatchObject({ severity: 'high', location: { startLine: line } });
    for (const s of secrets) expect(f.message).toContain(s);
  });
});
