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
}

export interface ReferenceCollectors {
  /** The document's own queries (causal). */
  context: QueryCollector;
  /** The queries of the "repeat the document" pass (they see the whole chunk). */
  repeat: QueryCollector;
}

/** Empty collectors for the reference queries of `span`. */
export function referenceCollectors(shape: QueryShape, span: DocumentSpan, opts: ReferenceQueryOptions): ReferenceCollectors {
  const common = { span, chunkSize: opts.chunkSize, cap: opts.cap, seed: opts.seed };
  return { context: new QueryCollector(shape, { ...common, causal: true, window: opts.window }), repeat: new QueryCollector(shape, { ...common, causal: false }) };
}

/**
 * Reads a piece of the document into the cache, offering its own queries to the context collector, then
 * teacher-forces the repeat turn and the same piece again (rolled back afterwards) for the repeat collector: the
 * reference queries of every compaction, in the app and in the fidelity evaluation alike. The repeat pass follows
 * each piece rather than the whole document, so it attends to what was read so far, not to twice the document.
 * Returns the logits after the piece.
 */
export async function readWithReferenceQueries(
  decoder: Decoder,
  cache: KvCache,
  collectors: ReferenceCollectors,
  piece: { start: number; ids: readonly number[]; repeatPromptIds: readonly number[]; prefillChunk?: number },
  control: OperationControl = NO_CONTROL,
  progress: { read?: (done: number) => void; repeat?: (done: number, total: number) => void } = {},
): Promise<Float32Array> {
  const isCancelled = () => control.isCancelled();
  const lastLogits = await prefillCapturing(decoder, cache, piece.ids, [collectors.context], piece.prefillChunk, { isCancelled, onProgress: progress.read });
  await captureRepeatQueries(decoder, cache, { promptIds: piece.repeatPromptIds, documentIds: piece.ids, documentStart: piece.start }, collectors.repeat, piece.prefillChunk, {
    isCancelled,
    onProgress: progress.repeat,
  });
  return lastLogits;
}
