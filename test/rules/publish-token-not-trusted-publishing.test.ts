import { describe, expect, it } from 'vitest';
import { IdentityGraph } from '../../src/graph/graph.js';
import { registriesOfSecret, rule } from '../../src/rules/publish-token-not-trusted-publishing.js';
import { runRule } from './builders.js';
import { WF_ID, workflow } from './workflow-helpers.js';

/** one job `release` (line 3) whose steps start on line 6; `perms` is inserted after runs-on */
const wf = (steps: string, opts: { on?: string; perms?: string; head?: string } = {}) =>
  `on: ${opts.on ?? 'push'}\n${opts.head ?? ''}jobs:\n  release:\n    runs-on: x\n${opts.perms ?? ''}    steps:\n${steps}`;
const ID_TOKEN = '    permissions:\n      id-token: write\n';
const run = (script: string, env = '', name?: string) => `      - ${name ? `name: ${name}\n        ` : ''}run: ${script}\n${env ? `        env:\n${env}` : ''}`;
const env = (key: string, secret: string) => `          ${key}: \${{ secrets.${secret} }}\n`;
const uses = (ref: string, inputs: Record<string, string> = {}) =>
  `      - uses: ${ref}\n${Object.keys(inputs).length ? `        with:\n${Object.entries(inputs).map(([k, v]) => `          ${k}: ${v}\n`).join('')}` : ''}`;
const SETUP_NODE = uses('actions/setup-node@v4', { 'registry-url': 'https://registry.npmjs.org' });
const GH_PACKAGES = uses('actions/setup-node@v4', { 'registry-url': 'https://npm.pkg.github.com' });

