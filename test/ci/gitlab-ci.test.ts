import { describe, expect, it } from 'vitest';
import { analyzePipeline, isPredefinedVariable, pipelineId, pipelineRecords } from '../../src/ci/gitlab-ci.js';
import type { WorkloadNode } from '../../src/model/types.js';

const names = (text: string) => analyzePipeline(text).secretRefs.map((r) => r.name);

describe('.gitlab-ci.yml references', () => {
  it.each<[string, string, string[]]>([
    ['$VAR and ${VAR} in scripts', 'job:\n  script:\n    - deploy --token $DEPLOY_TOKEN --key ${API_KEY}\n', ['DEPLOY_TOKEN', 'API_KEY']],
    ['Windows %VAR%', 'job:\n  script: ["echo %WIN_SECRET%"]\n', ['WIN_SECRET']],
    ['predefined CI_* / GITLAB_* are skipped', 'job:\n  script: ["echo $CI_COMMIT_SHA $GITLAB_USER_LOGIN $CI $REAL"]\n', ['REAL']],
    ['names that merely start like a shell variable are kept', 'job:\n  script: ["echo $USER_API_TOKEN $PATH $HOME_DIR_KEY"]\n', ['USER_API_TOKEN', 'HOME_DIR_KEY']],
    ['$$ is an escaped dollar, not a reference', 'job:\n  script: ["echo $$NOT_A_REF $$ ${REAL}"]\n', ['REAL']],
    ['references inside variables blocks', 'variables:\n  URL: "https://$REGISTRY_HOST/v2"\njob:\n  variables:\n    AUTH: "Bearer ${REGISTRY_TOKEN}"\n  script: [make]\n', ['REGISTRY_HOST', 'REGISTRY_TOKEN']],
    ['rules: if: $VAR (job and workflow level)', 'workflow:\n  rules:\n    - if: $PIPELINES_ON\njob:\n  rules:\n    - if: $DEPLOY_ENABLED == "true"\n  script: [make]\n', ['PIPELINES_ON', 'DEPLOY_ENABLED']],
    ['anchors are counted where written, not at every alias', '.tpl: &tpl\n  script: ["echo $SHARED"]\na:\n  <<: *tpl\nb:\n  <<: *tpl\n', ['SHARED']],
    ['extends and !reference tags parse; the template holds the reference', '.base:\n  script: ["echo $BASE_SECRET"]\njob:\n  extends: .base\n  after_script:\n    - !reference [.base, script]\n', ['BASE_SECRET']],
    ['a key is not a reference; block scalars are', 'job:\n  script: |\n    curl -u "$USER_NAME:$USER_PASS" https://x\n', ['USER_NAME', 'USER_PASS']],
    ['a spec header document before the pipeline', 'spec:\n  inputs:\n    env:\n      default: dev\n---\njob:\n  script: ["echo $[[ inputs.env ]] $AFTER_HEADER"]\n', ['AFTER_HEADER']],
    ['empty file', '', []],
  ])('%s', (_l, text, expected) => {
    const a = analyzePipeline(text);
    expect(a.parseError).toBeUndefined();
    expect(names(text)).toEqual(expected);
  });

  it('a name the file gives a value is still a reference (project and group variables override the file), marked as defined', () => {
    const refs = analyzePipeline('variables:\n  LOCAL: "1"\njob:\n  script: ["echo $LOCAL $FROM_SETTINGS"]\n').secretRefs;
    expect(refs.map((r) => [r.name, r.definedInFile === true])).toEqual([
      ['LOCAL', true],
      ['FROM_SETTINGS', false],
    ]);
  });

  it('positions (1-based line and column) and the job each reference sits in', () => {
    const a = analyzePipeline('stages: [deploy]\nbefore_script:\n  - echo $GLOBAL_REF\ndeploy:\n  stage: deploy\n  script:\n    - curl -H "PRIVATE-TOKEN: $TOKEN" https://x\n');
    expect(a.secretRefs).toEqual([
      { name: 'GLOBAL_REF', line: 3, column: 10 },
      { name: 'TOKEN', line: 7, column: 31, job: 'deploy' },
    ]);
  });

  it('jobs: stage, environment (string or name), runner tags, id_tokens, extends; hidden templates are not jobs', () => {
    const a = analyzePipeline(
      [
        '.deploy-tpl:',
        '  image: alpine',
        'build:',
        '  stage: build',
        '  tags: [docker, linux]',
        '  script: [make]',
        'deploy:',
        '  extends: [.deploy-tpl]',
        '  environment:',
        '    name: production',
        '  id_tokens:',
        '    AWS_ID_TOKEN:',
        '      aud: https://gitlab.example.com',
        '  script: [./deploy]',
        'review:',
        '  environment: review/$CI_COMMIT_REF_SLUG',
        '  script: [./review]',
        '',
      ].join('\n'),
    );
    expect(a.jobs).toEqual([
      { id: 'build', line: 3, stage: 'build', runsOn: ['docker', 'linux'], usesIdToken: false },
      { id: 'deploy', line: 7, environment: 'production', usesIdToken: true, extends: ['.deploy-tpl'] },
      { id: 'review', line: 15, environment: 'review/$CI_COMMIT_REF_SLUG', usesIdToken: false },
    ]);
  });

  it('include is listed (every form, and child-pipeline trigger includes), never followed', () => {
    const a = analyzePipeline(
      [
        'include:',
        '  - project: acme/templates',
        '    file: [/ci/build.yml, /ci/test.yml]',
        '  - local: /ci/x.yml',
        '  - remote: https://example.com/ci.yml',
        '  - template: Security/SAST.gitlab-ci.yml',
        '  - component: gitlab.example.com/acme/components/lint@1.0',
        '  - /ci/plain.yml',
        'child:',
        '  trigger:',
        '    include: child.yml',
        '',
      ].join('\n'),
    );
    expect(a.includes.map((i) => [i.kind, i.target, i.job])).toEqual([
      ['project', 'acme/templates:/ci/build.yml,/ci/test.yml', undefined],
      ['local', '/ci/x.yml', undefined],
      ['remote', 'https://example.com/ci.yml', undefined],
      ['template', 'Security/SAST.gitlab-ci.yml', undefined],
      ['component', 'gitlab.example.com/acme/components/lint@1.0', undefined],
      ['local', '/ci/plain.yml', undefined],
      ['local', 'child.yml', 'child'],
    ]);
    expect(a.includes[0].line).toBe(2);
    expect(analyzePipeline('include: https://example.com/x.yml\n').includes).toEqual([{ kind: 'remote', target: 'https://example.com/x.yml', line: 1 }]);
  });

  it.each([
    ['an unterminated flow sequence', 'job:\n  script: [unterminated\n'],
    ['bad indentation', 'job:\n  script:\n    - a\n   - b\n'],
    ['a tab-indented mapping', 'job:\n\tscript: [a]\n'],
  ])('malformed YAML (%s): a one-line parse error with a line, never a throw', (_l, text) => {
    const a = analyzePipeline(text);
    expect(a.parseError).toMatch(/^invalid YAML at line \d+: [^\n]+$/);
    expect(a.secretRefs).toEqual([]);
  });

  it('predefined variable names', () => {
    expect(['CI_JOB_TOKEN', 'GITLAB_USER_EMAIL', 'CI', 'FF_USE_FASTZIP', 'TRIGGER_PAYLOAD'].every(isPredefinedVariable)).toBe(true);
    expect(['DEPLOY_TOKEN', 'CIRCLE_TOKEN', 'GITLABTOKEN', 'DOCKER_AUTH_CONFIG'].some(isPredefinedVariable)).toBe(false);
  });
});

