/**
 * The page's only script and style sheet, as constants so the Content-Security-Policy can allow exactly these two
 * by their SHA-256 hashes (and nothing else: no other script, style, font, image or connection).
 *
 * The script only filters the findings table and the path pictures (severity, platform, rule, free text). Without
 * it the filter form stays hidden and every row is shown. It contains no `<` or `&`, so the page is also well-formed
 * XML (XHTML) without a CDATA section.
 */
import { createHash } from 'node:crypto';

export const FILTER_SCRIPT = `(function () {
  var form = document.getElementById('filters');
  if (!form) return;
  var items = Array.prototype.slice.call(document.querySelectorAll('[data-rule]'));
  var shown = document.getElementById('shown');
  var fields = ['severity', 'platform', 'rule'];
  function apply() {
    var want = {};
    fields.forEach(function (f) { want[f] = form.elements[f].value; });
    var q = form.elements.q.value.trim().toLowerCase();
    var rows = 0;
    items.forEach(function (item) {
      var ok = fields.every(function (f) { return !want[f] || item.getAttribute('data-' + f) === want[f]; });
      if (ok) if (q) ok = item.textContent.toLowerCase().indexOf(q) !== -1;
      item.hidden = !ok;
      if (ok) if (item.tagName !== 'FIGURE') rows++;
    });
    shown.textContent = 'showing ' + rows + ' of ' + shown.getAttribute('data-total') + ' findings';
  }
  form.addEventListener('input', apply);
  form.addEventListener('change', apply);
  form.addEventListener('submit', function (e) { e.preventDefault(); });
  form.hidden = false;
  apply();
})();`;

export const STYLE = `:root { color-scheme: light; --fg: #1f2328; --muted: #59636e; --line: #d1d9e0; --bg: #ffffff; --panel: #f6f8fa; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 1200px; padding: 16px 24px 48px; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: var(--fg); background: var(--bg); }
h1 { font-size: 24px; margin: 8px 0 4px; }
h2 { font-size: 18px; margin: 28px 0 8px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
p { margin: 6px 0; }
.muted { color: var(--muted); }
.warn { background: #fff8c5; border: 1px solid #d4a72c; padding: 6px 10px; border-radius: 6px; }
table { border-collapse: collapse; }
th, td { text-align: left; vertical-align: top; padding: 6px 8px; border-bottom: 1px solid var(--line); }
th { background: var(--panel); }
.frow { display: grid; grid-template-columns: 96px minmax(120px, 1.1fr) 84px minmax(140px, 1.4fr) minmax(240px, 3fr); border-bottom: 1px solid var(--line); content-visibility: auto; contain-intrinsic-size: auto 64px; }
.frow.head { background: var(--panel); font-weight: 600; position: sticky; top: 0; z-index: 1; content-visibility: visible; }
.frow > div { padding: 6px 8px; overflow-wrap: anywhere; min-width: 0; }
@media (max-width: 800px) { .frow { grid-template-columns: 1fr; } .frow.head { display: none; } }
table.counts td.n { text-align: right; font-variant-numeric: tabular-nums; }
.sev { display: inline-block; min-width: 64px; text-align: center; border-radius: 10px; padding: 0 8px; font-size: 12px; font-weight: 600; color: #fff; }
.sev-critical { background: #8b0000; }
.sev-high { background: #cf222e; }
.sev-medium { background: #bc4c00; }
.sev-low { background: #4d6a88; }
.sev-info { background: #6e7781; }
.new { font-size: 11px; font-weight: 700; color: #8250df; margin-left: 4px; }
code, .mono { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 12px; }
details summary { cursor: pointer; color: var(--muted); }
details ul { margin: 4px 0; padding-left: 18px; }
.chain { color: var(--muted); font-size: 12px; }
form#filters { display: flex; flex-wrap: wrap; gap: 8px 16px; align-items: center; background: var(--panel); border: 1px solid var(--line); border-radius: 6px; padding: 8px 12px; margin: 8px 0; }
form#filters[hidden] { display: none; }
form#filters label { display: flex; gap: 6px; align-items: center; }
[hidden] { display: none !important; }
figure.path { margin: 12px 0 20px; border: 1px solid var(--line); border-radius: 6px; padding: 8px 12px; overflow-x: auto; }
figure.path figcaption { margin-bottom: 6px; }
svg.path-svg { display: block; max-width: none; height: auto; }
svg.path-svg text { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 12px; text-anchor: middle; fill: #1f2328; }
svg.path-svg text.caption { font-size: 10px; fill: #59636e; }
svg.path-svg .edge { fill: none; stroke: #59636e; stroke-width: 1.5; }
svg.path-svg .arrowhead { fill: #59636e; }
svg.path-svg .node rect { stroke-width: 1.5; }
svg.path-svg .identity rect { fill: #ddf4ff; stroke: #0969da; }
svg.path-svg .method rect { fill: #fff8c5; stroke: #9a6700; }
svg.path-svg .policy rect { fill: #ffebe9; stroke: #cf222e; }
svg.path-svg .target rect { fill: #ffebe9; stroke: #8b0000; stroke-dasharray: 4 2; }
footer { margin-top: 32px; font-size: 12px; color: var(--muted); }
@media print {
  body { max-width: none; padding: 0; }
  form#filters { display: none; }
  .frow { content-visibility: visible; }
  .frow.head { position: static; }
  figure.path { break-inside: avoid; overflow: visible; }
  .frow { break-inside: avoid; }
  .sev { color: #000; border: 1px solid #000; background: none; }
}`;

function sha256(s: string): string {
  return `'sha256-${createHash('sha256').update(s, 'utf8').digest('base64')}'`;
}

/**
 * Nothing may load or run but the inline style sheet and the filter script: no network request of any kind, no
 * form submission, no <base> change, no plug-in, no frame.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  `style-src ${sha256(STYLE)}`,
  `script-src ${sha256(FILTER_SCRIPT)}`,
  "img-src 'none'",
  "font-src 'none'",
  "connect-src 'none'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');
