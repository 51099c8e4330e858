import { cleanText } from './clean-text.js';
import type { DocumentPart } from './types.js';

export type BlockSeparator = '\n' | '\n\n';

/**
 * Builds a document's text block by block while recording where sections and pages fall, so that parts always
 * point at the text as it finally is. Everything appended is cleaned (see cleanText) first.
 */
export class TextAssembler {
  private readonly chunks: string[] = [];
  private length = 0;
  private readonly parts: DocumentPart[] = [];
  private section: { label: string; start: number } | null = null;
  private lastBlockEnd = 0;
  private pageCount = 0;

  /**
   * Appends a block, separated from the previous one; a block that cleans to nothing is skipped. With
   * `sectionLabel` the block (a heading) starts a section that runs until the next one. Returns whether it was added.
   */
  appendBlock(text: string, separator: BlockSeparator = '\n\n', sectionLabel?: string): boolean {
    const block = cleanText(text);
    if (block.trim() === '') return false;
    if (sectionLabel !== undefined) this.closeSection();
    if (this.length > 0) this.write(separator);
    if (sectionLabel !== undefined) this.section = { label: sectionLabel, start: this.length };
    this.write(block);
    this.lastBlockEnd = this.length;
    return true;
  }

  /** Appends one page; pages are always separated by a blank line, even empty ones, so that they tile the text. */
  appendPage(label: string, text: string): void {
    if (this.pageCount > 0) this.write('\n\n');
    const start = this.length;
    this.write(cleanText(text));
    this.parts.push({ kind: 'page', label, start, end: this.length });
    this.pageCount++;
    this.lastBlockEnd = this.length;
  }

  finish(): { text: string; parts: DocumentPart[] } {
    this.closeSection();
    return { text: this.chunks.join(''), parts: this.parts };
  }

  private closeSection(): void {
    if (!this.section) return;
    this.parts.push({ kind: 'section', label: this.section.label, start: this.section.start, end: this.lastBlockEnd });
    this.section = null;
  }

  private write(text: string): void {
    this.chunks.push(text);
    this.length += text.length;
  }
}
