import { describe, expect, it } from 'vitest';
import {
  bf16BitsToF32,
  bf16ToF32,
  f16BitsToF32,
  f16ToF32,
  f32ToBf16,
  f32ToBf16Bits,
  f32ToF16,
  f32ToF16Bits,
  widen16InPlace,
} from '../../engine/model/dtype.js';

function bitsToF32(bits: number): number {
  return new Float32Array(new Uint32Array([bits]).buffer)[0];
}

describe('F16 → F32', () => {
  it.each([
    [0x3c00, 1],
    [0xc000, -2],
    [0x3800, 0.5],
    [0x3555, 0.333251953125],
    [0x7bff, 65504],
    [0x0400, 2 ** -14],
    [0x03ff, 1023 * 2 ** -24],
    [0x0001, 2 ** -24],
    [0x8001, -(2 ** -24)],
    [0x0000, 0],
    [0x7c00, Infinity],
    [0xfc00, -Infinity],
  ])('0x%s decodes to %s', (h, value) => {
    expect(f16BitsToF32(h)).toBe(value);
    expect(f16ToF32(new Uint16Array([h]))[0]).toBe(value);
  });

  it('keeps the sign of zero and decodes NaN as NaN', () => {
    expect(Object.is(f16ToF32(new Uint16Array([0x8000]))[0], -0)).toBe(true);
    const nans = f16ToF32(new Uint16Array([0x7e00, 0x7c01, 0xfe00]));
    expect([...nans].every(Number.isNaN)).toBe(true);
  });
});

describe('F32 → F16 (round to nearest, ties to even)', () => {
  it.each([
    [1, 0x3c00],
    [-2, 0xc000],
    [65504, 0x7bff],
    [65519.99, 0x7bff], // just below the midpoint to 65536
    [65520, 0x7c00], // the midpoint rounds to even, which is Inf
    [1e10, 0x7c00],
    [-1e10, 0xfc00],
    [Infinity, 0x7c00],
    [-Infinity, 0xfc00],
    [1 + 2 ** -11, 0x3c00], // tie between 0x3c00 and 0x3c01 → even
    [1 + 3 * 2 ** -11, 0x3c02], // tie between 0x3c01 and 0x3c02 → even
    [1 + 2 ** -11 + 2 ** -20, 0x3c01], // just above the tie
    [2 ** -24, 0x0001],
    [2 ** -25, 0x0000], // tie between 0 and the smallest subnormal → 0
    [2 ** -25 + 2 ** -40, 0x0001],
    [1e-8, 0x0000],
    [3 * 2 ** -25, 0x0002], // tie between 1 and 2 ulps → 2
    [5 * 2 ** -25, 0x0002], // tie between 2 and 3 ulps → 2
    [2 ** -14 - 2 ** -25, 0x0400], // tie between the largest subnormal and the smallest normal → normal (even)
    [2 ** -14 - 2 ** -24, 0x03ff],
    [0.1, 0x2e66],
    [-0, 0x8000],
  ])('%s encodes to 0x%s', (value, h) => {
    expect(f32ToF16Bits(value)).toBe(h);
    expect(f32ToF16(new Float32Array([value]))[0]).toBe(h);
  });

  it('keeps NaN a NaN, even a signalling NaN whose payload lives only in the low bits', () => {
    const src = new Float32Array(new Uint32Array([0x7fc00000, 0x7f800001, 0xff800001]).buffer);
    for (const h of f32ToF16(src)) {
      expect(h & 0x7c00).toBe(0x7c00);
      expect(h & 0x3ff).not.toBe(0);
    }
  });

  it('round-trips every non-NaN half exactly', () => {
    const all = new Uint16Array(65536).map((_, i) => i);
    const back = f32ToF16(f16ToF32(all));
    for (let h = 0; h < 65536; h++) {
      const isNaN = (h & 0x7c00) === 0x7c00 && (h & 0x3ff) !== 0;
      if (!isNaN && back[h] !== h) throw new Error(`0x${h.toString(16)} came back as 0x${back[h].toString(16)}`);
    }
  });

  it('agrees with a brute-force nearest-half search on random floats', () => {
    // Positive finite halves in increasing order, as float64 values.
    const halves = Array.from({ length: 0x7c00 }, (_, h) => f16BitsToF32(h));
    const nearest = (x: number): number => {
      const a = Math.abs(x);
      const sign = x < 0 ? 0x8000 : 0;
      if (a >= 65520) return sign | 0x7c00;
      let lo = 0;
      let hi = halves.length - 1;
      while (hi - lo > 1) {
        const mid = (lo + hi) >> 1;
        if (halves[mid] <= a) lo = mid;
        else hi = mid;
      }
      const dLo = a - halves[lo];
      const dHi = halves[hi] - a;
      const pick = dLo < dHi ? lo : dHi < dLo ? hi : lo % 2 === 0 ? lo : hi;
      return sign | pick;
    };
    let state = 12345;
    const bits = new Uint32Array(100_000);
    for (let i = 0; i < bits.length; i++) {
      state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
      const exponent = 95 + (state % 50); // from well below the subnormals to past the overflow
      state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
      bits[i] = ((state & 0x80000000) | (exponent << 23) | (state & 0x7fffff)) >>> 0;
    }
    const src = new Float32Array(bits.buffer);
    const out = f32ToF16(src);
    for (let i = 0; i < src.length; i++) {
      const expected = nearest(src[i]);
      if (out[i] !== expected) throw new Error(`${src[i]}: got 0x${out[i].toString(16)}, expected 0x${expected.toString(16)}`);
    }
  });
});

