import type { KvCache } from '../cache/kv-cache.js';
import { endsSentence, type SourceAttributor, type SourcePassage } from '../cache/source-attribution.js';
import { LongreadError } from '../errors.js';
import type { Decoder } from '../runtime/decoder.js';
import type { ModelSpec } from '../model/spec.js';
import type { TextTokenizer } from '../tokenizer/index.js';
import { StopStringMatcher, StreamDecoder } from '../tokenizer/index.js';
import { GREEDY, Sampler, type SamplingParams } from './sampler.js';

export interface GenerateParams {
  maxTokens: number;
  sampling?: Partial<SamplingParams>;
  stopStrings?: string[];
  /** Stop at these ids (the model's EOS tokens) unless empty. */
  stopTokenIds?: number[];
  prefillChunk?: number;
  onPrefill?: (done: number, total: number) => void;
  /** Receives the prompt's post-RoPE queries while it is prefilled (e.g. reference queries for online compaction). */
  onPromptQueries?: (queries: Float32Array[], S: number, firstPosition: number) => void;
  /**
   * Checked before every model call; true stops at the next token. May be async (a host that waits for a cancel
   * message lets its event loop run here).
   */
  isCancelled?: () => boolean | Promise<boolean>;
  /**
   * Attributes each generated sentence to the document tokens it attended to most (needs a graph built with an
   * attention summary); the passages arrive on the token that ends the sentence.
   */
  sources?: SourceAttributor;
}

export type StopReason = 'stop-token' | 'stop-string' | 'max-tokens' | 'context-full' | 'cancelled';

export interface GeneratedToken {
  id: number;
  /** Newly final text (may be empty while a character or a possible stop string is incomplete). */
  text: string;
  /** On the token that ends a sentence: the passages that sentence drew on, best first. */
  sources?: SourcePassage[];
}

export interface GenerationSummary {
  tokens: number[];
  text: string;
  stopReason: StopReason;
  promptTokens: number;
  prefillMs: number;
  decodeMs: number;
}

export interface GenerationModel {
  spec: ModelSpec;
  decoder: Decoder;
  tokenizer: TextTokenizer;
}

export interface PrefillOptions {
  /** Tokens per model call. Default 512. */
  chunk?: number;
  onProgress?: (done: number, total: number) => void;
  isCancelled?: () => boolean | Promise<boolean>;
  /** Receives each chunk's post-RoPE queries ([heads, S, headDim] per layer) and the chunk's first position. */
  onQueries?: (queries: Float32Array[], S: number, firstPosition: number) => void;
}

/**
 * Bytes a prefill call's attention scores ([heads, S, slots + S] fp32) may take. onnxruntime's arena keeps its
 * largest allocations, so this bounds the resident memory a long read leaves behind: at 8k cached tokens of
 * Qwen2.5-0.5B, 512-token calls left a 1.9 GB peak RSS and 128-token calls 1.2 GB, in the same prefill time.
 */
const PREFILL_SCORE_BYTES = 64 * 2 ** 20;
const MIN_PREFILL_CHUNK = 64;

/** Tokens of the next prefill call: at most `chunk`, fewer deep into the cache, so its scores stay under the cap. */
export function prefillChunkAt(chunk: number, cache: KvCache, numHeads: number): number {
  const slots = Math.max(0, ...cache.layers.map((l) => l.capacity));
  const fit = Math.floor(PREFILL_SCORE_BYTES / (4 * numHeads * (slots + chunk)));
  return Math.max(Math.min(chunk, MIN_PREFILL_CHUNK), Math.min(chunk, fit));
}

