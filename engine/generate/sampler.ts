import { mulberry32 } from '../util/random.js';

export interface SamplingParams {
  /** 0 = greedy (argmax). */
  temperature: number;
  /** 0 = off. */
  topK: number;
  /** 1 = off. */
  topP: number;
  /** 1 = off; HF semantics: positive logits divided, negative multiplied, for every token seen so far. */
  repetitionPenalty: number;
  seed: number;
}

export const GREEDY: SamplingParams = { temperature: 0, topK: 0, topP: 1, repetitionPenalty: 1, seed: 0 };

export function argmax(logits: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < logits.length; i++) if (logits[i] > logits[best]) best = i;
  return best;
}

export class Sampler {
  private readonly random: () => number;

  constructor(readonly params: SamplingParams) {
    this.random = mulberry32(params.seed);
  }

  /** Picks the next token. `logits` may be modified in place. */
  sample(logits: Float32Array, seen: Iterable<number>): number {
    const p = this.params;
    if (p.repetitionPenalty !== 1) {
      for (const id of new Set(seen)) {
        const v = logits[id];
        logits[id] = v > 0 ? v / p.repetitionPenalty : v * p.repetitionPenalty;
      }
    }
    if (p.temperature <= 0) return argmax(logits);

    // candidates sorted by logit, cut by top-k
    let order = Array.from({ length: logits.length }, (_, i) => i);
    if (p.topK > 0 && p.topK < order.length) order = topKIndices(logits, p.topK);
    else order.sort((a, b) => logits[b] - logits[a]);

    const max = logits[order[0]];
    const probs = order.map((i) => Math.exp((logits[i] - max) / p.temperature));
    const total = probs.reduce((a, b) => a + b, 0);
    let keep = probs.length;
    if (p.topP < 1) {
      let cum = 0;
      for (let i = 0; i < probs.length; i++) {
        cum += probs[i] / total;
        if (cum >= p.topP) {
          keep = i + 1;
          break;
        }
      }
    }
    const kept = probs.slice(0, keep);
    const keptTotal = kept.reduce((a, b) => a + b, 0);
    let r = this.random() * keptTotal;
    for (let i = 0; i < keep; i++) {
      r -= kept[i];
      if (r <= 0) return order[i];
    }
    return order[keep - 1];
  }
}

function topKIndices(logits: Float32Array, k: number): number[] {
  // partial selection: keep a sorted list of the k best seen
  const best: number[] = [];
  for (let i = 0; i < logits.length; i++) {
    const v = logits[i];
    if (best.length === k && v <= logits[best[k - 1]]) continue;
    let j = best.length < k ? best.length : k - 1;
    if (best.length < k) best.push(i);
    while (j > 0 && logits[best[j - 1]] < v) {
      best[j] = best[j - 1];
      j--;
    }
    best[j] = i;
  }
  return best;
}
