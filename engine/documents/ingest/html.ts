import { Buffer } from 'node:buffer';
import { parseDocument, ElementType } from 'htmlparser2';
import { textContent } from 'domutils';
import { collapseWhitespace, shortLabel } from './clean-text.js';
import { decodeUtf16, decodeWithCharset } from './decode-text.js';
import { TextAssembler } from './text-assembler.js';
import type { ParsedDocument } from './types.js';

type HtmlDocument = ReturnType<typeof parseDocument>;
type HtmlNode = HtmlDocument['children'][number];
type HtmlElement = Extract<HtmlNode, { attribs: Record<string, string> }>;

/** Elements whose content is never text for a reader. */
const DROPPED = new Set([
  'head', 'title', 'script', 'style', 'noscript', 'template', 'svg', 'math', 'iframe', 'object', 'embed', 'canvas',
  'video', 'audio', 'map', 'nav', 'input', 'button', 'select', 'textarea', 'option', 'optgroup', 'datalist',
  'output', 'progress', 'meter',
]);
/** Dropped when they are the page's own banner, footer or sidebar rather than part of an article. */
const CHROME = new Set(['header', 'footer', 'aside']);
const CHROME_ROLES = new Set(['banner', 'contentinfo', 'complementary']);
const CONTENT = new Set(['article', 'main', 'section']);
const BLOCKS = new Set([
  'address', 'article', 'aside', 'blockquote', 'body', 'caption', 'center', 'dd', 'details', 'dialog', 'div', 'dl',
  'dt', 'fieldset', 'figcaption', 'figure', 'footer', 'form', 'header', 'hgroup', 'hr', 'html', 'legend', 'main',
  'p', 'section', 'summary', 'table', 'thead', 'tbody', 'tfoot',
]);
const HEADINGS = new Set(['h1', 'h2', 'h3', 'h4', 'h5', 'h6']);

/** Reads an HTML file: charset from a BOM or a `<meta charset>`, then the readable text (see htmlToDocument). */
export function parseHtml(bytes: Uint8Array): ParsedDocument {
  return htmlToDocument(decodeHtml(bytes));
}

/**
 * The readable text of an HTML page: page chrome, scripts and form controls dropped; paragraphs and other blocks
 * separated by a blank line, list items and table rows by a newline; whitespace collapsed except in `<pre>`;
 * headings start sections. The title is the `<title>`, else the first `<h1>`.
 */
export function htmlToDocument(html: string): ParsedDocument {
  const document = parseDocument(html);
  const walker = new HtmlTextWalker();
  walker.walk(document.children);
  const { text, parts } = walker.finish();
  return { title: findTitle(document.children) ?? walker.firstH1, text, parts };
}

function decodeHtml(bytes: Uint8Array): string {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return new TextDecoder('utf-8').decode(bytes);
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return decodeUtf16(bytes.subarray(2), 'le');
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return decodeUtf16(bytes.subarray(2), 'be');
  const head = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.byteLength, 1024)).toString('latin1');
  const declared = /<meta[^>]{0,512}?charset\s*=\s*["']?\s*([-\w:.]+)/i.exec(head)?.[1];
  // A page that says it is UTF-16 without a BOM is, by the HTML rules, read as UTF-8.
  return decodeWithCharset(bytes, !declared || /utf-?16/i.test(declared) ? 'utf-8' : declared);
}

function findTitle(nodes: HtmlNode[]): string | undefined {
  const stack = [...nodes].reverse();
  for (let node = stack.pop(); node; node = stack.pop()) {
    if (!isElement(node)) continue;
    if (node.name === 'title') return shortLabel(textContent(node)) || undefined;
    if (node.name === 'svg' || node.name === 'math' || node.name === 'body') continue;
    for (let i = node.children.length - 1; i >= 0; i--) stack.push(node.children[i]);
  }
  return undefined;
}

function isElement(node: HtmlNode): node is HtmlElement {
  return node.type === ElementType.Tag || node.type === ElementType.Script || node.type === ElementType.Style;
}

type BlockKind = 'block' | 'item' | 'row';

/** Walks the DOM with an explicit stack (a hostile page can nest deeper than the call stack allows). */
class HtmlTextWalker {
  firstH1: string | undefined;
  private readonly assembler = new TextAssembler();
  /** The block being built: whitespace already collapsed to single spaces, `<br>` as newlines. */
  private inline = '';
  /** What the last block was; null after a list or table ends, so that the next block starts a new run. */
  private lastKind: BlockKind | null = null;
  private readonly lists: { ordered: boolean; next: number }[] = [];
  private pendingMarker: string | null = null;
  private readonly rowCells: number[] = [];
  private contentDepth = 0;
  private preDepth = 0;
  private cellDepth = 0;