describe('publish-token-not-trusted-publishing', () => {
  it.each([
    ['npm trusted publishing: id-token: write at job level, no NODE_AUTH_TOKEN', wf(`${SETUP_NODE}${run('npm publish --provenance')}`, { perms: ID_TOKEN })],
    ['pypa/gh-action-pypi-publish without a password', wf(uses('pypa/gh-action-pypi-publish@release/v1'), { perms: ID_TOKEN })],
    ['pypa/gh-action-pypi-publish with a password to a private index', wf(uses('pypa/gh-action-pypi-publish@release/v1', { password: '${{ secrets.PYPI_TOKEN }}', 'repository-url': 'https://pkgs.example.com/pypi/upload' }))],
    ['a `twine check` step next to a PyPI token', wf(run('twine check dist/*', env('TWINE_PASSWORD', 'PYPI_API_TOKEN')))],
    ['npm publish to GitHub Packages with GITHUB_TOKEN', wf(`${GH_PACKAGES}${run('npm publish', env('NODE_AUTH_TOKEN', 'GITHUB_TOKEN'))}`)],
    ['npm publish to GitHub Packages with a token secret (a private registry)', wf(`${GH_PACKAGES}${run('npm publish', env('NODE_AUTH_TOKEN', 'NPM_TOKEN'))}`)],
    ['an npm token to install private packages, no publishing', wf(run('npm ci', env('NODE_AUTH_TOKEN', 'NPM_TOKEN')))],
    ['npm dist-tag in a step called "Tag release"', wf(run('npm dist-tag add pkg@1.0.0 latest', env('NODE_AUTH_TOKEN', 'NPM_TOKEN'), 'Tag release'))],
    ['a "Publish docs" step in a workflow whose env holds NPM_TOKEN', wf(run('./scripts/deploy-docs.sh', '', 'Publish docs'), { head: 'env:\n  NPM_TOKEN: ${{ secrets.NPM_TOKEN }}\n' })],
    ['`make prepublish` (a build) with an npm token', wf(run('make prepublish', env('NPM_TOKEN', 'NPM_TOKEN')))],
    ['crates.io trusted publishing through rust-lang/crates-io-auth-action', wf(`      - uses: rust-lang/crates-io-auth-action@v1\n        id: auth\n${run('cargo publish', '          CARGO_REGISTRY_TOKEN: ${{ steps.auth.outputs.token }}\n')}`, { perms: ID_TOKEN })],
    ['rubygems/release-gem with id-token: write and no key', wf(uses('rubygems/release-gem@v1'), { perms: ID_TOKEN })],
    ['NuGet/login (NUGET_USER is an account name) and the key it returns', wf(`${uses('NuGet/login@v1', { user: '${{ secrets.NUGET_USER }}' })}${run('dotnet nuget push x.nupkg --api-key ${{ steps.login.outputs.NUGET_API_KEY }}')}`, { perms: ID_TOKEN })],
    ['a secret named like a registry that is not a credential', wf(run('cargo publish', env('CARGO_AUDIT_OPTIONS', 'CARGO_AUDIT_OPTIONS')))],
    ['`dart pub get` (ambiguous) with a pub.dev token given to another step', wf(`${run('dart pub get')}${run('./tool.sh', env('PUB_CREDENTIALS', 'PUB_CREDENTIALS'))}`)],
    ['an install-from-release action in a workflow whose env holds NPM_TOKEN', wf(uses('someone/action-install-gh-release@v3', { repo: 'x/y' }), { head: 'env:\n  NPM_TOKEN: ${{ secrets.NPM_TOKEN }}\n' })],
    ['an action named publish-something, NPM_TOKEN only in the workflow env', wf(uses('someone/publish-docs@v1'), { head: 'env:\n  NPM_TOKEN: ${{ secrets.NPM_TOKEN }}\n' })],
    ['a GitHub release action given a PAT', wf(uses('softprops/action-gh-release@v2', { token: '${{ secrets.RELEASE_PAT }}' }))],
    ['a reusable workflow given NPM_TOKEN (its own scan reports it)', 'on: push\njobs:\n  call:\n    uses: ./.github/workflows/publish.yml\n    secrets:\n      NPM_TOKEN: ${{ secrets.NPM_TOKEN }}\n'],
  ])('valid: %s', (_l, text) => {
    expect(runRule(rule, IdentityGraph.from(workflow(text)))).toEqual([]);
  });

  it.each([
    // registry, severity, confidence, line of the publishing step, secrets
    ['npm publish --provenance still signs in with NODE_AUTH_TOKEN', wf(`${SETUP_NODE}${run('npm publish --provenance', env('NODE_AUTH_TOKEN', 'NPM_TOKEN'))}`), 'npm', 'medium', 'high', 9, ['NPM_TOKEN']],
    ['the same on pull_request_target', wf(`${SETUP_NODE}${run('npm publish', env('NODE_AUTH_TOKEN', 'NPM_TOKEN'))}`, { on: 'pull_request_target' }), 'npm', 'high', 'high', 9, ['NPM_TOKEN']],
    ['a token next to id-token: write (a leftover)', wf(run('npm publish', env('NODE_AUTH_TOKEN', 'NPM_TOKEN')), { perms: ID_TOKEN }), 'npm', 'medium', 'high', 8, ['NPM_TOKEN']],
    ['an .npmrc written by an earlier step, then pnpm publish', wf(`${run('npm config set //registry.npmjs.org/:_authToken $T', env('T', 'NPM_AUTH_TOKEN'))}${run('pnpm publish --no-git-checks')}`), 'npm', 'medium', 'high', 9, ['NPM_AUTH_TOKEN']],
    ['JS-DevTools/npm-publish with a token input', wf(uses('JS-DevTools/npm-publish@v3', { token: '${{ secrets.NPM_SECRET }}' })), 'npm', 'medium', 'high', 6, ['NPM_SECRET']],
    ['pypa/gh-action-pypi-publish with a password', wf(uses('pypa/gh-action-pypi-publish@release/v1', { password: '${{ secrets.PYPI_API_TOKEN }}' })), 'pypi', 'medium', 'high', 6, ['PYPI_API_TOKEN']],
    ['pypa/gh-action-pypi-publish with a password to TestPyPI', wf(uses('pypa/gh-action-pypi-publish@release/v1', { password: '${{ secrets.TEST_PYPI }}', 'repository-url': 'https://test.pypi.org/legacy/' })), 'testpypi', 'low', 'high', 6, ['TEST_PYPI']],
    ['twine upload with TWINE_PASSWORD at job level', wf(run('twine upload dist/*')).replace('    runs-on: x\n', '    runs-on: x\n    env:\n      TWINE_PASSWORD: ${{ secrets.PYPI_PASSWORD }}\n'), 'pypi', 'medium', 'high', 8, ['PYPI_PASSWORD']],
    ['uv publish --token from a secret', wf(run('uv publish --token ${{ secrets.PYPI_TOKEN }}')), 'pypi', 'medium', 'high', 6, ['PYPI_TOKEN']],
    ['a step named "Publish to PyPI" running python -m twine', wf(run('python -m twine upload dist/*', env('TWINE_PASSWORD', 'PYPI_TOKEN'), 'Publish to PyPI')), 'pypi', 'medium', 'medium', 6, ['PYPI_TOKEN']],
    ['cargo publish --token', wf(run('cargo publish --token ${{ secrets.CRATES_IO_TOKEN }}')), 'crates.io', 'medium', 'high', 6, ['CRATES_IO_TOKEN']],
    ['cargo login in an earlier step, then a release script', wf(`${run('cargo login ${{ secrets.CARGO_REGISTRY_TOKEN }}')}${run('./scripts/publish.sh')}`), 'crates.io', 'medium', 'medium', 7, ['CARGO_REGISTRY_TOKEN']],
    ['gem push with GEM_HOST_API_KEY', wf(run('gem push *.gem', env('GEM_HOST_API_KEY', 'RUBYGEMS_API_KEY'))), 'rubygems', 'medium', 'high', 6, ['RUBYGEMS_API_KEY']],
    ['rubygems/release-gem with a key in env (the key wins over trusted publishing)', wf(`${uses('rubygems/release-gem@v1')}        env:\n${env('GEM_HOST_API_KEY', 'GEM_HOST_API_KEY')}`, { perms: ID_TOKEN }), 'rubygems', 'medium', 'high', 8, ['GEM_HOST_API_KEY']],
    ['dotnet nuget push --api-key', wf(run('dotnet nuget push x.nupkg --api-key ${{ secrets.NUGET_API_KEY }}')), 'nuget', 'medium', 'medium', 6, ['NUGET_API_KEY']],
    ['npx jsr publish --token', wf(run('npx jsr publish --token ${{ secrets.JSR_TOKEN }}')), 'jsr', 'medium', 'high', 6, ['JSR_TOKEN']],
    ['an action named for publishing, given a RubyGems key', wf(uses('cucumber-actions/publish-rubygem@v1', { rubygems_api_key: '${{ secrets.RUBYGEMS_API_KEY }}' })), 'rubygems', 'medium', 'medium', 6, ['RUBYGEMS_API_KEY']],
    ['make publish with an npm token (a release script: the token says where)', wf(run('make publish', env('NPM_TOKEN', 'NPM_TOKEN'))), 'npm', 'medium', 'medium', 6, ['NPM_TOKEN']],
    ['semantic-release with NPM_TOKEN on workflow_run', wf(run('npx semantic-release', env('NPM_TOKEN', 'NPM_TOKEN')), { on: 'workflow_run' }), 'npm', 'high', 'medium', 6, ['NPM_TOKEN']],
  ])('invalid: %s', (_l, text, registry, severity, confidence, line, secrets) => {
    const [f, ...rest] = runRule(rule, IdentityGraph.from(workflow(text)));
    expect(rest).toEqual([]);
    expect(f).toMatchObject({ nodeId: WF_ID, severity, confidence, discriminator: `job:release:${registry}`, location: { startLine: line } });
    expect(f.evidence[0].data).toMatchObject({ registry, secrets });
    expect(String(f.evidence[0].data?.trustedPublishingDocs)).toMatch(/^https:\/\//);
  });

  it('a job that can already request an OIDC token says the token is a leftover', () => {
    const [f] = runRule(rule, IdentityGraph.from(workflow(wf(run('npm publish', env('NODE_AUTH_TOKEN', 'NPM_TOKEN')), { perms: ID_TOKEN }))));
    expect(f.evidence[0].data).toMatchObject({ idToken: true, via: 'npm publish' });
    expect(f.evidence[0].description).toContain('leftover');
    expect(f.evidence[0].description).toContain('https://docs.npmjs.com/trusted-publishers');
  });

  it('TestPyPI then PyPI, each step with its own token: two findings, each at its own step', () => {
    const text = wf(`${run('twine upload -r testpypi dist/*', env('TWINE_PASSWORD', 'TEST_PYPI_TOKEN'))}${run('twine upload dist/*', env('TWINE_PASSWORD', 'PYPI_TOKEN'))}`);
    const found = runRule(rule, IdentityGraph.from(workflow(text)));
    expect(found.map((f) => [f.discriminator, f.severity, f.location?.startLine]).sort()).toEqual([
      ['job:release:pypi', 'medium', 9],
      ['job:release:testpypi', 'low', 6],
    ]);
  });

  it('one finding per job and registry: two npm publishes are one, npm and crates.io are two; lines moving keep the fingerprints', () => {
    const text = wf(`${run('npm publish -w a', env('NODE_AUTH_TOKEN', 'NPM_TOKEN'))}${run('npm publish -w b', env('NODE_AUTH_TOKEN', 'NPM_TOKEN'))}${run('cargo publish', env('CARGO_REGISTRY_TOKEN', 'CARGO_REGISTRY_TOKEN'))}`);
    const found = runRule(rule, IdentityGraph.from(workflow(text)));
    expect(found.map((f) => f.discriminator).sort()).toEqual(['job:release:crates.io', 'job:release:npm']);
    expect(found.find((f) => f.discriminator === 'job:release:npm')?.evidence[0].data).toMatchObject({ lines: [6, 9] });
    const moved = runRule(rule, IdentityGraph.from(workflow(`# moved\n${text}`)));
    expect(moved.map((f) => f.fingerprint).sort()).toEqual(found.map((f) => f.fingerprint).sort());
  });

  it.each([
    ['NPM_TOKEN', ['npm']],
    ['NODE_AUTH_TOKEN', ['npm']],
    ['PYPI_API_TOKEN', ['pypi']],
    ['TEST_PYPI_API_TOKEN', ['testpypi']],
    ['CARGO_REGISTRY_TOKEN', ['crates.io']],
    ['ORG_CRATES_IO_TOKEN', ['crates.io']],
    ['RUBYGEMS_AUTH_TOKEN', ['rubygems']],
    ['GEM_HOST_API_KEY', ['rubygems']],
    ['NUGET_API_KEY', ['nuget']],
    ['PUBDEV_ACCESS_TOKEN', ['pub.dev']],
    ['NUGET_USER', []],
    ['PYPI_USERNAME', []],
    ['CARGO_AUDIT_OPTIONS', []],
    ['PUBLISH_TOKEN', []],
  ])('registriesOfSecret(%s)', (name, expected) => {
    expect(registriesOfSecret(name)).toEqual(expected);
  });
});
