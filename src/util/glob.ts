/** Case-insensitive glob (`*` any run of characters, `?` one character) compiled to an anchored RegExp. */
export function globRegExp(pattern: string): RegExp {
  let src = '';
  for (const ch of pattern) {
    if (ch === '*') src += '.*';
    else if (ch === '?') src += '.';
    else src += ch.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${src}$`, 'i');
}

/** Does `value` match the glob `pattern` (case-insensitive)? */
export function globMatch(pattern: string, value: string): boolean {
  return globRegExp(pattern).test(value);
}