  walk(nodes: HtmlNode[]): void {
    const stack: (HtmlNode | (() => void))[] = [...nodes].reverse();
    for (let next = stack.pop(); next; next = stack.pop()) {
      if (typeof next === 'function') {
        next();
        continue;
      }
      if (next.type === ElementType.Text) {
        this.inline += this.preDepth > 0 ? next.data : next.data.replace(/[ \t\n\r\f]+/g, ' ');
        continue;
      }
      if (next.type === ElementType.CDATA || next.type === ElementType.Root) {
        for (let i = next.children.length - 1; i >= 0; i--) stack.push(next.children[i]);
        continue;
      }
      if (!isElement(next) || this.isDropped(next)) continue;
      const leave = this.enter(next);
      if (leave) stack.push(leave);
      for (let i = next.children.length - 1; i >= 0; i--) stack.push(next.children[i]);
    }
  }

  finish(): { text: string; parts: ParsedDocument['parts'] } {
    this.flush('block');
    return this.assembler.finish();
  }

  private isDropped(element: HtmlElement): boolean {
    const { name, attribs } = element;
    if (DROPPED.has(name) || attribs.hidden !== undefined || attribs['aria-hidden'] === 'true') return true;
    if (attribs.role === 'navigation' || /(?:^|;)\s*display\s*:\s*none/i.test(attribs.style ?? '')) return true;
    return this.contentDepth === 0 && (CHROME.has(name) || CHROME_ROLES.has(attribs.role ?? ''));
  }

  /** Starts an element; returns what to do when its children are done. */
  private enter(element: HtmlElement): (() => void) | null {
    const { name } = element;
    if (name === 'br') {
      this.inline += this.cellDepth > 0 && this.preDepth === 0 ? ' ' : '\n';
      return null;
    }
    // Inside <pre> everything is verbatim text; inside a table cell everything stays on the row's line.
    if (this.preDepth > 0) return null;
    if (this.cellDepth > 0) {
      if (BLOCKS.has(name) || HEADINGS.has(name) || name === 'li' || name === 'tr') this.inline += ' ';
      return null;
    }
    const isContent = CONTENT.has(name) || element.attribs.role === 'main' || element.attribs.role === 'article';
    if (isContent) this.contentDepth++;
    const leave = this.enterStructure(element);
    if (!isContent) return leave;
    return () => {
      leave?.();
      this.contentDepth--;
    };
  }

  private enterStructure(element: HtmlElement): (() => void) | null {
    const { name } = element;
    if (HEADINGS.has(name)) {
      this.flush('block');
      return () => this.flushHeading(name === 'h1');
    }
    if (name === 'pre') {
      this.flush('block');
      this.preDepth++;
      return () => {
        this.preDepth--;
        this.flushPre();
      };
    }
    if (name === 'ul' || name === 'ol') {
      this.flush('block');
      const start = Number.parseInt(element.attribs.start ?? '', 10);
      this.lists.push({ ordered: name === 'ol', next: Number.isFinite(start) ? start : 1 });
      return () => {
        this.flush('item');
        this.lists.pop();
        if (this.lists.length === 0) this.lastKind = null;
      };
    }
    if (name === 'li') {
      this.flush('item');
      const list = this.lists[this.lists.length - 1];
      this.pendingMarker = list?.ordered ? `${list.next++}. ` : '- ';
      return () => this.flush('item');
    }
    if (name === 'tr') {
      this.flush('block');
      this.rowCells.push(0);
      return () => {
        this.flush('row');
        this.rowCells.pop();
      };
    }
    if (name === 'td' || name === 'th') {
      const cells = this.rowCells.length;
      if (cells > 0 && this.rowCells[cells - 1]++ > 0) this.inline += ' | ';
      this.cellDepth++;
      return () => {
        this.cellDepth--;
        this.inline += ' ';
      };
    }
    if (BLOCKS.has(name)) {
      this.flush('block');
      return () => {
        this.flush('block');
        // Rows of one table are separated by a newline, a following table by a blank line.
        if (name === 'table') this.lastKind = null;
      };
    }
    return null;
  }

  private flush(kind: BlockKind): void {
    let text = this.inline.replace(/ {2,}/g, ' ').replace(/ ?\n ?/g, '\n').trim();
    this.inline = '';
    if (!text) return;
    if (this.lists.length > 0) {
      const indent = '  '.repeat(this.lists.length - 1);
      text = `${indent}${this.pendingMarker ?? '  '}${text.replace(/\n/g, `\n${indent}  `)}`;
      this.pendingMarker = null;
      kind = 'item';
    }
    this.append(text, kind);
  }

  private flushHeading(isH1: boolean): void {
    const text = collapseWhitespace(this.inline);
    this.inline = '';
    const label = shortLabel(text);
    if (!label) return;
    if (isH1) this.firstH1 ??= label;
    this.append(text, 'block', label);
  }

  private flushPre(): void {
    // As in browsers, a newline right after <pre> is not part of the content.
    const text = this.inline.replace(/^\r?\n/, '').trimEnd();
    this.inline = '';
    this.append(text, 'block');
  }

  private append(text: string, kind: BlockKind, sectionLabel?: string): void {
    const tight = (kind === 'item' || kind === 'row') && this.lastKind === kind;
    if (this.assembler.appendBlock(text, tight ? '\n' : '\n\n', sectionLabel)) this.lastKind = kind;
  }
}
