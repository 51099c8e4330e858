import { KvCache } from '../../engine/cache/kv-cache.js';

export interface HandHead {
  sources: number[];
  bias: number[];
}

/**
 * A cache built slot by slot: heads[layer][head] lists each slot's source position and β. Keys and values are filled
 * with a recognisable pattern (layer·1000 + head·100 + slot) that nothing here reads.
 */
export function handCache(heads: HandHead[][], headDim: number, logicalLength: number): KvCache {
  const cache = new KvCache({ numLayers: heads.length, numKvHeads: heads[0].length, headDim });
  heads.forEach((layer, l) =>
    layer.forEach(({ sources, bias }, h) => {
      const n = sources.length;
      const fill = Float32Array.from({ length: n * headDim }, (_, i) => l * 1000 + h * 100 + Math.floor(i / headDim));
      cache.layers[l].replaceRun(h, 0, 0, { keys: fill, values: fill.slice(), bias: Float32Array.from(bias), sources: Int32Array.from(sources) });
    }),
  );
  cache.logicalLength = logicalLength;
  return cache;
}

/**
 * Prefix 0–1, document 2–7 (span [2, 8)), conversation 8–9, over 2 layers × 2 KV heads; layer 1 head 1 holds nothing.
 */
export const SPAN = { start: 2, end: 8 };
export const HEADS: HandHead[][] = [
  [
    { sources: [0, 1, 2, 3, 5, 8], bias: [0, 0, 0.5, -1, 2, 0] },
    { sources: [0, 2, 7], bias: [0, 1, 3] },
  ],
  [
    { sources: [1, 4, 5, 6, 7, 9], bias: [0, 0.25, 0.25, -0.5, 1, 0] },
    { sources: [], bias: [] },
  ],
];