/** Feeds tokens into the cache in chunks, reporting progress; returns the logits after the last one. */
export async function prefill(decoder: Decoder, cache: KvCache, ids: readonly number[], opts: PrefillOptions = {}): Promise<Float32Array> {
  if (ids.length === 0) throw new LongreadError('BAD_ARGUMENT', 'Nothing to prefill: the prompt is empty');
  const chunk = opts.chunk ?? 512;
  // No up-front reservation: the graph attends over the whole capacity, so growing with the chunks keeps each
  // chunk's attention proportional to what is actually cached.
  let logits: Float32Array = new Float32Array(0);
  for (let s = 0; s < ids.length; ) {
    if (await opts.isCancelled?.()) throw new LongreadError('CANCELLED', 'Cancelled while reading the prompt');
    const part = ids.slice(s, s + prefillChunkAt(chunk, cache, decoder.spec.numHeads));
    const first = cache.logicalLength;
    const r = await decoder.step(cache, part, { queries: !!opts.onQueries });
    opts.onQueries?.(r.queries!, part.length, first);
    logits = r.logits;
    s += part.length;
    opts.onProgress?.(s, ids.length);
  }
  return logits;
}

export function checkContext(spec: ModelSpec, cache: KvCache, promptTokens: number): void {
  const limit = spec.slidingWindow ?? spec.maxPositions;
  const total = cache.logicalLength + promptTokens;
  if (total >= limit) {
    throw new LongreadError(
      'CONTEXT_TOO_LONG',
      `The prompt needs ${total} positions but the model allows ${limit}; shorten the document or compact it first`,
    );
  }
}

/**
 * Prefills `promptIds` after whatever the cache holds, then decodes token by token, streaming each token's text.
 * Returns a summary when generation stops; cancellation stops at the next token (not an error).
 */
export async function* generate(
  model: GenerationModel,
  cache: KvCache,
  promptIds: readonly number[],
  params: GenerateParams,
): AsyncGenerator<GeneratedToken, GenerationSummary> {
  const { spec, decoder, tokenizer } = model;
  checkContext(spec, cache, promptIds.length);
  const sampler = new Sampler({ ...GREEDY, ...params.sampling });
  const stops = new Set(params.stopTokenIds ?? []);
  const matcher = new StopStringMatcher(params.stopStrings ?? []);
  const stream = new StreamDecoder(tokenizer, { skipSpecialTokens: true, prefixIds: promptIds });
  const limit = spec.slidingWindow ?? spec.maxPositions;
  const seen = [...promptIds];
  const tokens: number[] = [];
  let text = '';
  let stopReason: StopReason = 'max-tokens';

  const t0 = performance.now();
  let logits: Float32Array;
  try {
    logits = await prefill(decoder, cache, promptIds, { chunk: params.prefillChunk, onProgress: params.onPrefill, isCancelled: params.isCancelled, onQueries: params.onPromptQueries });
  } catch (e) {
    if (e instanceof LongreadError && e.code === 'CANCELLED') {
      return { tokens, text, stopReason: 'cancelled', promptTokens: promptIds.length, prefillMs: performance.now() - t0, decodeMs: 0 };
    }
    throw e;
  }
  const t1 = performance.now();

  while (tokens.length < params.maxTokens) {
    if (await params.isCancelled?.()) {
      stopReason = 'cancelled';
      break;
    }
    const id = sampler.sample(logits, seen);
    if (stops.has(id)) {
      stopReason = 'stop-token';
      break;
    }
    tokens.push(id);
    seen.push(id);
    const { emit, stopped } = matcher.push(stream.push(id));
    text += emit;
    const sentenceDone = params.sources && emit && endsSentence(text);
    yield sentenceDone ? { id, text: emit, sources: params.sources!.takeSentence() } : { id, text: emit };
    if (stopped) {
      stopReason = 'stop-string';
      break;
    }
    if (tokens.length >= params.maxTokens) break;
    if (cache.logicalLength + 1 >= limit) {
      stopReason = 'context-full';
      break;
    }
    const step = await decoder.step(cache, [id], { attention: !!params.sources });
    if (params.sources && step.attention) params.sources.addStep(cache, step.attention);
    logits = step.logits;
  }
  if (stopReason !== 'stop-string') {
    const rest = matcher.push(stream.flush()).emit + matcher.flush();
    if (rest) {
      text += rest;
      yield { id: -1, text: rest };
    }
  }
  return { tokens, text, stopReason, promptTokens: promptIds.length, prefillMs: t1 - t0, decodeMs: performance.now() - t1 };
}
