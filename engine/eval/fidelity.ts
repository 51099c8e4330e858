import { KvCache } from '../cache/kv-cache.js';
import type { AttentionOps } from '../compaction/attention-ops.js';
import { prefillCapturing } from '../compaction/cache/capture.js';
import { readWithReferenceQueries, referenceCollectors } from '../documents/reference-queries.js';
import type { BudgetSpec } from '../compaction/cache/budgets.js';
import { Recompactor } from '../compaction/cache/recompactor.js';
import { isPreparable } from '../compaction/types.js';
import { documentPrompt, repeatTurnIds, selfStudyTurnIds } from '../compaction/cache/document-prompt.js';
import { QueryCollector } from '../compaction/cache/query-collector.js';
import { captureSelfStudyQueries, DEFAULT_SELF_STUDY_TOKENS } from '../compaction/cache/self-study.js';
import type { DocumentSpan } from '../compaction/cache/span.js';
import { LongreadError } from '../errors.js';
import type { ModelSpec } from '../model/spec.js';
import type { Decoder } from '../runtime/decoder.js';
import type { TextTokenizer } from '../tokenizer/index.js';
import { heldOutHeadErrors } from './head-errors.js';
import { compareLogits, perplexity } from './logit-metrics.js';
import { instantiate, type MethodConfig } from './method-configs.js';

export interface FidelityModel {
  spec: ModelSpec;
  decoder: Decoder;
  tokenizer: TextTokenizer;
  /** Where self-study generation stops (a loaded model's EOS ids); default `spec.eosTokenIds`. */
  stopTokenIds?: number[];
}

export interface FidelityDocument {
  name: string;
  text: string;
}

export interface FidelityOptions {
  ratios: readonly number[];
  /** Where compaction's heavy products run: the same backend as the app (onnxruntime) unless asked otherwise. */
  ops: AttentionOps;
  /** Held-out continuation scored after the compacted part. Default 100. */
  heldOut?: number;
  /** Positions of the short-range metrics (kl16, top1_16). Default 16. */
  early?: number;
  chunkSize?: number;
  /** Reference queries kept per (layer, KV head, chunk). Default 4096. */
  queryCap?: number;
  /** snapkv's observation window, in positions at the end of the compacted part. Default 32. */
  window?: number;
  seed?: number;
  /** Budget spread over (layer, KV head); default uniform. */
  budget?: BudgetSpec;
  /** Tokens generated per document for `queries=self-study` (only when a method asks for them). Default 128. */
  selfStudyTokens?: number;
  onRow?: (row: FidelityRow) => void;
}

/** One flat result row: a method at a ratio on one document. */
export interface FidelityRow {
  method: string;
  ratio: number;
  doc: string;
  kl: number;
  top1: number;
  kl16: number;
  top1_16: number;
  ppl: number;
  ppl_full: number;
  outputErr: number;
  logMassErr: number;
  /** A fresh compaction at this ratio: the method's preparation plus this ratio's fits. */
  compactionMs: number;
  /** Moving to this ratio when the preparation is already done (interactive re-compaction). */
  recompactionMs: number;
  kvBytes: number;
  kvBytesFull: number;
  /** Fraction of allocated slots left empty because a layer's heads share one buffer width. */
  paddingWaste: number;
  docTokens: number;
  heldOutTokens: number;
}

/** A document prefilled once, with everything the methods need and the full-cache reference. */
export interface PreparedDocument {
  name: string;
  full: KvCache;
  span: DocumentSpan;
  heldOut: number[];
  context: QueryCollector;
  repeat: QueryCollector;
  /** Queries of what the model wrote after the first part; only when prepared with `selfStudyTokens`. */
  selfStudy?: QueryCollector;
  referenceLogits: Float32Array;
  /** Logits after the first part (they predict the first held-out token; compaction does not change them). */
  lastLogits: Float32Array;
  heldOutQueries: Float32Array[];
}

export type PrepareOptions = Pick<Required<FidelityOptions>, 'heldOut' | 'chunkSize' | 'queryCap' | 'window' | 'seed'> & {
  /** Also capture self-study queries from this many generated tokens (0 or absent: none). */
  selfStudyTokens?: number;
};

export const DEFAULT_PREPARE: PrepareOptions = { heldOut: 100, chunkSize: 4096, queryCap: 4096, window: 32, seed: 0 };