describe('pipelineRecords', () => {
  const base = { project: 'acme/team/api', path: '.gitlab-ci.yml', connector: 'gitlab', source: 'gitlab:GET /projects/:id/repository/files/:path/raw', observedAt: '2026-01-01T00:00:00Z' };

  it('a pipeline workload with the workflow attributes, in scope of its project', () => {
    const records = pipelineRecords({ ...base, text: 'deploy:\n  environment: prod\n  script: ["echo $TOKEN"]\n', scope: 'acme' });
    const node = records.find((r) => r.type === 'node')?.node as WorkloadNode;
    expect(node.id).toBe(pipelineId('acme/team/api', '.gitlab-ci.yml'));
    expect(node.id).toBe('gitlab:pipeline:acme/team/api/.gitlab-ci.yml');
    expect(node).toMatchObject({ kind: 'workload', platform: 'gitlab', type: 'pipeline', scope: 'acme' });
    expect(node.attributes).toMatchObject({ project: 'acme/team/api', repo: 'acme/team/api', path: '.gitlab-ci.yml', jobs: [{ id: 'deploy', environment: 'prod' }], secretRefs: [{ name: 'TOKEN', job: 'deploy', line: 3 }], includes: [] });
    expect(node.attributes?.parseError).toBeUndefined();
    expect(records.filter((r) => r.type === 'edge').map((r) => r.type === 'edge' && [r.edge.type, r.edge.from, r.edge.to])).toEqual([['IN_SCOPE', node.id, 'gitlab:project:acme/team/api']]);
  });

  it('malformed YAML: the node still exists and carries the parse error', () => {
    const records = pipelineRecords({ ...base, text: 'job:\n  script: [unterminated\n' });
    const node = records.find((r) => r.type === 'node')?.node as WorkloadNode;
    expect(node.attributes?.parseError).toMatch(/^invalid YAML at line 3/);
    expect(node.attributes?.secretRefs).toEqual([]);
    expect(node.scope).toBe('acme');
  });
});

describe('.gitlab-ci.yml analysis never throws and stays bounded', () => {
  it('over 1 MiB (GitLab refuses CI files over 1 MB): a parse error, not parsed', () => {
    expect(analyzePipeline(`job:\n  script: ["${'x'.repeat(1024 * 1024)}"]\n`).parseError).toBe('is 1.0 MiB, more than the 1 MiB a CI file may be');
  });

  it.each([
    ['flow brackets', `job: ${'{a: '.repeat(200_000)}1${'}'.repeat(200_000)}\n`],
    ['150 levels (GitLab allows 100)', `job: ${'['.repeat(150)}${']'.repeat(150)}\n`],
    ['deep block mappings', `job:\n${Array.from({ length: 1200 }, (_, i) => `${' '.repeat(i + 1)}k${i}:`).join('\n')} $DEEP\n`],
  ])('nesting too deep (%s) is a parse error in words, never a stack overflow', (_name, text) => {
    const a = analyzePipeline(text);
    expect(a.parseError).toMatch(/nests deeper than 100 levels$/);
  });
});
