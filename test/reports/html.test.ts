import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { render } from '../../reports/index.js';
import { DEFAULT_MAX_PICTURES, escapeHtml, renderHtml } from '../../reports/html/index.js';
import { layoutPicture, pictureModel, wrapLabel, type PictureModel } from '../../reports/html/picture.js';
import { FORMATS } from '../../src/cli/commands/scan.js';
import { HTML_HOSTILE, escalationFinding, escalationResult, hostileHtmlResult, xhtmlProblems } from './html-fixtures.js';
import { mulberry32, randomResult } from './random-results.js';
import { CANARY, DOC_CANARY, IDS, cleanResult, sampleResult } from './sample.js';

const sha = (s: string) => createHash('sha256').update(s, 'utf8').digest('base64');

function between(html: string, open: string, close: string): string {
  const a = html.indexOf(open);
  const b = html.indexOf(close, a + open.length);
  expect(a).toBeGreaterThanOrEqual(0);
  expect(b).toBeGreaterThan(a);
  return html.slice(a + open.length, b);
}

/** Rows of the findings table and the figures, by their filter attributes. */
function rows(html: string): string[] {
  return [...html.matchAll(/<div class="frow" role="row" data-severity="([a-z]+)" data-platform="([^"]*)" data-rule="([^"]*)">/g)].map((m) => `${m[1]} ${m[2]} ${m[3]}`);
}
const figures = (html: string) => [...html.matchAll(/<figure class="path" id="(path-\d+)"/g)].map((m) => m[1]);

