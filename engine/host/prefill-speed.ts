import type { LoadedModel } from '../load-model.js';

/**
 * This machine's prefill speed for the loaded model, in tokens per second: a short prefill of arbitrary tokens,
 * timed after a warm-up step. Read-time estimates scale it; it is refined by every real read.
 */
export async function measurePrefillSpeed(model: LoadedModel, tokens = 128): Promise<number> {
  const n = Math.min(tokens, Math.max(8, model.spec.maxPositions >> 2));
  const ids = Array.from({ length: n }, (_, i) => (i * 7919 + 13) % model.tokenizer.vocabSize);
  await model.decoder.step(model.newCache(), ids.slice(0, 8));
  const t0 = performance.now();
  await model.decoder.step(model.newCache(), ids);
  const seconds = (performance.now() - t0) / 1000;
  return seconds > 0 ? n / seconds : 0;
}