describe('BF16', () => {
  it.each([
    [0x3f80, 1],
    [0xc049, -3.140625],
    [0x7f80, Infinity],
    [0xff80, -Infinity],
    [0x0001, 2 ** -133],
    [0x4120, 10],
  ])('0x%s decodes to %s', (b, value) => {
    expect(bf16BitsToF32(b)).toBe(value);
    expect(bf16ToF32(new Uint16Array([b]))[0]).toBe(value);
  });

  it.each([
    [1, 0x3f80],
    [1 + 2 ** -8, 0x3f80], // tie → even
    [1 + 3 * 2 ** -8, 0x3f82], // tie → even
    [1 + 2 ** -8 + 2 ** -20, 0x3f81],
    [1 + 2 ** -8 - 2 ** -20, 0x3f80],
    [-3.14159, 0xc049],
    [bitsToF32(0x7f7fffff), 0x7f80], // the largest float rounds up to Inf
    [Infinity, 0x7f80],
    [-0, 0x8000],
    [2 ** -140, 0x0000], // a float32 subnormal too small for bf16's 7 mantissa bits
    [2 ** -133, 0x0001], // the smallest bf16 subnormal
  ])('%s encodes to 0x%s', (value, b) => {
    expect(f32ToBf16Bits(value)).toBe(b);
    expect(f32ToBf16(new Float32Array([value]))[0]).toBe(b);
  });

  it('keeps NaN a NaN, even when the payload is only in the dropped low bits', () => {
    const src = new Float32Array(new Uint32Array([0x7f800001, 0xff800001, 0x7fc00000]).buffer);
    for (const b of f32ToBf16(src)) expect(Number.isNaN(bf16BitsToF32(b))).toBe(true);
  });

  it('rounds random floats to the nearer bf16 neighbour', () => {
    const src = new Float32Array(50_000).map((_, i) => Math.sin(i * 12.9898) * 10 ** ((i % 20) - 10));
    const out = f32ToBf16(src);
    const srcBits = new Uint32Array(src.buffer);
    for (let i = 0; i < src.length; i++) {
      const down = bitsToF32((srcBits[i] & 0xffff0000) >>> 0);
      const up = bitsToF32(((srcBits[i] & 0xffff0000) + 0x10000) >>> 0);
      const got = bf16BitsToF32(out[i]);
      const best = Math.min(Math.abs(src[i] - down), Math.abs(src[i] - up));
      if (Math.abs(src[i] - got) !== best) throw new Error(`${src[i]} rounded to ${got}`);
    }
  });
});

describe('widen16InPlace', () => {
  it('turns 16-bit values stored in the upper half into float32 over the whole buffer', () => {
    const values = new Float32Array([1, -2, 0.5, 65504, 2 ** -24, 3.140625, -0.1, 7]);
    for (const dtype of ['F16', 'BF16'] as const) {
      const encoded = dtype === 'F16' ? f32ToF16(values) : f32ToBf16(values);
      const out = new Float32Array(values.length);
      new Uint16Array(out.buffer, 2 * values.length, values.length).set(encoded);
      const expected = dtype === 'F16' ? f16ToF32(encoded) : bf16ToF32(encoded);
      expect(widen16InPlace(out, dtype)).toEqual(expected);
    }
  });
});