describe('HTML report: structure', () => {
  it('is one well-formed page with the summary, the pictures, one row per finding, coverage and OWASP', () => {
    const r = escalationResult();
    const html = renderHtml(r);
    expect(html.startsWith('<!DOCTYPE html>\n<html xmlns="http://www.w3.org/1999/xhtml" lang="en">')).toBe(true);
    expect(xhtmlProblems(html)).toEqual([]);
    expect(html).toContain('<strong>13 findings</strong> across 12 identities and 3 credentials (as of 2026-03-01, snapshot 7).');
    expect(html).toContain('<p class="warn"><strong>Scan incomplete:</strong>');
    // one row per finding, in report order (severity first), each with its platform and rule for the filters
    const got = rows(html);
    expect(got).toHaveLength(r.findings.length);
    expect(got[0]).toBe('critical aws oidc-trust-without-sub');
    expect(got.filter((x) => x.startsWith('high '))).toEqual(['high aws credential-not-rotated', 'high aws privilege-escalation']);
    // two findings have a path: both drawn, each linked from its row
    expect(figures(html)).toEqual(['path-1', 'path-2']);
    expect(html).toContain('(<a href="#path-1">picture</a>)');
    expect(html).not.toContain('not drawn');
    expect(html).toContain('<section id="coverage">');
    expect(html).toContain('<strong>missing</strong>: aws iam:GenerateCredentialReport (123456789012): permission-denied');
    expect(html).toContain('<section id="owasp"><h2>OWASP NHI Top 10 (2025)</h2>');
    // the location and the evidence of a finding
    expect(html).toContain('at <code>.github/workflows/deploy.yml:12</code>');
    expect(html).toContain('<li>Statement 0 of the trust policy has no token.actions.githubusercontent.com:sub condition <span class="muted">(aws iam:GetAccountAuthorizationDetails)</span></li>');
    // never attribute blobs or policy documents
    expect(html).not.toContain(CANARY);
    expect(html).not.toContain(DOC_CANARY);
  });

  it('allows exactly its own inline style and script by hash, and loads nothing', () => {
    const html = renderHtml(escalationResult());
    const csp = between(html, '<meta http-equiv="Content-Security-Policy" content="', '"/>');
    const style = between(html, '<style>', '</style>');
    const script = between(html, '<script>', '</script>');
    expect(csp.split('; ')).toEqual([
      "default-src 'none'",
      `style-src 'sha256-${sha(style)}'`,
      `script-src 'sha256-${sha(script)}'`,
      "img-src 'none'",
      "font-src 'none'",
      "connect-src 'none'",
      "object-src 'none'",
      "base-uri 'none'",
      "form-action 'none'",
    ]);
    // the CSP comes before anything it governs
    expect(html.indexOf('Content-Security-Policy')).toBeLessThan(html.indexOf('<style>'));
    // no style attribute (the CSP would block it), no external reference of any kind
    expect(html).not.toMatch(/\sstyle="/);
    expect(html).not.toMatch(/\s(src|srcset|xlink:href)=/);
    expect(html).not.toMatch(/url\((?!#arrow-\d+\))/);
    expect(html).not.toMatch(/@import|@font-face/);
    const hrefs = [...html.matchAll(/href="([^"]*)"/g)].map((m) => m[1]);
    expect(hrefs.filter((h) => !h.startsWith('#') && !/^https:\/\/github\.com\//.test(h))).toEqual([]);
    // without the script the filter form stays hidden and every row is shown
    expect(html).toContain('<form id="filters" hidden="hidden">');
    expect(html).not.toMatch(/class="frow"[^>]* hidden/);
  });

  it('offers the severities, platforms and rules of the findings as filters', () => {
    const html = renderHtml(escalationResult());
    const select = (name: string) => [...between(html, `<select name="${name}">`, '</select>').matchAll(/<option value="([^"]*)">/g)].map((m) => m[1]);
    expect(select('severity')).toEqual(['', 'critical', 'high', 'medium', 'low', 'info']);
    expect(select('platform')).toEqual(['', 'aws']);
    expect(select('rule')).toEqual(['', 'credential-not-rotated', 'credential-unused', 'identity-unowned', 'oidc-trust-without-sub', 'privilege-escalation', 'workflow-secret-reference']);
  });

  it('renders a clean scan without a table or pictures', () => {
    const html = renderHtml(cleanResult());
    expect(xhtmlProblems(html)).toEqual([]);
    expect(html).toContain('<p>No findings.</p>');
    expect(figures(html)).toEqual([]);
    expect(html).not.toContain('<form id="filters"');
  });

  it('is the same for the same input, and is what render("html") and the CLI format list give', () => {
    expect(renderHtml(escalationResult())).toBe(renderHtml(escalationResult()));
    expect(render('html', escalationResult())).toBe(renderHtml(escalationResult()));
    expect(FORMATS).toContain('html');
  });
});

describe('HTML report: pictures', () => {
  it('draws a path as identity → method → identity … → why it is admin, with the granting policies in the tooltip', () => {
    const r = escalationResult();
    const model = pictureModel(r.graph, escalationFinding()) as PictureModel;
    expect(model.nodes.map((n) => n.kind)).toEqual(['identity', 'method', 'identity', 'method', 'identity', 'method', 'identity', 'method', 'identity', 'policy']);
    expect(model.edges).toEqual(Array.from({ length: 9 }, (_, i) => [i, i + 1]));
    expect(model.nodes[0]).toMatchObject({ caption: 'aws iam-user', lines: ['ci-bot'] });
    expect(model.nodes[1]).toMatchObject({ caption: 'method', lines: ['sts:AssumeRole'], full: 'sts:AssumeRole; granted by policy-0' });
    expect(model.nodes[5].caption).toBe('method (conditional)');
    expect(model.nodes[9]).toMatchObject({ caption: 'is admin because' });
    expect(model.nodes[9].full).toBe('Statement 0 of policy AdministratorAccess is the AWS managed AdministratorAccess policy (* on *).');
    // a path without hop evidence: its positions only; the last one a policy when the graph says so
    const plain = pictureModel(r.graph, { ...r.findings[0], path: [IDS.ciBot, IDS.group, IDS.adminPolicy] }) as PictureModel;
    expect(plain.nodes.map((n) => n.kind)).toEqual(['identity', 'identity', 'policy']);
    expect(pictureModel(r.graph, { ...r.findings[0], path: [IDS.ciBot] })).toBeUndefined();
    expect(pictureModel(r.graph, r.findings[1])).toBeUndefined();
  });

  it('lays the boxes out without overlaps, each as wide as its text, inside the drawing', () => {
    const r = escalationResult();
    const long = escalationFinding();
    const layout = layoutPicture(pictureModel(r.graph, long) as PictureModel);
    expect(layout.width).toBeGreaterThan(0);
    expect(layout.height).toBeGreaterThan(0);
    for (const n of layout.nodes) {
      const widest = Math.max(n.caption.length, ...n.lines.map((l) => Array.from(l).length));
      expect(n.width).toBeGreaterThanOrEqual(widest * 7);
      expect(n.x - n.width / 2).toBeGreaterThanOrEqual(0);
      expect(n.y - n.height / 2).toBeGreaterThanOrEqual(0);
      expect(n.x + n.width / 2).toBeLessThanOrEqual(layout.width);
      expect(n.y + n.height / 2).toBeLessThanOrEqual(layout.height);
    }
    for (let a = 0; a < layout.nodes.length; a++) {
      for (let b = a + 1; b < layout.nodes.length; b++) {
        const p = layout.nodes[a];
        const q = layout.nodes[b];
        const apart = Math.abs(p.x - q.x) >= (p.width + q.width) / 2 || Math.abs(p.y - q.y) >= (p.height + q.height) / 2;
        expect(apart, `boxes ${a} and ${b} overlap`).toBe(true);
      }
    }
    expect(layout.edges).toHaveLength(9);
    for (const e of layout.edges) expect(e.points.length).toBeGreaterThanOrEqual(2);
  });

  it('wraps long names into a few short lines and cuts the rest with an ellipsis', () => {
    expect(wrapLabel('short')).toEqual(['short']);
    expect(wrapLabel('deployer@acme-prod-data.iam.gserviceaccount.com')).toEqual(['deployer@acme-prod-data.iam.', 'gserviceaccount.com']);
    const long = wrapLabel('x'.repeat(200), 30, 3);
    expect(long).toHaveLength(3);
    expect(long.map((l) => Array.from(l).length)).toEqual([30, 30, 30]);
    expect(long[2].endsWith('…')).toBe(true);
    // code points, never half a surrogate pair
    const emoji = wrapLabel('😀'.repeat(40), 30, 1)[0];
    expect(emoji.isWellFormed()).toBe(true);
    expect(Array.from(emoji)).toHaveLength(30);
  });

  it('draws at most maxPictures and says how many more are not drawn', () => {
    const r = escalationResult();
    r.findings = [...r.findings, ...Array.from({ length: 5 }, (_, i) => escalationFinding({ nodeId: IDS.worker(2 + i) }))];
    const all = renderHtml(r);
    expect(figures(all)).toHaveLength(7);
    const capped = renderHtml(r, { maxPictures: 3 });
    expect(figures(capped)).toEqual(['path-1', 'path-2', 'path-3']);
    expect(capped).toContain('<p class="warn" id="paths-not-drawn">4 more path findings not drawn (at most 3 pictures)');
    // the rows of undrawn paths still carry the path as text, without a link
    expect(rows(capped)).toHaveLength(r.findings.length);
    expect(capped.match(/<div class="chain">path: /g)).toHaveLength(7);
    expect(capped.match(/>picture<\/a>/g)).toHaveLength(3);
    expect(xhtmlProblems(capped)).toEqual([]);
    const none = renderHtml(r, { maxPictures: 0 });
    expect(figures(none)).toEqual([]);
    expect(none).toContain('7 more path findings not drawn');
    expect(DEFAULT_MAX_PICTURES).toBe(50);
  });
});

describe('HTML report: untrusted text', () => {
  it('escapes every value: nothing becomes a tag, an attribute, a control or a direction override', () => {
    const html = renderHtml(hostileHtmlResult());
    expect(xhtmlProblems(html)).toEqual([]);
    expect(html).not.toContain('<script>window');
    expect(html).not.toContain('<script>alert');
    expect(html).not.toMatch(/<img|<svg onload|onerror="|"onmouseover=|' onfocus=/);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('&quot;onmouseover=&quot;window.__pwned=2&quot; x=&quot;');
    expect(html).toContain('&lt;/svg&gt;&lt;img src=x onerror=&quot;window.__pwned=4&quot;&gt;');
    expect(html).toContain('&amp;amp; &amp;lt; &amp; entity');
    // control characters, escape sequences and bidirectional overrides are gone (newlines only between tags)
    // eslint-disable-next-line no-control-regex
    expect(html).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/);
    expect(html).toContain('rtlgnp.exe and isolate');
    // every hostile string reached the page (escaped), in the table and in the pictures alike
    const svg = html.slice(html.indexOf('<section id="paths">'), html.indexOf('<section id="findings">'));
    expect(svg).toContain('&lt;/title&gt;&lt;/text&gt;&lt;/g&gt;&lt;/svg&gt;');
    for (const evil of HTML_HOSTILE) expect(html).toContain(escapeHtml(evil).slice(0, 20));
  });

  it('escapeHtml covers element content and both attribute quotes', () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe('&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;');
    expect(escapeHtml({ toString: () => '<b>' })).toBe('');
    expect(escapeHtml('a\nb\u202ec')).toBe('a bc');
  });

  it('never prints secret-looking attribute values of a real estate', () => {
    const r = sampleResult();
    const html = renderHtml(r);
    expect(html).not.toContain(CANARY);
    expect(html).not.toContain(DOC_CANARY);
  });
});

describe('HTML report: random results', () => {
  it('renders 200 random results (random types in every field) without throwing, well-formed and free of controls', () => {
    const rng = mulberry32(0x47a1_2026);
    const failures: string[] = [];
    for (let i = 0; i < 200; i++) {
      try {
        const html = renderHtml(randomResult(rng), { maxPictures: 5 });
        for (const p of xhtmlProblems(html).slice(0, 3)) failures.push(`run ${i}: ${p}`);
        // eslint-disable-next-line no-control-regex
        if (/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/.test(html)) failures.push(`run ${i}: control character`);
      } catch (err) {
        failures.push(`run ${i} threw: ${(err as Error).stack?.split('\n').slice(0, 3).join(' | ')}`);
      }
    }
    expect(failures.slice(0, 10)).toEqual([]);
  });

  it('the well-formedness check is real: it rejects a stray tag, a bare ampersand, a handler and an unclosed element', () => {
    const page = (body: string) => `<!DOCTYPE html>\n<html><head><style>x</style></head><body>${body}<script>y</script></body></html>`;
    expect(xhtmlProblems(page('<p>ok &amp; fine</p>'))).toEqual([]);
    expect(xhtmlProblems(page('<p>a < b</p>')).join()).toMatch(/opens no tag/);
    expect(xhtmlProblems(page('<p>a & b</p>')).join()).toMatch(/bare '&'/);
    expect(xhtmlProblems(page('<p onclick="x">a</p>')).join()).toMatch(/event handler/);
    expect(xhtmlProblems(page('<p><b>a</p>')).join()).toMatch(/closes/);
    expect(xhtmlProblems(page('<img src="x"/>')).join()).toMatch(/loading attribute|unexpected <img>/);
  });
});
