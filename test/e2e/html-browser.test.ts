/**
 * The HTML report in a real browser: Debian's chromium, driven headless by playwright-core over file://. The demo
 * report comes from the built CLI (`nhi scan --demo --format html -o FILE`); the hostile report from the renderer.
 * Every network request is blocked and recorded (there must be none), and Content-Security-Policy violations are
 * recorded too (the page's own style and script must pass it; nothing else may try).
 *
 * Without chromium these tests are skipped, and the skip says so in the test name (CI installs chromium first:
 * see .ci/run).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderHtml } from '../../reports/html/index.js';
import { hostileHtmlResult } from '../reports/html-fixtures.js';
import { nhi, repoRoot } from './run.js';

const CHROMIUM = [process.env.NHI_CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p): p is string => Boolean(p) && existsSync(p as string));
const built = existsSync(path.join(repoRoot, 'dist', 'src', 'cli', 'main.js'));
const title = CHROMIUM ? 'HTML report in headless Chromium' : 'HTML report in headless Chromium (SKIPPED: Debian chromium is not installed at /usr/bin/chromium; apt-get install chromium, or set NHI_CHROMIUM)';

interface Visit {
  page: Page;
  context: BrowserContext;
  /** every URL the page asked for, the report itself included */
  requests: string[];
  /** CSP directives the page violated */
  violations: () => Promise<string[]>;
  dialogs: string[];
  errors: string[];
}

let browser: Browser;
let dir: string;
let demoFile: string;
let demo: { findings: Array<{ ruleId: string; severity: string; path?: unknown[]; identity?: { platform?: string } }> };