/** Prefills the document's first part once with context queries, captures repeat queries, and scores the held-out rest on the full cache. */
export async function prepareDocument(model: FidelityModel, doc: FidelityDocument, opts: PrepareOptions = DEFAULT_PREPARE): Promise<PreparedDocument> {
  const { spec, decoder, tokenizer } = model;
  const prompt = documentPrompt(tokenizer, doc.text);
  const room = spec.maxPositions - prompt.prefixIds.length;
  if (prompt.documentIds.length > room) {
    throw new LongreadError('CONTEXT_TOO_LONG', `${doc.name} is ${prompt.documentIds.length} tokens; the model holds ${room} after its prompt. Shorten it (nothing is cut silently).`);
  }
  const docIds = prompt.documentIds;
  if (docIds.length < opts.heldOut + 8) {
    throw new LongreadError('BAD_ARGUMENT', `${doc.name}: ${docIds.length} tokens are too few to hold out ${opts.heldOut} of them`);
  }
  const part = docIds.slice(0, docIds.length - opts.heldOut);
  const heldOut = docIds.slice(docIds.length - opts.heldOut);
  const span = { start: prompt.prefixIds.length, end: prompt.prefixIds.length + part.length };
  const shape = { numLayers: spec.numLayers, numHeads: spec.numHeads, numKvHeads: spec.numKvHeads, headDim: spec.headDim };
  const common = { span, chunkSize: opts.chunkSize, cap: opts.queryCap, seed: opts.seed };
  const full = new KvCache(shape);
  await prefillCapturing(decoder, full, prompt.prefixIds, []);
  const collectors = referenceCollectors(shape, span, { chunkSize: opts.chunkSize, cap: opts.queryCap, window: opts.window, seed: opts.seed });
  const lastLogits = await readWithReferenceQueries(decoder, full, collectors, { start: span.start, ids: part, repeatPromptIds: repeatTurnIds(tokenizer) });
  const { context, repeat } = collectors;
  let selfStudy: QueryCollector | undefined;
  if (opts.selfStudyTokens) {
    selfStudy = new QueryCollector(shape, { ...common, causal: false });
    // A chat model closes the document's turn and is asked about it; a base model just continues after the part.
    const ask = selfStudyTurnIds(tokenizer);
    const promptIds = ask.length ? [...prompt.suffixIds, ...ask] : [];
    const stopTokenIds = model.stopTokenIds ?? spec.eosTokenIds;
    await captureSelfStudyQueries(decoder, full, { promptIds, maxTokens: opts.selfStudyTokens, stopTokenIds, lastLogits, maxPositions: spec.maxPositions }, selfStudy);
  }
  const ref = await decoder.step(full.clone(), heldOut, { logits: 'all', queries: true });
  return { name: doc.name, full, span, heldOut, context, repeat, selfStudy, referenceLogits: ref.logits, lastLogits, heldOutQueries: ref.queries! };
}

export function querySets(p: PreparedDocument, source: MethodConfig['queries']): QueryCollector[] {
  if (source === 'context') return [p.context];
  if (source === 'repeat') return [p.repeat];
  if (source === 'self-study') {
    if (!p.selfStudy) throw new LongreadError('BAD_ARGUMENT', `${p.name} was prepared without self-study queries (selfStudyTokens)`);
    return [p.selfStudy];
  }
  return [p.context, p.repeat];
}

/**
 * For every document: prefill the first part once (capturing its own and its repeat queries), teacher-force the
 * held-out rest on the full cache, then for every method and ratio compact a copy and teacher-force the same rest.
 * Rows come back ordered by method, ratio, document.
 */
