import ort from 'onnxruntime-node';
import type { KvCache } from '../cache/kv-cache.js';
import { LongreadError } from '../errors.js';
import { foreignMessage } from '../model/foreign-message.js';
import { IO } from '../graph/io-names.js';
import type { ModelSpec } from '../model/spec.js';

export interface StepOptions {
  /** Which positions of the chunk get logits: the last only (default) or all. */
  logits?: 'last' | 'all';
  /** Return the post-RoPE queries of each layer, [heads, S, headDim]. */
  queries?: boolean;
  /** Return the graph's attention summary over past slots (only if the graph was built with one). */
  attention?: boolean;
}

export interface StepResult {
  /** [N, vocab] */
  logits: Float32Array;
  queries?: Float32Array[];
  attention?: Float32Array[];
  /** Physical slots per head the graph read for this step (the cache capacity). */
  pastSlots: number;
}

/**
 * Runs the decoder graph over a chunk of new tokens against a KvCache, then appends the chunk's K/V rows to the
 * cache. Inputs are zero-copy views of the cache buffers (K/V fp16); only the new rows come back, in fp16.
 */
export class Decoder {
  constructor(
    readonly session: ort.InferenceSession,
    readonly spec: ModelSpec,
  ) {}

  get hasAttentionSummary(): boolean {
    return this.session.outputNames.includes(IO.attention(0));
  }

  async step(cache: KvCache, ids: ArrayLike<number>, opts: StepOptions = {}): Promise<StepResult> {
    const S = ids.length;
    const { numLayers: L, numKvHeads: KV, headDim: d, vocabSize: V } = this.spec;
    // Every layer must expose at least one slot (an empty one is harmless: its bias removes it); an empty cache gets
    // exactly one, so a first prefill chunk does not attend over a whole growth chunk of empty slots.
    for (const layer of cache.layers) layer.reserve(1, 1);
    const start = cache.logicalLength;
    checkIds(ids, V);
    const feeds: Record<string, ort.Tensor> = {
      [IO.inputIds]: new ort.Tensor('int64', BigInt64Array.from(Array.from(ids, (t) => BigInt(t))), [1, S]),
      [IO.positionIds]: new ort.Tensor('int64', BigInt64Array.from({ length: S }, (_, i) => BigInt(start + i)), [1, S]),
      [IO.logitsIndex]:
        opts.logits === 'all'
          ? new ort.Tensor('int64', BigInt64Array.from({ length: S }, (_, i) => BigInt(i)), [S])
          : new ort.Tensor('int64', BigInt64Array.of(BigInt(S - 1)), [1]),
    };
    const fetches: string[] = [IO.logits];
    for (let l = 0; l < L; l++) {
      const layer = cache.layers[l];
      const C = layer.capacity;
      feeds[IO.pastKey(l)] = new ort.Tensor('float16', layer.keys, [1, KV, C, d]);
      feeds[IO.pastValue(l)] = new ort.Tensor('float16', layer.values, [1, KV, C, d]);
      feeds[IO.pastBias(l)] = new ort.Tensor('float32', layer.bias, [1, KV, C]);
      fetches.push(IO.newKey(l), IO.newValue(l));
      if (opts.queries) fetches.push(IO.queries(l));
      if (opts.attention && this.hasAttentionSummary) fetches.push(IO.attention(l));
    }
    const pastSlots = cache.layers[0].capacity;
    const out = await this.run(feeds, fetches);
    const result: StepResult = { logits: out[IO.logits].data as Float32Array, pastSlots };
    if (result.logits.length !== (opts.logits === 'all' ? S : 1) * V) {
      throw new LongreadError('INTERNAL', `The model returned ${result.logits.length} logits, expected ${(opts.logits === 'all' ? S : 1) * V}.`);
    }
    checkFinite(result.logits);
    if (opts.queries) result.queries = Array.from({ length: L }, (_, l) => out[IO.queries(l)].data as Float32Array);
    if (opts.attention && this.hasAttentionSummary) result.attention = Array.from({ length: L }, (_, l) => out[IO.attention(l)].data as Float32Array);
    for (let l = 0; l < L; l++) {
      cache.layers[l].append(halfBits(out[IO.newKey(l)]), halfBits(out[IO.newValue(l)]), S, start, cache.growChunk);
    }
    cache.logicalLength += S;
    return result;
  }

  private async run(feeds: Record<string, ort.Tensor>, fetches: string[]): Promise<ort.InferenceSession.ReturnType> {
    try {
      return await this.session.run(feeds, fetches);
    } catch (e) {
      throw new LongreadError('EXECUTION_PROVIDER', `onnxruntime failed while running the model: ${foreignMessage(e)}`, { cause: e });
    }
  }
}

/** The bits of an fp16 output: onnxruntime returns a Float16Array where the runtime has one, a Uint16Array elsewhere. */
function halfBits(t: ort.Tensor): Uint16Array {
  if (t.type !== 'float16') throw new LongreadError('INTERNAL', `The model returned a ${t.type} K/V output, expected float16.`);
  const data = t.data as ArrayBufferView & { length: number };
  return data instanceof Uint16Array ? data : new Uint16Array(data.buffer, data.byteOffset, data.length);
}

/** An id outside the embedding table would make onnxruntime's Gather fail (or read garbage on some providers). */
function checkIds(ids: ArrayLike<number>, vocab: number): void {
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i];
    if (!Number.isInteger(id) || id < 0 || id >= vocab) {
      throw new LongreadError('TOKENIZER', `Token id ${id} is outside the model's vocabulary of ${vocab} tokens; the tokenizer does not match the model.`);
    }
  }
}

/**
 * NaN or infinite logits mean the output is garbage: weights with NaN in them, a damaged conversion, or values that
 * overflow. Sampling from them would quietly produce nothing (or token 0), so they are an error.
 */
function checkFinite(logits: Float32Array): void {
  for (let i = 0; i < logits.length; i++) {
    if (Number.isFinite(logits[i])) continue;
    throw new LongreadError(
      'NUMERICS',
      `The model produced a non-finite logit (${logits[i]}): its weights contain NaN or infinite values, or its converted files ` +
        'are damaged. Download the model again, or delete its folder in the conversion cache.',
    );
  }
}
