import { KvCache } from '../cache/kv-cache.js';
import { prefill } from '../generate/generate.js';
import { Sampler, type SamplingParams } from '../generate/sampler.js';
import type { FidelityModel } from './fidelity.js';

export interface SampleOptions {
  /** Tokens generated after BOS. */
  tokens: number;
  seed: number;
  temperature: number;
  topP: number;
}

/**
 * Samples one text from the model itself, starting from BOS with a fixed seed. End-of-text tokens are masked so
 * the text reaches the requested length (a base story model would otherwise stop after one short story).
 */
export async function sampleDocument(model: FidelityModel, opts: SampleOptions): Promise<string> {
  const { spec, decoder, tokenizer } = model;
  const start = tokenizer.bosTokenId ?? spec.bosTokenId ?? 1;
  const banned = new Set<number>([...spec.eosTokenIds, start]);
  const params: SamplingParams = { temperature: opts.temperature, topK: 0, topP: opts.topP, repetitionPenalty: 1, seed: opts.seed };
  const sampler = new Sampler(params);
  const cache = new KvCache({ numLayers: spec.numLayers, numKvHeads: spec.numKvHeads, headDim: spec.headDim });
  let logits = await prefill(decoder, cache, [start]);
  const ids: number[] = [];
  while (ids.length < opts.tokens) {
    const row = Float32Array.from(logits);
    for (const b of banned) if (b < row.length) row[b] = -Infinity;
    const id = sampler.sample(row, ids);
    ids.push(id);
    logits = (await decoder.step(cache, [id])).logits;
  }
  return tokenizer.decode(ids, { skipSpecialTokens: true }).trim();
}
