import { KvCache, type SlotRun } from '../cache/kv-cache.js';
import { concatRuns, documentBlocks } from '../compaction/cache/compact-cache.js';
import { spanSlots } from '../compaction/cache/blocks.js';
import { prefillCapturing } from '../compaction/cache/capture.js';
import { repeatTurnIds, type DocumentPrompt } from '../compaction/cache/document-prompt.js';
import { spanChunks, type DocumentSpan } from '../compaction/cache/span.js';
import type { CompactionMethod } from '../compaction/types.js';
import { LongreadError } from '../errors.js';
import type { AttentionOps } from '../compaction/attention-ops.js';
import type { LoadedModel } from '../load-model.js';
import { kvBytesPerToken } from '../model/spec.js';
import { NO_CONTROL, throwIfCancelled, type OperationControl } from '../util/operation.js';
import { BlockStore, BlockStoreWriter } from './block-store.js';
import { addTally, compactStoredChunk, emptyTally, type FidelityTally } from './compact-stored.js';
import { prepareBlock } from './prepare-blocks.js';
import { readWithReferenceQueries, referenceCollectors } from './reference-queries.js';

export interface ReadOptions {
  method: CompactionMethod;
  ratio: number;
  /** Folder for the prepared state (blocks.bin / blocks.json). */
  dir: string;
  /** Where the heavy products of compaction run. */
  ops: AttentionOps;
  /** Most bytes of KV (fp32) held while reading; above it the document is read and compacted chunk by chunk. */
  kvBudgetBytes: number;
  /** Compaction chunk, in tokens. */
  chunkSize?: number;
  /** Reference queries kept per (layer, KV head, chunk) and source. */
  queryCap?: number;
  prefillChunk?: number;
  seed?: number;
  /** Receives the cache being read, so a status report can show it growing. */
  onCache?: (cache: KvCache) => void;
}

export const DOCUMENT_CHUNK = 1024;
export const DOCUMENT_QUERY_CAP = 1024;
/** snapkv's observation window at the end of each chunk. */
const WINDOW = 32;

export interface ReadResult {
  /** Template prefix + the compacted document; `logicalLength` = the span's end (the suffix is not in it). */
  cache: KvCache;
  store: BlockStore;
  fidelity: FidelityTally;
  /** Whether the document was read in one pass (all of it in memory) or chunk by chunk under the budget. */
  mode: 'whole' | 'chunked';
  readMs: number;
  compactMs: number;
}

/**
 * How the document will be read, decided before any work. It is read in pieces of `chunkSize` tokens, each followed
 * by its repeat pass, so the pass after the last piece must still end within the model's positions. Then, if the
 * whole document's KV (plus one piece's repeat pass) fits the budget, it is compacted once at the end ('whole');
 * otherwise each piece is compacted as soon as it is read ('chunked').
 */
export function planRead(model: Pick<LoadedModel, 'spec'>, prompt: DocumentPrompt, repeatTokens: number, opts: Pick<ReadOptions, 'kvBudgetBytes' | 'ratio' | 'chunkSize'>): {
  mode: 'whole' | 'chunked';
  groups: DocumentSpan[];
  chunkSize: number;
} {
  const { spec } = model;
  const perToken = kvBytesPerToken(spec);
  const n = prompt.documentIds.length;
  const span = prompt.span;
  const chunkSize = Math.min(opts.chunkSize ?? DOCUMENT_CHUNK, spec.maxPositions - span.end - repeatTokens);
  if (chunkSize < 1) {
    throw new LongreadError('CONTEXT_TOO_LONG', `This document leaves no room for its reference pass within the model's ${spec.maxPositions} positions; choose a shorter range.`);
  }
  const wholeBytes = (span.end + repeatTokens + Math.min(n, chunkSize)) * perToken;
  if (wholeBytes <= opts.kvBudgetBytes) return { mode: 'whole', groups: [span], chunkSize };
  const chunkBytes = (span.start + Math.ceil(opts.ratio * n) + 2 * chunkSize + repeatTokens) * perToken;
  if (chunkBytes > opts.kvBudgetBytes) {
    // One decimal, the budget rounded down and the need up, so the two never read the same.
    const mib = (b: number, round: (x: number) => number) => `${round((b / 2 ** 20) * 10) / 10} MiB`;
    throw new LongreadError(
      'BAD_ARGUMENT',
      `A KV budget of ${mib(opts.kvBudgetBytes, Math.floor)} cannot hold this document at ratio ${opts.ratio}: reading it needs at least ${mib(chunkBytes, Math.ceil)}. Raise the memory budget or choose a smaller ratio.`,
    );
  }
  return { mode: 'chunked', groups: spanChunks(span, chunkSize).map((c) => ({ start: c.start, end: c.end })), chunkSize };
}

/**
 * Reads a document into the cache and compacts it. The document is read piece by piece, each piece prefilled
 * capturing its own queries and followed by a "repeat the document" pass for more reference queries. Each compaction
 * group (the whole document, or one piece under a tight budget) then has its blocks prepared and written to the
 * store, and is compacted from the store in place, so what is read next attends to the compacted cache. The store
 * then serves every later ratio (`compactFromStore`).
 */
