/** The parts of a pdf.js text item that layout needs (structurally compatible with pdf.js's TextItem). */
export interface PdfTextItem {
  str: string;
  dir: string;
  /** [a, b, c, d, x, y]: scale/rotation, then the item's origin in page space. */
  transform: number[];
  width: number;
  height: number;
  hasEOL: boolean;
}

/**
 * One page's text from pdf.js text items, in the order the PDF draws them (usually reading order): a new line where
 * pdf.js marks one or the baseline moves, a space between items on a line that are visibly apart, and words
 * hyphenated across a line end joined again ("infor-" + "mation" → "information").
 */
export function pageTextOf(items: readonly (PdfTextItem | { type: string })[]): string {
  const lines: string[] = [];
  let line = '';
  let previous: PdfTextItem | null = null;
  let lineEnded = false;
  for (const item of items) {
    if (!('str' in item)) continue;
    if (item.str === '') {
      // pdf.js emits empty items to mark line ends.
      lineEnded ||= item.hasEOL;
      continue;
    }
    const text = item.str;
    if (previous && (lineEnded || movesToNewLine(previous, item))) {
      const ended = line.trimEnd();
      if (isHyphenatedWordBreak(ended, text)) {
        line = ended.slice(0, -1);
      } else {
        lines.push(ended);
        line = '';
      }
    } else if (previous && needsSpace(previous, item, line, text)) {
      line += ' ';
    }
    line += text;
    previous = item;
    lineEnded = item.hasEOL;
  }
  lines.push(line.trimEnd());
  return lines.join('\n').replace(/\u00AD/g, '').replace(/\n{3,}/g, '\n\n').trim();
}

function fontSize(item: PdfTextItem): number {
  const [, , c, d] = item.transform;
  return Math.hypot(c ?? 0, d ?? 0) || item.height || 1;
}

function isUpright(item: PdfTextItem): boolean {
  const [a, b, c] = item.transform;
  return (a ?? 0) > 0 && b === 0 && c === 0;
}

function movesToNewLine(previous: PdfTextItem, item: PdfTextItem): boolean {
  if (!isUpright(previous) || !isUpright(item)) return false;
  const dy = Math.abs((item.transform[5] ?? 0) - (previous.transform[5] ?? 0));
  return dy > 0.5 * Math.max(fontSize(previous), fontSize(item));
}

/** Items on one line are often split mid-word (kerning, font changes); only a visible gap is a space. */
function needsSpace(previous: PdfTextItem, item: PdfTextItem, line: string, text: string): boolean {
  if (line === '' || /\s/.test(line[line.length - 1]) || /\s/.test(text[0])) return false;
  if (!isUpright(previous) || !isUpright(item) || previous.dir === 'rtl' || item.dir === 'rtl') return false;
  const gap = (item.transform[4] ?? 0) - ((previous.transform[4] ?? 0) + previous.width);
  const size = Math.max(fontSize(previous), fontSize(item));
  // A jump back along the line is a new column or a reordered run: keep the words apart.
  return gap > 0.15 * size || gap < -size;
}

/** "infor-" then "mation": a letter, a hyphen (or soft hyphen) at the line end, and a lower-case letter next. */
function isHyphenatedWordBreak(lineSoFar: string, next: string): boolean {
  if (lineSoFar.endsWith('\u00AD')) return true;
  return /\p{L}[-\u2010]$/u.test(lineSoFar.slice(-2)) && /^\p{Ll}/u.test(next);
}
