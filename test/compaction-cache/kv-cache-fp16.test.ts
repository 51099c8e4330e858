import { describe, expect, it } from 'vitest';
import { KV_ELEMENT_BYTES, KvCache } from '../../engine/cache/kv-cache.js';
import { f16ToF32, f32ToF16 } from '../../engine/model/dtype.js';

/** The value of the half nearest to `x` (ties to even, ±Infinity past the largest half), computed in float64. */
function nearestHalf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const a = Math.abs(x);
  if (a >= 65520) return x < 0 ? -Infinity : Infinity;
  const exponent = a === 0 ? -14 : Math.max(-14, Math.floor(Math.log2(a)));
  const ulp = 2 ** (exponent - 10);
  let units = Math.floor(a / ulp);
  const rest = a / ulp - units;
  if (rest > 0.5 || (rest === 0.5 && units % 2 === 1)) units++;
  return (x < 0 || Object.is(x, -0) ? -1 : 1) * units * ulp;
}

const EDGES = Float32Array.from([
  0, -0, 1, -2, 0.1, -3.14159, 1 + 2 ** -11, 1 + 3 * 2 ** -11, 1 + 2 ** -11 + 2 ** -20,
  2 ** -24, 2 ** -25, 2 ** -25 + 2 ** -40, 3 * 2 ** -25, 5 * 2 ** -25, 1e-8, -(2 ** -24), 2 ** -26,
  2 ** -14, 2 ** -14 - 2 ** -25, 2 ** -14 - 2 ** -24, 1023 * 2 ** -24,
  65504, -65504, 65519.99, 65520, -65520, 1e10, 3.4e38, 1.4e-45,
  Infinity, -Infinity, NaN,
]);

function sameValue(got: ArrayLike<number>, want: ArrayLike<number>): void {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < got.length; i++) {
    if (!Object.is(got[i], want[i])) throw new Error(`element ${i} (${EDGES[i]}): got ${got[i]}, expected ${want[i]}`);
  }
}

describe('fp16 K/V storage', () => {
  it('the conversion helpers round edge values (ties, subnormals, overflow, ±0, ±Infinity, NaN) like a plain reference', () => {
    sameValue(f16ToF32(f32ToF16(EDGES)), Array.from(EDGES, nearestHalf));
  });

  it('agrees with the plain reference on a sweep of floats across the whole half range', () => {
    const xs = new Float32Array(20_000);
    let s = 99;
    for (let i = 0; i < xs.length; i++) {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      xs[i] = (s / 2 ** 32 - 0.5) * 2 ** ((i % 46) - 28); // magnitudes from below the subnormals to past the overflow
    }
    const got = f16ToF32(f32ToF16(xs));
    for (let i = 0; i < xs.length; i++) if (!Object.is(got[i], nearestHalf(xs[i]))) throw new Error(`${xs[i]}: got ${got[i]}, expected ${nearestHalf(xs[i])}`);
  });

  it('a run written as float32 reads back rounded to fp16, and appended fp16 bits read back exactly', () => {
    const cache = new KvCache({ numLayers: 1, numKvHeads: 2, headDim: EDGES.length }, 4);
    const layer = cache.layers[0];
    const values = EDGES.map((v) => -v);
    layer.replaceRun(1, 0, 0, { keys: EDGES, values, bias: Float32Array.of(0.5), sources: Int32Array.of(7) });
    const run = layer.readRun(1, 0, 1);
    expect(run.keys).toBeInstanceOf(Float32Array);
    sameValue(run.keys, Array.from(EDGES, nearestHalf));
    sameValue(run.values, Array.from(values, nearestHalf));
    expect(Array.from(run.bias)).toEqual([0.5]);
    expect(Array.from(run.sources)).toEqual([7]);

    const bits = Uint16Array.from({ length: 2 * 3 * EDGES.length }, (_, i) => (i * 2654435761) & 0x7bff); // finite halves
    layer.append(bits, bits.map((h) => h ^ 0x8000), 3, 10, 4);
    expect(Array.from(layer.used)).toEqual([3, 4]);
    expect(layer.readStoredRun(0, 0, 3).keys).toEqual(bits.subarray(0, 3 * EDGES.length));
    expect(layer.readStoredRun(1, 1, 4).values).toEqual(bits.subarray(3 * EDGES.length).map((h) => h ^ 0x8000));
  });

  it('K and V take 2 bytes per element, half of what the same content takes as float32 runs', () => {
    const shape = { numLayers: 2, numKvHeads: 2, headDim: 8 };
    const cache = new KvCache(shape, 16);
    const S = 10;
    for (const layer of cache.layers) {
      const rows = f32ToF16(Float32Array.from({ length: shape.numKvHeads * S * shape.headDim }, (_, i) => Math.sin(i)));
      layer.append(rows, rows, S, 0, cache.growChunk);
    }
    const slots = shape.numLayers * shape.numKvHeads * S;
    const fp32KvBytes = slots * 2 * shape.headDim * 4;
    expect(KV_ELEMENT_BYTES).toBe(2);
    expect(cache.usedBytes() - slots * 4).toBe(fp32KvBytes / 2); // minus one float32 β per slot
    const capacitySlots = shape.numLayers * shape.numKvHeads * cache.layers[0].capacity;
    expect(cache.allocatedBytes()).toBe(capacitySlots * (2 * shape.headDim * 2 + 4));
    const run = cache.layers[0].readRun(0, 0, S);
    const stored = cache.layers[0].readStoredRun(0, 0, S);
    expect(stored.keys.byteLength + stored.values.byteLength).toBe((run.keys.byteLength + run.values.byteLength) / 2);
  });
});
