// Control characters other than tab and newline carry no meaning for a reader and confuse tokenizers; NUL must never
// reach the text.
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000B\u000E-\u001F\u007F]/g;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Line ends to LF, form feeds to LF, control characters dropped, lone surrogates replaced with U+FFFD. */
export function cleanText(text: string): string {
  return text
    .replace(/\r\n?|\f/g, '\n')
    .replace(CONTROL_CHARACTERS, '')
    .replace(LONE_SURROGATE, '\uFFFD');
}

/** Collapses runs of ASCII whitespace (not no-break spaces) to one space. */
export function collapseWhitespace(text: string): string {
  return text.replace(/[ \t\n\r\f]+/g, ' ').trim();
}

/** A label for a part or a title: one line, not absurdly long. */
export function shortLabel(text: string, maxLength = 200): string {
  const line = collapseWhitespace(text);
  return line.length <= maxLength ? line : `${line.slice(0, maxLength - 1).trimEnd()}…`;
}
