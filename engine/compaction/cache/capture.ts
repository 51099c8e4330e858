import type { KvCache } from '../../cache/kv-cache.js';
import { LongreadError } from '../../errors.js';
import { prefill, prefillChunkAt, type PrefillOptions } from '../../generate/generate.js';
import type { Decoder } from '../../runtime/decoder.js';
import type { QueryCollector } from './query-collector.js';

export const DEFAULT_PREFILL_CHUNK = 512;

/**
 * Prefills `ids` after whatever the cache holds, offering every step's post-RoPE queries to the collectors
 * (each decides which positions it keeps). Returns the logits of the last token.
 */
export function prefillCapturing(
  decoder: Decoder,
  cache: KvCache,
  ids: readonly number[],
  collectors: readonly QueryCollector[],
  chunk = DEFAULT_PREFILL_CHUNK,
  control: Pick<PrefillOptions, 'onProgress' | 'isCancelled'> = {},
): Promise<Float32Array> {
  return prefill(decoder, cache, ids, {
    chunk,
    ...control,
    onQueries: collectors.length ? (queries, S, first) => collectors.forEach((c) => c.add(queries, S, first)) : undefined,
  });
}

export interface RepeatPass {
  /** Tokens before the repeated document (a "repeat the context" turn); empty for a base model. */
  promptIds: readonly number[];
  /** The document tokens, teacher-forced again. */
  documentIds: readonly number[];
  /** Position of the document's first token in the cache. */
  documentStart: number;
}

/**
 * Teacher-forces the repeat turn and the document again after the cache, offers the queries of the repeated tokens
 * as standing for the positions they repeat, then truncates the cache back to where it was.
 */
export async function captureRepeatQueries(
  decoder: Decoder,
  cache: KvCache,
  pass: RepeatPass,
  collector: QueryCollector,
  chunk = DEFAULT_PREFILL_CHUNK,
  control: Pick<PrefillOptions, 'onProgress' | 'isCancelled'> = {},
): Promise<void> {
  const ids = [...pass.promptIds, ...pass.documentIds];
  const mark = cache.mark();
  try {
    // Stream offset k stands for document position documentStart − |prompt| + k: the prompt maps before the span.
    const offset = pass.documentStart - pass.promptIds.length;
    for (let s = 0; s < ids.length; ) {
      if (await control.isCancelled?.()) throw new LongreadError('CANCELLED', 'Cancelled while collecting reference queries');
      const part = ids.slice(s, s + prefillChunkAt(chunk, cache, decoder.spec.numHeads));
      const r = await decoder.step(cache, part, { queries: true });
      collector.add(r.queries!, part.length, offset + s);
      s += part.length;
      control.onProgress?.(s, ids.length);
    }
  } finally {
    cache.rollback(mark);
  }
}
