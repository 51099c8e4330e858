import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { KvCache } from '../../engine/cache/kv-cache.js';
import { convertCheckpoint } from '../../engine/graph/convert.js';
import type { ModelSpec } from '../../engine/model/spec.js';
import { Decoder } from '../../engine/runtime/decoder.js';
import { openSession } from '../../engine/runtime/execution-provider.js';
import { tinySpec, tinyWeights } from '../helpers/tiny-model.js';

export interface TinyDecoder {
  spec: ModelSpec;
  decoder: Decoder;
  newCache(): KvCache;
  close(): Promise<void>;
}

/** A random-weight fp32 decoder graph (GQA 2 by default) in a temporary cache folder. */
export async function tinyDecoder(overrides: Partial<ModelSpec> = {}, seed = 11, attentionSummary: 'none' | 'reduced' = 'none'): Promise<TinyDecoder> {
  const spec = tinySpec(overrides);
  const cacheRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'longread-compact-'));
  const converted = convertCheckpoint({
    weights: tinyWeights(spec, seed),
    spec,
    fingerprint: `tiny-compact-${seed}-${attentionSummary}-${JSON.stringify(spec)}`,
    options: { weights: 'fp32', accuracyLevel: 0, attentionSummary },
    cacheRoot,
  });
  const { session } = await openSession(converted.modelPath, 'cpu');
  return {
    spec,
    decoder: new Decoder(session, spec),
    newCache: () => new KvCache({ numLayers: spec.numLayers, numKvHeads: spec.numKvHeads, headDim: spec.headDim }),
    close: async () => {
      await session.release();
      fs.rmSync(cacheRoot, { recursive: true, force: true });
    },
  };
}

/** Deterministic token ids in [3, vocab). */
export function tokenIds(n: number, vocab: number, seed = 3): number[] {
  let a = seed;
  return Array.from({ length: n }, () => {
    a = (a * 1103515245 + 12345) % 2147483648;
    return 3 + (a % (vocab - 3));
  });
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}
