import { describe, expect, it } from 'vitest';
import { analyzePipeline, pipelineRecords } from '../../src/ci/gitlab-ci.js';

const names = (text: string) => analyzePipeline(text).secretRefs.map((r) => r.name);

describe('.gitlab-ci.yml references', () => {
  it.each([
    ['$VAR and ${VAR} in scripts', 'job:\n  script:\n    - deploy --token $DEPLOY_TOKEN --key ${API_KEY}\n', ['DEPLOY_TOKEN', 'API_KEY']],
    ['Windows %VAR%', 'job:\n  script: ["echo %WIN_SECRET%"]\n', ['WIN_SECRET']],
    ['predefined CI_* / GITLAB_* are skipped', 'job:\n  script: ["echo $CI_COMMIT_SHA $GITLAB_USER_LOGIN $REAL"]\n', ['REAL']],
    ['variables the file defines are skipped', 'variables:\n  LOCAL: "1"\njob:\n  variables:\n    JOBVAR: x\n  script: ["echo $LOCAL $JOBVAR $FROM_SETTINGS"]\n', ['FROM_SETTINGS']],
    ['rules: if: $VAR', 'job:\n  rules:\n    - if: $DEPLOY_ENABLED == "true"\n  script: [make]\n', ['DEPLOY_ENABLED']],
    ['anchors are counted where written', '.tpl: &tpl\n  script: ["echo $SHARED"]\na:\n  <<: *tpl\nb:\n  <<: *tpl\n', ['SHARED']],
    ['extends and !reference tags parse', '.base:\n  script: ["echo $BASE_SECRET"]\njob:\n  extends: .base\n  after_script:\n    - !reference [.base, script]\n', ['BASE_SECRET']],
  ])('%s', (_l, text, expected) => {
    expect(names(text)).toEqual(expected);
  });

  it('positions and jobs', () => {
    const a = analyzePipeline('stages: [deploy]\ndeploy:\n  stage: deploy\n  script:\n    - curl -H "PRIVATE-TOKEN: $TOKEN" https://x\n');
    expect(a.secretRefs).toEqual([{ name: 'TOKEN', line: 5, column: 31, job: 'deploy' }]);
  });

  it('include is counted, not followed', () => {
    expect(analyzePipeline('include:\n  - project: acme/templates\n    file: /ci.yml\n  - local: /x.yml\njob: {script: [make]}\n').includes).toBe(2);
  });

  it('malformed YAML: a parse error with a line, the node still exists, never a throw', () => {
    const a = analyzePipeline('job:\n  script: [unterminated\n');
    expect(a.parseError).toMatch(/^invalid YAML at line \d+/);
    const records = pipelineRecords({ project: 'acme/api', path: '.gitlab-ci.yml', text: 'job:\n  script: [unterminated\n', connector: 'gitlab', source: 's', observedAt: '2026-01-01T00:00:00Z' });
    expect(records[0].type === 'node' && records[0].node.attributes?.parseError).toBeTruthy();
  });
});
