import { describe, expect, it } from 'vitest';
import { jsAttentionOps } from '../../engine/compaction/js-attention-ops.js';
import { createMethod, isMethodName, METHOD_NAMES } from '../../engine/compaction/registry.js';
import { isLongreadError } from '../../engine/errors.js';
import { randomMatrix, structuredHead } from './reference.js';

function withExtras() {
  const { block } = structuredHead({ T: 64, d: 8, n: 128, seed: 51 });
  block.bias = Float32Array.from({ length: block.T }, (_, j) => (j % 3 === 0 ? -0.25 : 0.5));
  block.queryPositions = Int32Array.from({ length: block.n }, (_, i) => i % block.T);
  block.windowQueries = randomMatrix(8, block.d, 52);
  block.windowN = 8;
  return block;
}

const ops = { ops: jsAttentionOps };

async function codeOf(f: () => unknown): Promise<string | undefined> {
  try {
    await f();
  } catch (e) {
    return isLongreadError(e) ? e.code : 'not a LongreadError';
  }
  return undefined;
}

describe('every method', () => {
  it('the registry knows all eight methods', async () => {
    expect([...METHOD_NAMES].sort()).toEqual(['am', 'am-omp', 'h2o', 'knorm', 'none', 'random', 'snapkv', 'streaming']);
    expect(isMethodName('am')).toBe(true);
    expect(isMethodName('toString')).toBe(false);
    expect(await codeOf(() => createMethod('pyramidkv'))).toBe('BAD_ARGUMENT');
  });

  for (const name of METHOD_NAMES) {
    it(`${name}: a budget t ≥ T returns the block exactly`, async () => {
      const block = withExtras();
      const method = createMethod(name);
      expect(method.name).toBe(name);
      for (const budget of [block.T, block.T + 5]) {
        const c = await method.compact(block, budget, ops);
        expect(Array.from(c.indices)).toEqual(Array.from({ length: block.T }, (_, j) => j));
        expect(c.keys).toEqual(block.keys);
        expect(c.values).toEqual(block.values);
        expect(c.bias).toEqual(block.bias);
        expect(c.keys).not.toBe(block.keys); // a copy, not an alias the caller might mutate
      }
    });

    it(`${name}: a smaller budget gives t ascending distinct slots (or the full block for none)`, async () => {
      const block = withExtras();
      const c = await createMethod(name).compact(block, 10, ops);
      const t = name === 'none' ? block.T : 10;
      expect(c.indices.length).toBe(t);
      expect(c.keys.length).toBe(t * block.d);
      expect(c.values.length).toBe(t * block.d);
      expect(c.bias.length).toBe(t);
      for (let r = 1; r < t; r++) expect(c.indices[r]).toBeGreaterThan(c.indices[r - 1]);
      for (let r = 0; r < t; r++) {
        const j = c.indices[r];
        expect(c.keys.subarray(r * 8, r * 8 + 8)).toEqual(block.keys.subarray(j * 8, j * 8 + 8));
      }
      expect(c.bias.every(Number.isFinite) && c.values.every(Number.isFinite)).toBe(true);
    });

    it(`${name}: rejects a bad budget and mismatched shapes with BAD_ARGUMENT`, async () => {
      const block = withExtras();
      const method = createMethod(name);
      expect(await codeOf(() => method.compact(block, 0, ops))).toBe('BAD_ARGUMENT');
      expect(await codeOf(() => method.compact(block, 2.5, ops))).toBe('BAD_ARGUMENT');
      expect(await codeOf(() => method.compact({ ...block, bias: new Float32Array(3) }, 10, ops))).toBe('BAD_ARGUMENT');
      const poisoned = Float32Array.from(block.keys);
      poisoned[5] = NaN;
      expect(await codeOf(() => method.compact({ ...block, keys: poisoned }, 10, ops))).toBe('BAD_ARGUMENT');
    });
  }

  it('methods that need reference queries refuse a block without them', async () => {
    const block = { ...withExtras(), queries: new Float32Array(0), n: 0 };
    for (const name of ['am', 'am-omp', 'h2o'] as const) expect(await codeOf(() => createMethod(name).compact(block, 10, ops))).toBe('BAD_ARGUMENT');
    const noWindow = { ...withExtras(), windowQueries: undefined, windowN: undefined };
    expect(await codeOf(() => createMethod('snapkv').compact(noWindow, 10, ops))).toBe('BAD_ARGUMENT');
  });
});
