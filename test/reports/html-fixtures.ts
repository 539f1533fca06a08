/**
 * Inputs and checks for the HTML report tests: a multi-hop escalation finding on the sample estate (hop evidence as
 * privilege-escalation writes it), the same estate with hostile names everywhere the page prints them, and a
 * well-formedness check of the page as XML.
 */
import type { Finding } from '../../src/model/types.js';
import { fingerprint } from '../../src/rules/runner.js';
import { IDS, sampleResult, type SampleResult } from './sample.js';

/** ci-bot → (assume) gha-deploy → (pass role) worker-0 → (update trust) worker-1 → (assume) admin-role → why. */
export function escalationFinding(opts: { method?: string; policyName?: string; adminWhy?: string; nodeId?: string } = {}): Finding {
  const path = [opts.nodeId ?? IDS.ciBot, IDS.gha, IDS.worker(0), IDS.worker(1), IDS.admin];
  const methods = [opts.method ?? 'aws-assume-role', 'aws-iam-pass-role-lambda', 'aws-iam-update-assume-role-policy', 'aws-assume-role'];
  const evidence = methods.map((method, i) => ({
    description: `Hop ${i + 1}`,
    data: {
      hop: i + 1,
      from: path[i],
      to: path[i + 1],
      method,
      decision: i === 2 ? 'conditional' : 'allowed',
      confidence: 'high',
      unknownKeys: [],
      statements: [{ policyId: IDS.adminPolicy, policyName: opts.policyName ?? `policy-${i}`, statementIndex: 0, via: 'direct', kind: 'identity' }],
    },
  }));
  evidence.push({ description: `IAM role admin-role is admin: ${opts.adminWhy ?? 'Statement 0 of policy AdministratorAccess is the AWS managed AdministratorAccess policy (* on *).'}`, data: { admin: IDS.admin } as never });
  const nodeId = path[0];
  return {
    ruleId: 'privilege-escalation',
    severity: 'high',
    confidence: 'high',
    nodeId,
    message: 'IAM user ci-bot can become admin in 4 hops',
    evidence,
    path,
    fingerprint: fingerprint('privilege-escalation', nodeId, undefined),
  };
}

/** The sample estate plus the escalation finding. */
export function escalationResult(): SampleResult {
  const r = sampleResult();
  r.findings = [...r.findings, escalationFinding()];
  return r;
}

/**
 * Names that try to break out of every context the page writes text into: element content, a quoted attribute, an
 * SVG <text> or <title>, the page's own <script>; plus control characters and right-to-left overrides.
 */
export const HTML_HOSTILE = [
  '<script>window.__pwned = 1</script>',
  '<script>alert(1)</script>',
  '"onmouseover="window.__pwned=2" x="',
  "' onfocus='window.__pwned=3' autofocus '",
  '</svg><img src=x onerror="window.__pwned=4">',
  '</title></text></g></svg><script>window.__pwned=5</script>',
  '</textarea></style></script><svg onload="window.__pwned=6">',
  ']]><script>window.__pwned=7</script>',
  '<!-- comment --> &amp; &lt; & entity',
  'ctrl\u0000\u0001\u0007\u001b[31mred\u001b]8;;https://evil.example\u0007link\u001b]8;;\u0007\u0085\u2028end',
  'rtl\u202egnp.exe\u202c and \u2066isolate\u2069',
  'javascript:window.__pwned=8',
];

/** The sample estate with hostile text in every name, message, evidence line, rule id and note. */
export function hostileHtmlResult(): SampleResult {
  const r = sampleResult();
  let i = 0;
  const evil = () => HTML_HOSTILE[i++ % HTML_HOSTILE.length];
  for (const n of r.graph.nodes.values()) {
    n.name = `${n.name} ${evil()}`;
    n.scope = evil();
    if (n.kind === 'credential') n.type = evil();
  }
  const esc = escalationFinding({ method: evil(), policyName: evil(), adminWhy: evil() });
  r.findings = [...r.findings, esc].map((f, k) => ({
    ...f,
    message: `${evil()} ${k}`,
    ruleId: k === 0 ? evil() : f.ruleId,
    evidence: [...f.evidence, { description: evil(), source: { connector: evil(), source: evil(), observedAt: evil() } }],
    ...(f.location ? { location: { ...f.location, uri: evil() } } : {}),
  }));
  r.coverage = r.coverage.map((c) => ({ ...c, connector: evil(), source: evil(), scope: evil(), message: evil(), impact: evil(), reason: evil() as never }));
  r.connectors = [{ ...r.connectors[0], targets: [{ id: 'aws:account:1', platform: evil(), kind: evil(), name: evil() }] }];
  r.baseline = { file: evil(), fingerprints: [r.findings[1].fingerprint] };
  r.tool = { name: 'nhi-drift', version: evil() };
  return r;
}

const VOID = new Set(['meta', 'input', 'br', 'img', 'link', 'hr']);
const TAG = /<(\/?)([A-Za-z][\w:-]*)((?:\s+[\w:-]+="[^"<&]*(?:&(?:amp|lt|gt|quot|#39);[^"<&]*)*")*)\s*(\/?)>/y;
const ENTITY = /&(?:amp|lt|gt|quot|#39);/y;

/**
 * Why `html` is not well-formed XML (empty when it is): every `<` opens a tag whose attributes are all quoted,
 * every `&` starts one of the five entities the renderer writes, tags nest and close (void elements self-closed),
 * and the only tags are the renderer's own (no <img>, no event-handler attributes, one <script>, one <style>).
 */
export function xhtmlProblems(html: string): string[] {
  const problems: string[] = [];
  const body = html.replace(/^<!DOCTYPE html>\n/, '');
  const stack: string[] = [];
  let scripts = 0;
  let styles = 0;
  for (let i = 0; i < body.length; ) {
    const c = body[i];
    if (c === '<') {
      TAG.lastIndex = i;
      const m = TAG.exec(body);
      if (!m) {
        problems.push(`a '<' that opens no tag at ${i}: ${JSON.stringify(body.slice(i, i + 60))}`);
        break;
      }
      const [all, close, name, attrs, self] = m;
      if (/\son[a-z]+=/i.test(attrs)) problems.push(`event handler attribute on <${name}>: ${attrs}`);
      if (/\s(src|srcset|background|formaction|action|xlink:href)=/i.test(attrs)) problems.push(`loading attribute on <${name}>: ${attrs}`);
      if (name === 'script' && !close) scripts++;
      if (name === 'style' && !close) styles++;
      if (['img', 'iframe', 'object', 'embed', 'link', 'base', 'foreignObject', 'image', 'use'].includes(name)) problems.push(`unexpected <${name}>`);
      if (close) {
        const open = stack.pop();
        if (open !== name) problems.push(`</${name}> closes <${open}>`);
      } else if (!self) {
        if (VOID.has(name)) problems.push(`<${name}> is not self-closed`);
        stack.push(name);
      }
      i += all.length;
    } else if (c === '&') {
      ENTITY.lastIndex = i;
      const m = ENTITY.exec(body);
      if (!m) {
        problems.push(`a bare '&' at ${i}: ${JSON.stringify(body.slice(i, i + 30))}`);
        i++;
      } else i += m[0].length;
    } else i++;
  }
  if (stack.length) problems.push(`unclosed: ${stack.join(' > ')}`);
  if (scripts !== 1) problems.push(`${scripts} <script> elements`);
  if (styles !== 1) problems.push(`${styles} <style> elements`);
  return problems;
}
