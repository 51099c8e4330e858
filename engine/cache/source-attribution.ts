import type { KvCache } from './kv-cache.js';

/** Document token positions [start, end) that an answer drew on, with the attention they received. */
export interface SourcePassage {
  start: number;
  end: number;
  weight: number;
}

export interface AttributionOptions {
  /** Only sources in [start, end) count (the document); default: every source. */
  span?: { start: number; end: number };
  /** Tokens at most this far apart join one passage. Default 8. */
  gap?: number;
  /** Passages returned per sentence. Default 3. */
  top?: number;
  /** Tokens considered when building passages (the highest-scoring ones). Default 24. */
  tokens?: number;
}

/**
 * Accumulates, over the decode steps of a sentence, the attention each document token received (through the
 * per-slot source indices, so it works on compacted caches too) from the graph's per-layer attention summary
 * ([kvHeads, C] per layer: summed over the query heads of each KV head), and turns it into the top passages.
 */
export class SourceAttributor {
  private scores = new Map<number, number>();
  private readonly opts: Required<Omit<AttributionOptions, 'span'>> & Pick<AttributionOptions, 'span'>;

  constructor(options: AttributionOptions = {}) {
    this.opts = { gap: 8, top: 3, tokens: 24, ...options };
  }

  /**
   * Adds one step's attention. Call after `decoder.step(cache, …, { attention: true })`: the appended slots lie beyond
   * the summary's C columns, and a resize keeps every earlier slot at the same index of its head.
   */
  addStep(cache: KvCache, attention: readonly Float32Array[]): void {
    const { span } = this.opts;
    attention.forEach((att, l) => {
      const layer = cache.layers[l];
      const KV = layer.kvHeads;
      const C = att.length / KV;
      for (let h = 0; h < KV; h++) {
        for (let s = 0; s < C; s++) {
          const w = att[h * C + s];
          if (!(w > 0)) continue;
          const src = layer.sources[h * layer.capacity + s];
          if (src < 0 || (span && (src < span.start || src >= span.end))) continue;
          this.scores.set(src, (this.scores.get(src) ?? 0) + w);
        }
      }
    });
  }

  /** The top passages of the steps added since the last call, best first; starts a new sentence. */
  takeSentence(): SourcePassage[] {
    const best = [...this.scores.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0]).slice(0, this.opts.tokens);
    this.scores = new Map();
    best.sort((a, b) => a[0] - b[0]);
    const passages: SourcePassage[] = [];
    for (const [pos, w] of best) {
      const last = passages[passages.length - 1];
      if (last && pos - (last.end - 1) <= this.opts.gap) {
        last.end = pos + 1;
        last.weight += w;
      } else {
        passages.push({ start: pos, end: pos + 1, weight: w });
      }
    }
    return passages.sort((a, b) => b.weight - a.weight).slice(0, this.opts.top);
  }
}

/** Whether generated text ends a sentence (the moment to call `takeSentence`). */
export function endsSentence(text: string): boolean {
  return /[.!?…]["'”’)\]]?\s*$/.test(text) || /\n\s*$/.test(text);
}
