/**
 * Untrusted text (names, ids, file names, messages that quote platform data) made safe for one line of a terminal
 * or a log: every escape sequence is removed whole (CSI `ESC [ … final`, OSC `ESC ] … BEL|ST` such as OSC 8 links
 * and title changes, DCS/SOS/PM/APC strings, two-byte `ESC x`), the remaining C0/C1 control characters and line or
 * paragraph separators become one space, and Unicode bidirectional overrides (which can reorder what a reader sees)
 * are dropped. Printable text, including non-ASCII names, is kept as it is.
 */
// eslint-disable-next-line no-control-regex
const ESCAPES = /\u001b\[[0-?]*[ -/]*[@-~]|\u009b[0-?]*[ -/]*[@-~]|\u001b[\]PX^_][\s\S]*?(?:\u0007|\u001b\\|\u009c|$)|[\u0090\u0098\u009d\u009e\u009f][\s\S]*?(?:\u0007|\u001b\\|\u009c|$)|\u001b[ -/]*[0-~]?/g;
// eslint-disable-next-line no-control-regex
const CONTROLS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g;
const BIDI = /[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]/g;

export function safeLine(text: unknown): string {
  const s = typeof text === 'string' ? text : text === undefined || text === null ? '' : String(text);
  return s.replace(ESCAPES, '').replace(CONTROLS, ' ').replace(BIDI, '');
}

/** `safeLine`, then cut to `max` characters (code points) with an ellipsis, for labels from platforms. */
export function safeLabel(text: unknown, max = 200): string {
  const s = safeLine(text);
  const chars = Array.from(s);
  return chars.length > max ? `${chars.slice(0, max - 1).join('')}…` : s;
}
