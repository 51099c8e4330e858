import type { DecodeOptions, TextTokenizer } from './tokenizer.js';

export interface StreamDecoderOptions extends DecodeOptions {
  /**
   * Tokens that come before the streamed ones (the end of the prompt). They are not emitted; they give the
   * first streamed token its context, so a Llama-style `▁was` decodes to " was" and not "was".
   */
  prefixIds?: readonly number[];
}

const REPLACEMENT_CHAR = '\uFFFD';
/** Enough prompt tokens to settle a leading space or a split character; more only costs time. */
const PREFIX_WINDOW = 8;

/**
 * Turns generated token ids, one at a time, into text deltas whose concatenation equals decoding all ids at once.
 *
 * Each step decodes a short window twice, with and without the pending tokens, and emits the difference. The
 * window starts with the last emitted chunk (or the end of the prompt), because decoders are not piecewise:
 * Llama's `Strip` removes a leading space from whatever string it decodes, and byte-fallback/byte-level tokens
 * only form a character together.
 * Text that ends in U+FFFD is an incomplete UTF-8 sequence so far and is held back until the next token completes it.
 */
export class StreamDecoder {
  /** ids[0, readOffset) is context (emitted or prompt) that is decoded but not emitted again; the rest is pending. */
  private ids: number[];
  private readOffset: number;

  constructor(
    private readonly tokenizer: Pick<TextTokenizer, 'decode'>,
    private readonly options: StreamDecoderOptions,
  ) {
    this.ids = (options.prefixIds ?? []).slice(-PREFIX_WINDOW);
    this.readOffset = this.ids.length;
  }

  /** Adds one generated token; returns the text that became final (often "", never a broken character). */
  push(id: number): string {
    this.ids.push(id);
    return this.emit(false);
  }

  /** Returns whatever is still held back (e.g. an incomplete character at the end of generation). */
  flush(): string {
    return this.emit(true);
  }

  private emit(force: boolean): string {
    if (this.readOffset === this.ids.length) return '';
    const before = this.decode(this.ids.slice(0, this.readOffset));
    const after = this.decode(this.ids);
    if (!force && (after.length <= before.length || after.endsWith(REPLACEMENT_CHAR))) return '';
    // The emitted tokens become the context of the next window.
    this.ids = this.ids.slice(this.readOffset);
    this.readOffset = this.ids.length;
    return after.slice(before.length);
  }

  private decode(ids: number[]): string {
    return ids.length === 0 ? '' : this.tokenizer.decode(ids, { skipSpecialTokens: this.options.skipSpecialTokens });
  }
}
