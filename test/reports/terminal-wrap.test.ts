import stringWidth from 'string-width';
import { describe, expect, it } from 'vitest';
import { textWidth, wrapSpans, type Span } from '../../reports/terminal/wrap.js';

const bold = (s: string) => `\u001b[1m${s}\u001b[22m`;
const dim = (s: string) => `\u001b[2m${s}\u001b[22m`;
const strip = (s: string) => s.replace(/\u001b\[[0-9;]*m/g, '');

describe('wrapSpans', () => {
  it('leaves a line that fits as it is', () => {
    expect(wrapSpans([{ text: 'ci-bot', style: bold }, { text: ' (iam-user)' }], 40)).toEqual([`${bold('ci-bot')} (iam-user)`]);
  });

  it('moves whole words to the next line and never exceeds the width', () => {
    const text = 'the quick brown fox jumps over the lazy dog and keeps running far away';
    const lines = wrapSpans([{ text }], 20);
    expect(lines.length).toBeGreaterThan(3);
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(20);
    expect(lines.join(' ')).toBe(text);
  });

  it('applies styles after wrapping: every line opens and closes its own codes, and spaces inside a style stay in it', () => {
    const lines = wrapSpans([{ text: 'plain words then ' }, { text: 'a bold run that is long enough to wrap', style: bold }, { text: ' and ' }, { text: 'dim tail', style: dim }], 16);
    for (const l of lines) {
      expect((l.match(/\u001b\[(1|2)m/g) ?? []).length).toBe((l.match(/\u001b\[22m/g) ?? []).length);
      expect(strip(l).length).toBeLessThanOrEqual(16);
    }
    expect(lines.map(strip).join(' ')).toBe('plain words then a bold run that is long enough to wrap and dim tail');
    expect(lines, JSON.stringify(lines)).toContain(bold('a bold run that'));
  });

  it('counts wide characters as two columns and keeps grapheme clusters whole', () => {
    const name = '漢字のロール名'.repeat(6);
    const lines = wrapSpans([{ text: `role ${name} owned by 👩‍💻 team` }], 15);
    for (const l of lines) expect(stringWidth(l)).toBeLessThanOrEqual(15);
    expect(lines.join('').replace(/\s+/g, '')).toBe(`role${name}ownedby👩‍💻team`);
    expect(lines.some((l) => l.includes('👩‍💻'))).toBe(true);
    expect(textWidth('漢字')).toBe(4);
    expect(textWidth('e\u0301')).toBe(1);
  });

  it('cuts a word longer than a line (an ARN) across lines, styled pieces included', () => {
    const arn = 'arn:aws:iam::123456789012:role/a/very/long/path/to/the/role';
    const lines = wrapSpans([{ text: 'role ' }, { text: arn, style: bold }], 12);
    for (const l of lines) expect(strip(l).length).toBeLessThanOrEqual(12);
    expect(lines.map(strip).join('')).toBe(`role${arn}`);
    for (const l of lines.slice(1)) expect(l.startsWith('\u001b[1m')).toBe(true);
  });

  it('returns one empty line for no text', () => {
    expect(wrapSpans([], 10)).toEqual(['']);
  });
});
