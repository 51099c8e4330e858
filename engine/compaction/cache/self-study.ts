import type { KvCache } from '../../cache/kv-cache.js';
import { LongreadError } from '../../errors.js';
import { argmax } from '../../generate/sampler.js';
import type { Decoder } from '../../runtime/decoder.js';
import { DEFAULT_PREFILL_CHUNK } from './capture.js';
import type { QueryCollector } from './query-collector.js';

/** Default number of generated tokens whose queries a self-study pass collects. */
export const DEFAULT_SELF_STUDY_TOKENS = 128;

export interface SelfStudyPass {
  /**
   * Tokens that ask the model to study the document (`selfStudyTurnIds`: a user turn and the assistant opening);
   * empty for a base model, which simply continues after the document (then `lastLogits` is needed).
   */
  promptIds: readonly number[];
  /** Most tokens generated (greedy); their queries are collected. */
  maxTokens: number;
  /** Generation stops before any of these (the model's EOS tokens). */
  stopTokenIds?: readonly number[];
  /** Logits after the cache's last token, to start from when `promptIds` is empty. */
  lastLogits?: Float32Array;
  /** Never let the cache reach this many positions (the model's context); generation stops before. */
  maxPositions?: number;
}

/** What a self-study pass did: the generated ids (their queries went to the collector). */
export interface SelfStudyResult {
  tokens: number[];
  stopReason: 'stop-token' | 'max-tokens' | 'context-full';
}

/**
 * Self-study reference queries (attention-matching.md §3): after the cache's document, prefills `promptIds`, lets
 * the model write greedily for up to `maxTokens` tokens, and offers the post-RoPE queries of the generated tokens to
 * `collector` as future queries over the whole span (`addFutureQueries`: every chunk, no causal position). The
 * prompt's own queries are not collected. Afterwards the cache is exactly as before: same slots, bias, sources,
 * logical length and buffer capacity.
 */
export async function captureSelfStudyQueries(
  decoder: Decoder,
  cache: KvCache,
  pass: SelfStudyPass,
  collector: QueryCollector,
  chunk = DEFAULT_PREFILL_CHUNK,
): Promise<SelfStudyResult> {
  if (!Number.isInteger(pass.maxTokens) || pass.maxTokens < 1) {
    throw new LongreadError('BAD_ARGUMENT', `self-study needs a positive whole number of tokens, got ${pass.maxTokens}`);
  }
  if (!pass.promptIds.length && !pass.lastLogits) {
    throw new LongreadError('BAD_ARGUMENT', 'self-study without a prompt continues after the cache and needs its last logits');
  }
  const stops = new Set(pass.stopTokenIds ?? []);
  const limit = pass.maxPositions ?? Infinity;
  const mark = cache.mark();
  const capacities = cache.layers.map((l) => l.capacity);
  const tokens: number[] = [];
  let stopReason: SelfStudyResult['stopReason'] = 'max-tokens';
  try {
    let logits = pass.lastLogits ?? new Float32Array(0);
    for (let s = 0; s < pass.promptIds.length; s += chunk) {
      logits = (await decoder.step(cache, pass.promptIds.slice(s, s + chunk))).logits;
    }
    while (tokens.length < pass.maxTokens) {
      const id = argmax(logits);
      if (stops.has(id)) {
        stopReason = 'stop-token';
        break;
      }
      if (cache.logicalLength + 1 > limit) {
        stopReason = 'context-full';
        break;
      }
      // Feeding the generated token gives its queries (and the next token's logits).
      const r = await decoder.step(cache, [id], { queries: true });
      collector.addFutureQueries(r.queries!, 1);
      tokens.push(id);
      logits = r.logits;
    }
  } finally {
    cache.rollback(mark);
    // The pass may have grown the buffers; give them back their width so the graph reads exactly what it read before.
    cache.layers.forEach((layer, l) => {
      if (layer.capacity !== capacities[l]) layer.resize(capacities[l]);
    });
  }
  return { tokens, stopReason };
}