export async function readDocument(model: LoadedModel, prompt: DocumentPrompt, opts: ReadOptions, control: OperationControl = NO_CONTROL): Promise<ReadResult> {
  const { spec, decoder, tokenizer } = model;
  const shape = { numLayers: spec.numLayers, numHeads: spec.numHeads, numKvHeads: spec.numKvHeads, headDim: spec.headDim };
  const cap = opts.queryCap ?? DOCUMENT_QUERY_CAP;
  const repeatPrompt = repeatTurnIds(tokenizer);
  const plan = planRead(model, prompt, repeatPrompt.length, opts);
  const chunkSize = plan.chunkSize;
  const span = prompt.span;
  const chunks = spanChunks(span, chunkSize);
  const n = span.end - span.start;
  const t0 = performance.now();
  let compactMs = 0;

  const cache = new KvCache(shape);
  opts.onCache?.(cache);
  const writer = new BlockStoreWriter(opts.dir, shape, chunks);
  try {
    await prefillCapturing(decoder, cache, prompt.prefixIds, [], opts.prefillChunk, { isCancelled: () => control.isCancelled() });
    writer.setPrefix(cache.layers.map((layer) => Array.from({ length: shape.numKvHeads }, (_, h) => layer.readRun(h, 0, layer.used[h]))));
    let fidelity = emptyTally();
    let read = 0;
    let repeated = 0;
    let blocksDone = 0;
    const blocksTotal = chunks.length * shape.numLayers * shape.numKvHeads;
    for (const group of plan.groups) {
      const collectors = referenceCollectors(shape, group, { chunkSize, cap, window: WINDOW, seed: opts.seed ?? 0 });
      for (const piece of spanChunks(group, chunkSize)) {
        const ids = prompt.documentIds.slice(piece.start - span.start, piece.end - span.start);
        await readWithReferenceQueries(decoder, cache, collectors, { start: piece.start, ids, repeatPromptIds: repeatPrompt, prefillChunk: opts.prefillChunk }, control, {
          read: (done) => control.progress('read', read + done, n, 'tokens'),
          repeat: (done, total) => control.progress('reference-queries', repeated + Math.min(ids.length, (done * ids.length) / total), n, 'tokens'),
        });
        read += ids.length;
        repeated += ids.length;
      }
      const { context, repeat } = collectors;

      const tc = performance.now();
      const firstChunk = chunks.findIndex((c) => c.start === group.start);
      const blocks = documentBlocks(cache, { span: group, queries: { sets: [context, repeat], window: context }, chunkSize });
      for (const hd of blocks.heads) {
        for (const cb of hd.blocks) {
          await throwIfCancelled(control, 'compacting the document');
          writer.append(await prepareBlock(cb, hd.layer, hd.head, firstChunk + cb.chunk.index, opts.ops));
          control.progress('compact', ++blocksDone, blocksTotal, 'blocks');
        }
      }
      // Compact the group in place from what was just stored: the same path every later ratio takes.
      const partial = writer.snapshot();
      const groupChunks = blocks.chunks.map((c) => firstChunk + c.index);
      const runs: SlotRun[][][] = [];
      for (const c of groupChunks) {
        const r = await compactStoredChunk(partial, c, { method: opts.method, ratio: opts.ratio, ops: opts.ops, seed: opts.seed });
        runs.push(r.runs);
        fidelity = addTally(fidelity, r.fidelity);
      }
      for (let l = 0; l < shape.numLayers; l++) {
        for (let h = 0; h < shape.numKvHeads; h++) {
          const { from, to } = spanSlots(cache, l, h, group);
          cache.layers[l].replaceRun(h, from, to, concatRuns(runs.map((r) => r[l][h]), shape.headDim));
        }
        cache.layers[l].shrinkToFit();
      }
      compactMs += performance.now() - tc;
    }
    const store = writer.finish();
    return { cache, store, fidelity, mode: plan.mode, readMs: performance.now() - t0 - compactMs, compactMs };
  } catch (e) {
    writer.close();
    throw e;
  }
}

/**
 * The compacted document at `ratio` built from the store alone: the template prefix verbatim, then every chunk
 * compacted. No model call; `logicalLength` is the document's end.
 */
export async function compactFromStore(
  store: BlockStore,
  span: DocumentSpan,
  opts: { method: CompactionMethod; ratio: number; ops: AttentionOps; seed?: number },
  control: OperationControl = NO_CONTROL,
): Promise<{ cache: KvCache; fidelity: FidelityTally }> {
  const { numLayers: L, numKvHeads: KV, headDim: d } = store.shape;
  const cache = new KvCache(store.shape);
  const perHead: SlotRun[][][] = Array.from({ length: L }, () => Array.from({ length: KV }, () => [] as SlotRun[]));
  for (let l = 0; l < L; l++) for (let h = 0; h < KV; h++) perHead[l][h].push(store.prefixRun(l, h));
  let fidelity = emptyTally();
  for (let c = 0; c < store.chunkCount; c++) {
    await throwIfCancelled(control, 'compacting the document');
    const r = await compactStoredChunk(store, c, opts);
    for (let l = 0; l < L; l++) for (let h = 0; h < KV; h++) perHead[l][h].push(r.runs[l][h]);
    fidelity = addTally(fidelity, r.fidelity);
    control.progress('recompact', c + 1, store.chunkCount, 'blocks');
  }
  for (let l = 0; l < L; l++) {
    const layer = cache.layers[l];
    const runs = perHead[l].map((parts) => concatRuns(parts, d));
    layer.resize(Math.max(1, ...runs.map((r) => r.bias.length)));
    runs.forEach((run, h) => layer.replaceRun(h, 0, 0, run));
  }
  cache.logicalLength = span.end;
  return { cache, fidelity };
}