export async function runFidelity(
  model: FidelityModel,
  docs: readonly FidelityDocument[],
  configs: readonly MethodConfig[],
  options: FidelityOptions,
): Promise<FidelityRow[]> {
  const opts = { ...DEFAULT_PREPARE, early: 16, ...options };
  const selfStudyTokens = configs.some((c) => c.queries === 'self-study') ? (options.selfStudyTokens ?? DEFAULT_SELF_STUDY_TOKENS) : 0;
  const V = model.spec.vocabSize;
  const rows: { key: [number, number, number]; row: FidelityRow }[] = [];
  for (const [di, doc] of docs.entries()) {
    const p = await prepareDocument(model, doc, { ...opts, selfStudyTokens });
    const targets = p.heldOut.slice(1);
    const pplFull = perplexity(p.referenceLogits, V, targets);
    const recompactors = new Map<string, Recompactor>();
    const recompactorFor = (source: MethodConfig['queries']) => {
      let r = recompactors.get(source);
      if (!r) {
        r = new Recompactor(p.full, { span: p.span, queries: { sets: querySets(p, source), window: p.context }, chunkSize: opts.chunkSize, budget: opts.budget });
        recompactors.set(source, r);
      }
      return r;
    };
    const maxRatio = Math.max(...opts.ratios);
    for (const [ci, config] of configs.entries()) {
      const method = instantiate(config, opts.seed);
      const recompactor = recompactorFor(config.queries);
      for (const [ri, ratio] of opts.ratios.entries()) {
        const { cache, result: r, prepareMs } = await recompactor.compact(method, ratio, { ops: opts.ops, maxRatio, seed: opts.seed });
        const fitMs = r.ms - prepareMs;
        // A nested method prepares once for every ratio; any other prepares again for each one.
        const prepares = isPreparable(method) && !method.nested ? prepareMs : recompactor.preparedMs(method);
        const errors = await heldOutHeadErrors(p.full, cache, p.span, p.heldOutQueries, model.spec.numHeads, p.heldOut.length, opts.ops);
        const kvBytes = cache.usedBytes();
        const logits = (await model.decoder.step(cache, p.heldOut, { logits: 'all' })).logits;
        const all = compareLogits(p.referenceLogits, logits, V, p.heldOut.length);
        const early = compareLogits(p.referenceLogits, logits, V, Math.min(opts.early, p.heldOut.length));
        const row: FidelityRow = {
          method: config.label,
          ratio,
          doc: doc.name,
          kl: all.kl,
          top1: all.top1,
          kl16: early.kl,
          top1_16: early.top1,
          ppl: perplexity(logits, V, targets),
          ppl_full: pplFull,
          outputErr: errors.outputErr,
          logMassErr: errors.logMassErr,
          compactionMs: fitMs + prepares,
          recompactionMs: isPreparable(method) && !method.nested ? fitMs + prepareMs : fitMs,
          kvBytes,
          kvBytesFull: p.full.usedBytes(),
          paddingWaste: r.padding.fraction,
          docTokens: p.span.end - p.span.start,
          heldOutTokens: p.heldOut.length,
        };
        rows.push({ key: [ci, ri, di], row });
        opts.onRow?.(row);
      }
    }
  }
  rows.sort((a, b) => a.key[0] - b.key[0] || a.key[1] - b.key[1] || a.key[2] - b.key[2]);
  return rows.map((r) => r.row);
}

/** Mean of the rows of one method at one ratio over the documents. */
export type FidelitySummary = Pick<
  FidelityRow,
  'method' | 'ratio' | 'kl' | 'top1' | 'kl16' | 'top1_16' | 'ppl' | 'ppl_full' | 'outputErr' | 'logMassErr' | 'compactionMs' | 'recompactionMs' | 'kvBytes'
> & { docs: number };

/** Means over documents per (method, ratio), in row order. */
export function summarize(rows: readonly FidelityRow[]): FidelitySummary[] {
  const groups = new Map<string, FidelityRow[]>();
  for (const r of rows) {
    const key = `${r.method}\u0000${r.ratio}`;
    const g = groups.get(key) ?? [];
    g.push(r);
    groups.set(key, g);
  }
  return [...groups.values()].map((g) => {
    const mean = (f: (r: FidelityRow) => number) => g.reduce((s, r) => s + f(r), 0) / g.length;
    return {
      method: g[0].method,
      ratio: g[0].ratio,
      docs: g.length,
      kl: mean((r) => r.kl),
      top1: mean((r) => r.top1),
      kl16: mean((r) => r.kl16),
      top1_16: mean((r) => r.top1_16),
      ppl: mean((r) => r.ppl),
      ppl_full: mean((r) => r.ppl_full),
      outputErr: mean((r) => r.outputErr),
      logMassErr: mean((r) => r.logMassErr),
      compactionMs: mean((r) => r.compactionMs),
      recompactionMs: mean((r) => r.recompactionMs),
      kvBytes: mean((r) => r.kvBytes),
    };
  });
}
