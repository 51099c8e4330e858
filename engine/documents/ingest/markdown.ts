import { cleanText, shortLabel } from './clean-text.js';
import { decodeTextFile } from './decode-text.js';
import type { DocumentPart, ParsedDocument } from './types.js';

interface MarkdownHeading {
  level: number;
  label: string;
  /** Where the heading's line (for a setext heading, its text line) starts. */
  lineStart: number;
  /** Where the heading text itself starts, after any `#` markers. */
  textStart: number;
}

/**
 * Markdown is kept as written (a model reads it well); its ATX (`# Title`) and setext (`Title` over `===`/`---`)
 * headings outside code fences become sections that start at the heading text and end before the next heading.
 * The title is the first level-1 heading.
 */
export function parseMarkdown(bytes: Uint8Array, fileName: string): ParsedDocument {
  const text = cleanText(decodeTextFile(bytes, fileName));
  const headings = findHeadings(text);
  const parts: DocumentPart[] = headings.map((heading, i) => {
    const next = headings[i + 1];
    const end = trimmedEnd(text, next ? next.lineStart : text.length);
    return { kind: 'section', label: heading.label, start: heading.textStart, end: Math.max(heading.textStart, end) };
  });
  return { title: headings.find((h) => h.level === 1)?.label, text, parts };
}

const ATX_OPENING = /^ {0,3}(#{1,6})[ \t]+/;
const FENCE = /^ {0,3}(`{3,}|~{3,})/;
const SETEXT_UNDERLINE = /^ {0,3}(=+|-+)[ \t]*$/;
/** Lines that cannot be the text of a setext heading: list items, quotes, indented code, tables' rules. */
const NOT_PARAGRAPH = /^(?:\s*(?:[-*+]|\d+[.)])(?:\s|$)|\s*>| {4}|\t|\s*\|)/;

function findHeadings(text: string): MarkdownHeading[] {
  const headings: MarkdownHeading[] = [];
  let fence: string | null = null;
  let previous: { start: number; line: string; paragraph: boolean } | null = null;

  for (let start = frontMatterEnd(text); start < text.length; ) {
    const newline = text.indexOf('\n', start);
    const end = newline < 0 ? text.length : newline;
    const line = text.slice(start, end);
    let paragraph = false;

    const fenceMatch = FENCE.exec(line);
    if (fence !== null) {
      if (fenceMatch && fenceMatch[1][0] === fence[0] && fenceMatch[1].length >= fence.length) fence = null;
    } else if (fenceMatch) {
      fence = fenceMatch[1];
    } else {
      const atx = ATX_OPENING.exec(line);
      const underline = SETEXT_UNDERLINE.exec(line);
      if (atx) {
        const label = plainHeadingText(withoutClosingHashes(line.slice(atx[0].length)));
        if (label) headings.push({ level: atx[1].length, label, lineStart: start, textStart: start + atx[0].length });
      } else if (underline && previous?.paragraph) {
        const label = plainHeadingText(previous.line);
        const indent = previous.line.length - previous.line.trimStart().length;
        if (label) headings.push({ level: underline[1][0] === '=' ? 1 : 2, label, lineStart: previous.start, textStart: previous.start + indent });
      } else {
        paragraph = line.trim() !== '' && !NOT_PARAGRAPH.test(line);
      }
    }
    previous = { start, line, paragraph };
    start = end + 1;
  }
  return headings;
}

/** A YAML front matter block (`---` … `---` at the very top) is not scanned for headings. */
function frontMatterEnd(text: string): number {
  const opening = /^---[ \t]*\n/.exec(text);
  if (!opening) return 0;
  const close = /^(?:---|\.\.\.)[ \t]*$/m.exec(text.slice(opening[0].length));
  if (!close) return 0;
  const end = opening[0].length + close.index + close[0].length;
  return end < text.length ? end + 1 : end;
}

/** "Title ##" → "Title" (done by hand: a regex for it backtracks quadratically on long runs of spaces). */
function withoutClosingHashes(text: string): string {
  const trimmed = text.trimEnd();
  let i = trimmed.length;
  while (i > 0 && trimmed[i - 1] === '#') i--;
  if (i === trimmed.length || (i > 0 && trimmed[i - 1] !== ' ' && trimmed[i - 1] !== '\t')) return trimmed;
  return trimmed.slice(0, i).trimEnd();
}

/** Heading text without inline markup: links and images keep their text, emphasis and code markers go. */
function plainHeadingText(raw: string): string {
  // Labels are short; bounding the input keeps the lazy patterns below cheap on absurd headings.
  const text = raw
    .slice(0, 1000)
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/(\*\*|__)(.+?)\1/g, '$2')
    .replace(/\*(\S(?:.*?\S)?)\*/g, '$1')
    .replace(/(^|\W)_(\S(?:.*?\S)?)_(?=\W|$)/g, '$1$2')
    .replace(/`([^`]+)`/g, '$1');
  return shortLabel(text);
}

function trimmedEnd(text: string, end: number): number {
  while (end > 0 && /\s/.test(text[end - 1])) end--;
  return end;
}
