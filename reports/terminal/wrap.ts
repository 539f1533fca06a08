/**
 * Word wrapping for the terminal report. Text arrives as styled spans and is wrapped BEFORE colour is applied, so
 * escape codes can never be measured, split or carried across lines; widths come from `string-width` (wide CJK
 * characters and emoji take two columns, combining marks none). Greedy, linear in the length of the text: a long
 * report wraps in about the time it takes to print (wrap-ansi measures the whole line again for every word, which
 * made a 500-line report take 50 times longer to wrap than to build).
 */
import stringWidth from 'string-width';

export type Style = (s: string) => string;

/** A run of text in one style (none: plain). */
export interface Span {
  text: string;
  style?: Style;
}

/** printable ASCII only: one column per character */
const ASCII = /^[\x20-\x7e]*$/;

/** widths of non-ASCII words seen (`·`, `→`, `…` and names repeat), bounded */
const widths = new Map<string, number>();
const WIDTHS_KEPT = 4096;

/** Columns `text` takes on a terminal (it carries no escape codes: styles are applied after wrapping). */
export function textWidth(text: string): number {
  if (ASCII.test(text)) return text.length;
  let w = widths.get(text);
  if (w === undefined) {
    w = stringWidth(text);
    if (widths.size >= WIDTHS_KEPT) widths.clear();
    widths.set(text, w);
  }
  return w;
}

interface Piece {
  text: string;
  style?: Style;
  width: number;
}

/** Words (split at spaces) as pieces, each piece one style; a word may span styles. */
function splitWords(spans: readonly Span[]): Piece[][] {
  const words: Piece[][] = [];
  let word: Piece[] = [];
  for (const span of spans) {
    const parts = span.text.split(' ');
    for (let i = 0; i < parts.length; i++) {
      if (i > 0 && word.length > 0) {
        words.push(word);
        word = [];
      }
      if (parts[i] !== '') word.push({ text: parts[i], style: span.style, width: textWidth(parts[i]) });
    }
  }
  if (word.length > 0) words.push(word);
  return words;
}

let graphemes: Intl.Segmenter | undefined;

/** A piece cut into grapheme clusters (so a flag, an accented letter or a wide character is never split). */
function clusters(p: Piece): Piece[] {
  graphemes ??= new Intl.Segmenter(undefined, { granularity: 'grapheme' });
  const out: Piece[] = [];
  for (const { segment } of graphemes.segment(p.text)) out.push({ text: segment, style: p.style, width: textWidth(segment) });
  return out;
}

class Line {
  pieces: Piece[] = [];
  width = 0;
  private space = false;

  /** a space before the next piece (merged into the neighbours when they share a style) */
  addSpace(): void {
    if (this.pieces.length > 0) this.space = true;
  }

  add(p: Piece): void {
    const last = this.pieces[this.pieces.length - 1];
    const gap = this.space ? 1 : 0;
    if (last && last.style === p.style) {
      last.text += `${this.space ? ' ' : ''}${p.text}`;
      last.width += gap + p.width;
    } else {
      if (this.space) this.pieces.push({ text: ' ', width: 1 });
      this.pieces.push({ ...p });
    }
    this.width += gap + p.width;
    this.space = false;
  }

  render(): string {
    return this.pieces.map((p) => (p.style ? p.style(p.text) : p.text)).join('');
  }
}

/** The spans styled, on one line. */
export function renderSpans(spans: readonly Span[]): string {
  return spans.map((s) => (s.style ? s.style(s.text) : s.text)).join('');
}

/**
 * Wrap styled spans to `columns`: words move to the next line whole; a word wider than a line (an ARN, a URL) is cut
 * at grapheme boundaries. Returns the styled lines (at least one). Runs of spaces collapse when a line is wrapped.
 */
export function wrapSpans(spans: readonly Span[], columns: number): string[] {
  const cols = Math.max(1, Math.floor(columns));
  let total = 0;
  for (const s of spans) total += textWidth(s.text);
  if (total <= cols) return [renderSpans(spans)];

  const lines: Line[] = [new Line()];
  let line = lines[0];
  const newLine = () => {
    line = new Line();
    lines.push(line);
  };
  for (const word of splitWords(spans)) {
    const width = word.reduce((n, p) => n + p.width, 0);
    const gap = line.width > 0 ? 1 : 0;
    if (line.width + gap + width <= cols) {
      line.addSpace();
      for (const p of word) line.add(p);
      continue;
    }
    if (width <= cols) {
      newLine();
      for (const p of word) line.add(p);
      continue;
    }
    // wider than a whole line: start it on a fresh line and cut it
    if (line.width > 0) newLine();
    for (const p of word) {
      for (const c of clusters(p)) {
        if (line.width + c.width > cols && line.width > 0) newLine();
        line.add(c);
      }
    }
  }
  return lines.map((l) => l.render());
}
