import { prefill } from '../../engine/generate/generate.js';
import type { LoadedModel } from '../../engine/load-model.js';

/** The logits of a plain decode: a prompt prefilled in chunks, then one token at a time. */
export interface DecodeLogits {
  afterPrompt: Float32Array;
  steps: Float32Array[];
}

/**
 * Prefills `promptIds` in chunks of `chunk` (so later chunks attend to cached slots with their bias), then feeds
 * `stepIds` one at a time (the single-token decode graph path). Teacher-forced, so every provider sees the same tokens.
 */
export async function runDecodePath(model: LoadedModel, promptIds: number[], stepIds: number[], chunk: number): Promise<DecodeLogits> {
  const cache = model.newCache();
  const afterPrompt = await prefill(model.decoder, cache, promptIds, { chunk });
  const steps: Float32Array[] = [];
  for (const id of stepIds) steps.push((await model.decoder.step(cache, [id])).logits);
  return { afterPrompt, steps };
}
