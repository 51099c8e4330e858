import type { KvCache } from '../cache/kv-cache.js';
import { captureRepeatQueries, prefillCapturing } from '../compaction/cache/capture.js';
import { QueryCollector, type QueryShape } from '../compaction/cache/query-collector.js';
import type { DocumentSpan } from '../compaction/cache/span.js';
import type { Decoder } from '../runtime/decoder.js';
import { NO_CONTROL, type OperationControl } from '../util/operation.js';

export interface ReferenceQueryOptions {
  /** Compaction chunk, in tokens: queries are sampled per chunk. */
  chunkSize: number;
  /** Queries kept per (layer, KV head, chunk) and source. */
  cap: number;
  /** snapkv's observation window at the end of each chunk. */
  window: number;
  seed: number;
  /** The "repeat the document" turn (empty for a base model). */
  repeatPromptIds: readonly number[];
  prefillChunk?: number;
}

/**
 * Reads a stretch of the document into the cache, offering its own queries to a causal collector, then
 * teacher-forces the repeat turn and the same stretch again (rolled back afterwards) for a second, non-causal set:
 * the reference queries of every compaction, in the app and in the fidelity evaluation alike.
 * Returns the logits after the stretch and both collectors.
 */
export async function readWithReferenceQueries(
  decoder: Decoder,
  cache: KvCache,
  shape: QueryShape,
  span: DocumentSpan,
  ids: readonly number[],
  opts: ReferenceQueryOptions,
  control: OperationControl = NO_CONTROL,
  progress: { read?: (done: number) => void; repeat?: (done: number, total: number) => void } = {},
): Promise<{ lastLogits: Float32Array; context: QueryCollector; repeat: QueryCollector }> {
  const common = { span, chunkSize: opts.chunkSize, cap: opts.cap, seed: opts.seed };
  const context = new QueryCollector(shape, { ...common, causal: true, window: opts.window });
  const repeat = new QueryCollector(shape, { ...common, causal: false });
  const isCancelled = () => control.isCancelled();
  const lastLogits = await prefillCapturing(decoder, cache, ids, [context], opts.prefillChunk, { isCancelled, onProgress: progress.read });
  await captureRepeatQueries(decoder, cache, { promptIds: opts.repeatPromptIds, documentIds: ids, documentStart: span.start }, repeat, opts.prefillChunk, {
    isCancelled,
    onProgress: progress.repeat,
  });
  return { lastLogits, context, repeat };
}
