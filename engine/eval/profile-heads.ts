import { Recompactor } from '../compaction/cache/recompactor.js';
import type { BudgetSpec } from '../compaction/cache/budgets.js';
import { argmax } from '../generate/sampler.js';
import type { CompactionMethod } from '../compaction/types.js';
import { prepareDocument, querySets, type FidelityDocument, type FidelityModel, type PreparedDocument } from './fidelity.js';
import type { QuerySource } from './method-configs.js';

export interface ProfileOptions {
  ratio: number;
  method: CompactionMethod;
  queries: QuerySource;
  /** Share given to the probed head (the others share what it gives up). Default 0.5. */
  probeShare?: number;
  /** Greedy continuation length scored. Default 32. */
  continuation?: number;
  onHead?: (layer: number, head: number, delta: number) => void;
}

export interface HeadProfile {
  /** {"L0H0": share, ...}: the budget profile, mean 1. */
  profile: Record<string, number>;
  /** Mean increase in NLL (nats/token) of the model's own continuation when a head's budget is cut. */
  sensitivity: Record<string, number>;
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
 * uniform budget. Shares are then 0.5 + 0.5·(sensitivity above the least sensitive head, relative to its mean),
 * so every head keeps at least half the average and sensitive heads get more.
 */
export async function profileHeads(model: FidelityModel, docs: readonly FidelityDocument[], opts: ProfileOptions): Promise<HeadProfile> {
  const { numLayers: L, numKvHeads: KV } = model.spec;
  const delta = new Float64Array(L * KV);
  const probe = opts.probeShare ?? 0.5;
  for (const doc of docs) {
    const p = await prepareDocument(model, doc, { heldOut: 8, chunkSize: 4096, queryCap: 4096, window: 32, seed: 0 });
    // The model's own continuation after the first part, greedy, on the full cache.
    const full = p.full.clone();
    let logits = p.lastLogits;
    const ids: number[] = [];
    for (let i = 0; i < (opts.continuation ?? 32); i++) {
      ids.push(argmax(logits));
      logits = (await model.decoder.step(full, [ids[i]])).logits;
    }
    const recompactor = new Recompactor(p.full, { span: p.span, queries: { sets: querySets(p, opts.queries), window: p.context } });
    const score = async (budget: BudgetSpec) => {
      const { cache } = recompactor.compact(opts.method, opts.ratio, { budget });
      return continuationNll(model, cache, p.lastLogits, ids);
    };
    const base = await score({ kind: 'uniform' });
    for (let i = 0; i < L * KV; i++) {
      const shares = new Array<number>(L * KV).fill(1);
      shares[i] = probe;
      const d = (await score({ kind: 'heads', shares })) - base;
      delta[i] += d / docs.length;
      opts.onHead?.(Math.floor(i / KV), i % KV, d);
    }
  }
  const min = Math.min(...delta);
  const mean = delta.reduce((a, b) => a + b - min, 0) / delta.length;
  const profile: Record<string, number> = {};
  const sensitivity: Record<string, number> = {};
  delta.forEach((d, i) => {
    const key = `L${Math.floor(i / KV)}H${i % KV}`;
    profile[key] = 0.5 + (mean > 0 ? (0.5 * (d - min)) / mean : 0.5);
    sensitivity[key] = d;
  });
  return { profile, sensitivity };
}
