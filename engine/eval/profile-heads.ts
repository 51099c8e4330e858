import { Recompactor } from '../compaction/cache/recompactor.js';
import type { BudgetSpec } from '../compaction/cache/budgets.js';
import { argmax } from '../generate/sampler.js';
import type { AttentionOps } from '../compaction/attention-ops.js';
import type { CompactionMethod } from '../compaction/types.js';
import { prepareDocument, querySets, type FidelityDocument, type FidelityModel, type PreparedDocument } from './fidelity.js';
import type { QuerySource } from './method-configs.js';

export interface ProfileOptions {
  ratio: number;
  method: CompactionMethod;
  /** Where compaction's heavy products run. */
  ops: AttentionOps;
  queries: QuerySource;
  /** Share given to the probed head (the others share what it gives up). Default 0.5. */
  probeShare?: number;
  /** Greedy continuation length scored. Default 32. */
  continuation?: number;
  /** Greedy swap rounds after the proportional start: move `swapStep` of share between two heads while that helps. Default 6. */
  swaps?: number;
  /** Share moved by one swap. Default 0.25. */
  swapStep?: number;
  onHead?: (layer: number, head: number, delta: number) => void;
  onSwap?: (from: string, to: string, nll: number) => void;
}

export interface HeadProfile {
  /** {"L0H0": share, ...}: the budget profile, mean 1. */
  profile: Record<string, number>;
  /** Mean increase in NLL (nats/token) of the model's own continuation when a head's budget is cut. */
  sensitivity: Record<string, number>;
  /** Mean continuation NLL with uniform budgets, the proportional start, and after the greedy swaps. */
  nll: { uniform: number; proportional: number; final: number };
  /** Swaps accepted, as "L1H0→L4H2". */
  swaps: string[];
}

/** Mean NLL of `ids` teacher-forced after a cache, given the logits that predict ids[0]. */
async function continuationNll(model: FidelityModel, cache: PreparedDocument['full'], first: Float32Array, ids: number[]): Promise<number> {
  const V = model.spec.vocabSize;
  const out = (await model.decoder.step(cache, ids.slice(0, -1), { logits: 'all' })).logits;
  let nll = 0;
  for (let i = 0; i < ids.length; i++) {
    const row = i === 0 ? first : out.subarray((i - 1) * V, i * V);
    let m = -Infinity;
    for (const x of row) if (x > m) m = x;
    let s = 0;
    for (const x of row) s += Math.exp(x - m);
    nll += m + Math.log(s) - row[ids[i]];
  }
  return nll / ids.length;
}

/**
 * Per-(layer, KV head) sensitivity: compact with one head's budget cut to `probeShare` of the others (the total
 * stays round(r·T) per head), and measure how much the NLL of the model's own greedy continuation grows over the
 * uniform budget. Shares start at 0.5 + 0.5·(sensitivity above the least sensitive head, relative to its mean),
 * so every head keeps at least half the average and sensitive heads get more; then greedy swaps move share from
 * the least to the most sensitive heads while the calibration NLL keeps falling.
 */
export async function profileHeads(model: FidelityModel, docs: readonly FidelityDocument[], opts: ProfileOptions): Promise<HeadProfile> {
  const { numLayers: L, numKvHeads: KV } = model.spec;
  const N = L * KV;
  const probe = opts.probeShare ?? 0.5;
  const key = (i: number) => `L${Math.floor(i / KV)}H${i % KV}`;

  // Each calibration document once: its full cache, a recompactor, and the model's own greedy continuation.
  const calibration: { recompactor: Recompactor; first: Float32Array; ids: number[] }[] = [];
  for (const doc of docs) {
    const p = await prepareDocument(model, doc, { heldOut: 8, chunkSize: 4096, queryCap: 4096, window: 32, seed: 0 });
    const full = p.full.clone();
    let logits = p.lastLogits;
    const ids: number[] = [];
    for (let i = 0; i < (opts.continuation ?? 32); i++) {
      ids.push(argmax(logits));
      logits = (await model.decoder.step(full, [ids[i]])).logits;
    }
    const recompactor = new Recompactor(p.full, { span: p.span, queries: { sets: querySets(p, opts.queries), window: p.context } });
    calibration.push({ recompactor, first: p.lastLogits, ids });
  }
  const scoreDoc = async (c: (typeof calibration)[number], budget: BudgetSpec) => {
    const { cache } = await c.recompactor.compact(opts.method, opts.ratio, { ops: opts.ops, budget });
    return continuationNll(model, cache, c.first, c.ids);
  };
  const score = async (budget: BudgetSpec) => {
    let total = 0;
    for (const c of calibration) total += await scoreDoc(c, budget);
    return total / calibration.length;
  };

  const delta = new Float64Array(N);
  const uniform = await score({ kind: 'uniform' });
  for (let i = 0; i < N; i++) {
    const probeShares = new Array<number>(N).fill(1);
    probeShares[i] = probe;
    delta[i] = (await score({ kind: 'heads', shares: probeShares })) - uniform;
    opts.onHead?.(Math.floor(i / KV), i % KV, delta[i]);
  }
  const min = Math.min(...delta);
  const mean = delta.reduce((a, b) => a + b - min, 0) / N;
  const shares = Array.from(delta, (d) => 0.5 + (mean > 0 ? (0.5 * (d - min)) / mean : 0.5));

  const proportional = await score({ kind: 'heads', shares });
  let best = proportional;
  const swaps: string[] = [];
  const step = opts.swapStep ?? 0.25;
  const bySensitivity = Array.from(delta.keys()).sort((a, b) => delta[b] - delta[a]);
  for (let round = 0; round < (opts.swaps ?? 6); round++) {
    let accepted = false;
    // a few candidate pairs: one of the most sensitive heads gains, one of the least sensitive gives
    for (const to of bySensitivity.slice(0, 3)) {
      for (const from of bySensitivity.slice(-3).reverse()) {
        if (to === from || shares[from] - step < 0.25) continue;
        const trial = shares.slice();
        trial[from] -= step;
        trial[to] += step;
        const nll = await score({ kind: 'heads', shares: trial });
        if (nll < best) {
          shares.splice(0, N, ...trial);
          best = nll;
          swaps.push(`${key(from)}→${key(to)}`);
          opts.onSwap?.(key(from), key(to), nll);
          accepted = true;
          break;
        }
      }
      if (accepted) break;
    }
    if (!accepted) break;
  }

  const profile: Record<string, number> = {};
  const sensitivity: Record<string, number> = {};
  const meanShare = shares.reduce((a, b) => a + b, 0) / N;
  shares.forEach((s, i) => {
    profile[key(i)] = s / meanShare;
    sensitivity[key(i)] = delta[i];
  });
  return { profile, sensitivity, nll: { uniform, proportional, final: best }, swaps };
}