async function visit(file: string, opts: { javaScriptEnabled?: boolean } = {}): Promise<Visit> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, javaScriptEnabled: opts.javaScriptEnabled ?? true });
  const requests: string[] = [];
  const url = pathToFileURL(file).href;
  await context.route('**/*', (route) => (route.request().url() === url ? route.continue() : route.abort('blockedbyclient')));
  const page = await context.newPage();
  page.on('request', (r) => requests.push(r.url()));
  const dialogs: string[] = [];
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  // injected by the browser's debugging protocol, not by the page: the page's CSP does not apply to it
  await page.addInitScript(() => {
    const w = window as unknown as { __violations: string[] };
    w.__violations = [];
    document.addEventListener('securitypolicyviolation', (e) => w.__violations.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  await page.goto(url, { waitUntil: 'load' });
  const violations = () => page.evaluate(() => (window as unknown as { __violations: string[] }).__violations);
  return { page, context, requests, violations, dialogs, errors };
}

/** Bounding boxes (page coordinates) of the node boxes and texts of each figure. */
async function figureGeometry(page: Page) {
  return page.$$eval('figure.path', (figures) =>
    figures.map((f) => {
      const box = (e: Element) => {
        const r = e.getBoundingClientRect();
        return { x: r.x, y: r.y, w: r.width, h: r.height };
      };
      const svg = f.querySelector('svg') as SVGSVGElement;
      const nodes = [...f.querySelectorAll('g.node')].map((g) => ({
        rect: box(g.querySelector('rect') as Element),
        fill: getComputedStyle(g.querySelector('rect') as Element).fill,
        texts: [...g.querySelectorAll('text')].map((t) => ({ ...box(t), text: t.textContent ?? '', visible: getComputedStyle(t).visibility === 'visible' && getComputedStyle(t).fill !== 'none' })),
      }));
      return { id: f.id, svg: box(svg), nodes, edges: f.querySelectorAll('path.edge').length };
    }),
  );
}

const visibleRows = (page: Page) => page.$$eval('#findings-table .frow:not(.head)', (rows) => rows.filter((r) => (r as HTMLElement).offsetParent !== null).length);

describe.skipIf(!CHROMIUM)(title, () => {
  beforeAll(async () => {
    if (!built) throw new Error('dist/ is missing: run the tests with npm test (it builds first)');
    dir = mkdtempSync(path.join(os.tmpdir(), 'nhi-html-'));
    demoFile = path.join(dir, 'report.html');
    const html = await nhi(['scan', '--demo', '--no-store', '--format', 'html', '-o', demoFile]);
    expect(html.code, html.stderr).toBe(0); // findings, but no --fail-on gate
    const json = await nhi(['scan', '--demo', '--no-store', '--format', 'json']);
    demo = JSON.parse(json.stdout) as typeof demo;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('loads without a single network request or CSP violation, with the style and the filter script applied', async () => {
    const v = await visit(demoFile);
    try {
      expect(v.requests).toEqual([pathToFileURL(demoFile).href]);
      expect(await v.violations()).toEqual([]);
      expect(v.errors).toEqual([]);
      // the style sheet passed the CSP (the badge has its colour), and so did the script (it showed the filters)
      expect(await v.page.$eval('.sev-critical', (e) => getComputedStyle(e).backgroundColor)).toBe('rgb(139, 0, 0)');
      expect(await v.page.isVisible('#filters')).toBe(true);
      expect(await v.page.title()).toBe('nhi-drift report');
    } finally {
      await v.context.close();
    }
  });

  it('draws every path finding of the demo with visible text and boxes that do not overlap', async () => {
    const v = await visit(demoFile);
    try {
      const withPath = demo.findings.filter((f) => Array.isArray(f.path) && f.path.length >= 2).length;
      expect(withPath).toBeGreaterThan(0);
      const figs = await figureGeometry(v.page);
      expect(figs).toHaveLength(Math.min(withPath, 50));
      for (const f of figs) {
        expect(f.svg.w, f.id).toBeGreaterThan(0);
        expect(f.svg.h, f.id).toBeGreaterThan(0);
        expect(f.nodes.length, f.id).toBeGreaterThanOrEqual(2);
        expect(f.edges, f.id).toBe(f.nodes.length - 1);
        for (const n of f.nodes) {
          expect(n.rect.w).toBeGreaterThan(0);
          expect(n.fill).not.toBe('rgb(0, 0, 0)');
          for (const t of n.texts) {
            expect(t.visible).toBe(true);
            expect(t.text.length).toBeGreaterThan(0);
            expect(t.w).toBeGreaterThan(0);
            // the text fits in its box (a pixel of rounding allowed)
            expect(t.x, `${f.id} "${t.text}"`).toBeGreaterThanOrEqual(n.rect.x - 1);
            expect(t.x + t.w, `${f.id} "${t.text}"`).toBeLessThanOrEqual(n.rect.x + n.rect.w + 1);
          }
        }
        for (let a = 0; a < f.nodes.length; a++) {
          for (let b = a + 1; b < f.nodes.length; b++) {
            const p = f.nodes[a].rect;
            const q = f.nodes[b].rect;
            const overlap = p.x < q.x + q.w && q.x < p.x + p.w && p.y < q.y + q.h && q.y < p.y + p.h;
            expect(overlap, `${f.id}: boxes ${a} and ${b} overlap`).toBe(false);
          }
        }
      }
      // an escalation path has its method between the two identities
      const escalation = await v.page.$$eval('figure[data-rule="privilege-escalation"] g.node', (gs) => gs.slice(0, 3).map((g) => g.getAttribute('class')));
      expect(escalation).toEqual(['node identity', 'node method', 'node identity']);
    } finally {
      await v.context.close();
    }
  });

  it('filters the rows by severity, platform, rule and text', async () => {
    const v = await visit(demoFile);
    try {
      const { page } = v;
      const total = demo.findings.length;
      expect(await visibleRows(page)).toBe(total);
      await page.selectOption('select[name=severity]', 'critical');
      expect(await visibleRows(page)).toBe(demo.findings.filter((f) => f.severity === 'critical').length);
      expect(await page.textContent('#shown')).toBe(`showing ${demo.findings.filter((f) => f.severity === 'critical').length} of ${total} findings`);
      await page.selectOption('select[name=severity]', '');
      await page.selectOption('select[name=rule]', 'privilege-escalation');
      const pe = demo.findings.filter((f) => f.ruleId === 'privilege-escalation').length;
      expect(await visibleRows(page)).toBe(pe);
      // the pictures follow the same filters
      expect(await page.$$eval('figure.path', (fs) => fs.filter((f) => (f as HTMLElement).offsetParent !== null).length)).toBe(pe);
      await page.selectOption('select[name=rule]', '');
      await page.selectOption('select[name=platform]', 'gcp');
      expect(await visibleRows(page)).toBe(demo.findings.filter((f) => f.identity?.platform === 'gcp').length);
      await page.selectOption('select[name=platform]', '');
      await page.fill('input[name=q]', 'jenkins-builder');
      const n = await visibleRows(page);
      expect(n).toBeGreaterThan(0);
      expect(n).toBeLessThan(total);
      await page.fill('input[name=q]', '');
      expect(await visibleRows(page)).toBe(total);
    } finally {
      await v.context.close();
    }
  });

  it('shows every row without scripts, and the filter form stays hidden', async () => {
    const v = await visit(demoFile, { javaScriptEnabled: false });
    try {
      expect(await visibleRows(v.page)).toBe(demo.findings.length);
      expect(await v.page.isVisible('#filters')).toBe(false);
      expect(await v.page.$$eval('figure.path svg', (s) => s.filter((e) => e.getBoundingClientRect().width > 0).length)).toBeGreaterThan(0);
    } finally {
      await v.context.close();
    }
  });

  it('is well-formed XHTML as the browser parses it', async () => {
    const v = await visit(demoFile);
    try {
      const source = readFileSync(demoFile, 'utf8');
      const errors = await v.page.evaluate((s) => {
        const doc = new DOMParser().parseFromString(s, 'application/xhtml+xml');
        return [...doc.getElementsByTagName('parsererror')].map((e) => e.textContent ?? '');
      }, source);
      expect(errors).toEqual([]);
    } finally {
      await v.context.close();
    }
  });

  it('runs none of the hostile names: no script, handler, dialog or request; the text shows as text', async () => {
    const file = path.join(dir, 'hostile.html');
    const result = hostileHtmlResult();
    const html = renderHtml(result);
    writeFileSync(file, html);
    const v = await visit(file);
    try {
      const { page } = v;
      // give autofocus, onload and onerror every chance to fire
      await page.mouse.move(10, 10);
      await page.hover('figure.path g.node');
      await page.keyboard.press('Tab');
      await page.waitForTimeout(200);
      expect(await page.evaluate(() => (window as unknown as { __pwned?: unknown }).__pwned)).toBeUndefined();
      expect(v.dialogs).toEqual([]);
      expect(v.requests).toEqual([pathToFileURL(file).href]);
      expect(await v.violations()).toEqual([]);
      expect(v.errors).toEqual([]);
      const dom = await page.evaluate(() => ({
        scripts: document.querySelectorAll('script').length,
        loaders: document.querySelectorAll('img, iframe, object, embed, link, base, image, use, foreignObject').length,
        handlers: [...document.querySelectorAll('*')].filter((e) => [...e.attributes].some((a) => a.name.startsWith('on'))).length,
        rows: document.querySelectorAll('#findings-table .frow:not(.head)').length,
        figures: document.querySelectorAll('figure.path').length,
        svgs: document.querySelectorAll('svg').length,
        text: document.body.textContent ?? '',
      }));
      expect(dom.scripts).toBe(1);
      expect(dom.loaders).toBe(0);
      expect(dom.handlers).toBe(0);
      expect(dom.rows).toBe(result.findings.length);
      expect(dom.figures).toBe(2);
      expect(dom.svgs).toBe(2);
      expect(dom.text).toContain('<script>alert(1)</script>');
      expect(dom.text).toContain('</svg><img src=x onerror="window.__pwned=4">');
      expect(dom.text).not.toMatch(/[\u202a-\u202e\u2066-\u2069]/);
      // the SVG tooltips hold the hostile names as text too
      const titles = await page.$$eval('figure.path g.node title', (ts) => ts.map((t) => t.textContent ?? ''));
      expect(titles.some((t) => t.includes('</title></text></g></svg><script>window.__pwned=5</script>'))).toBe(true);
    } finally {
      await v.context.close();
    }
  });
});
