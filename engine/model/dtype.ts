import type { StorageDType } from './tensor-types.js';

/**
 * Conversions between float32 and the 16-bit storage formats of safetensors checkpoints.
 * Typed arrays use the platform's byte order and safetensors is little-endian, so we refuse big-endian hosts
 * rather than silently reading garbage (every platform Electron ships on is little-endian).
 */
if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) {
  throw new Error('Longread needs a little-endian CPU: safetensors data is little-endian.');
}

export const DTYPE_BYTES: Readonly<Record<StorageDType, number>> = { F32: 4, F16: 2, BF16: 2 };

const f32Scratch = new Float32Array(1);
const u32Scratch = new Uint32Array(f32Scratch.buffer);

/** IEEE half bits → float32 value (exact: every half is representable as a float32). */
export function f16BitsToF32(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >>> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 0x1f) return mant ? NaN : sign * Infinity;
  return sign * (1024 + mant) * 2 ** (exp - 25);
}

/** float32 bit pattern → half bits, rounding to nearest, ties to even; NaN stays NaN (quiet), overflow → ±Inf. */
export function f32BitsToF16Bits(x: number): number {
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  const mant = x & 0x7fffff;
  if (exp === 0xff) return sign | (mant ? 0x7e00 | (mant >>> 13) : 0x7c00);
  const e = exp - 112; // rebias 127 → 15
  if (e >= 31) return sign | 0x7c00;
  if (e <= 0) {
    // Result is a half subnormal (or zero): drop 14 - e bits of the mantissa with its implicit leading 1.
    if (e < -10) return sign; // below half of the smallest subnormal
    const full = mant | 0x800000;
    const shift = 14 - e;
    const rem = full & ((1 << shift) - 1);
    const half = 1 << (shift - 1);
    let m = full >>> shift;
    if (rem > half || (rem === half && m & 1)) m++; // a carry into bit 10 correctly yields the smallest normal
    return sign | m;
  }
  const rem = mant & 0x1fff;
  let h = (e << 10) | (mant >>> 13);
  if (rem > 0x1000 || (rem === 0x1000 && h & 1)) h++; // a carry may ripple into the exponent, up to Inf: correct
  return sign | h;
}

/** float32 bit pattern → bfloat16 bits, rounding to nearest, ties to even; NaN stays NaN (quiet). */
export function f32BitsToBf16Bits(x: number): number {
  if ((x & 0x7fffffff) >>> 0 > 0x7f800000) return ((x >>> 16) | 0x40) & 0xffff;
  return ((x + 0x7fff + ((x >>> 16) & 1)) >>> 16) & 0xffff;
}

export function f32ToF16Bits(value: number): number {
  f32Scratch[0] = value;
  return f32BitsToF16Bits(u32Scratch[0]);
}

export function f32ToBf16Bits(value: number): number {
  f32Scratch[0] = value;
  return f32BitsToBf16Bits(u32Scratch[0]);
}

export function bf16BitsToF32(b: number): number {
  u32Scratch[0] = (b & 0xffff) << 16;
  return f32Scratch[0];
}

let f16Table: Uint32Array | null = null;

/**
 * The float32 bit patterns of all 65536 halves (256 KiB), built once: a table lookup beats bit twiddling per
 * element, and copying bits (not numbers) keeps NaN payloads intact.
 */
function halfTable(): Uint32Array {
  if (!f16Table) {
    const values = new Float32Array(65536);
    for (let h = 0; h < 65536; h++) values[h] = f16BitsToF32(h);
    f16Table = new Uint32Array(values.buffer);
    for (let h = 0; h < 65536; h++) {
      if ((h & 0x7c00) === 0x7c00 && h & 0x3ff) f16Table[h] = ((h & 0x8000) << 16) | 0x7f800000 | ((h & 0x3ff) << 13);
    }
  }
  return f16Table;
}

export function f16ToF32(src: Uint16Array, dst: Float32Array = new Float32Array(src.length)): Float32Array {
  const table = halfTable();
  const bits = new Uint32Array(dst.buffer, dst.byteOffset, src.length);
  for (let i = 0; i < src.length; i++) bits[i] = table[src[i]];
  return dst;
}

export function bf16ToF32(src: Uint16Array, dst: Float32Array = new Float32Array(src.length)): Float32Array {
  const bits = new Uint32Array(dst.buffer, dst.byteOffset, src.length);
  for (let i = 0; i < src.length; i++) bits[i] = src[i] << 16;
  return dst;
}

export function f32ToF16(src: Float32Array, dst: Uint16Array = new Uint16Array(src.length)): Uint16Array {
  const bits = new Uint32Array(src.buffer, src.byteOffset, src.length);
  for (let i = 0; i < src.length; i++) dst[i] = f32BitsToF16Bits(bits[i]);
  return dst;
}

export function f32ToBf16(src: Float32Array, dst: Uint16Array = new Uint16Array(src.length)): Uint16Array {
  const bits = new Uint32Array(src.buffer, src.byteOffset, src.length);
  for (let i = 0; i < src.length; i++) dst[i] = f32BitsToBf16Bits(bits[i]);
  return dst;
}

/**
 * Widens 16-bit values stored in the second half of `out`'s buffer into float32 over the whole buffer, in place.
 * Lets a reader load a 16-bit tensor straight into its final float32 array without a second temporary copy
 * (the embedding matrix of a small LLM is hundreds of MB). Safe front to back: element i is written to bytes
 * [4i, 4i+4), which never reach a 16-bit value not yet read (it sits at byte 2n + 2j, j > i).
 */
export function widen16InPlace(out: Float32Array, dtype: 'F16' | 'BF16'): Float32Array {
  const n = out.length;
  const src = new Uint16Array(out.buffer, out.byteOffset + 2 * n, n);
  const bits = new Uint32Array(out.buffer, out.byteOffset, n);
  if (dtype === 'BF16') {
    for (let i = 0; i < n; i++) bits[i] = src[i] << 16;
  } else {
    const table = halfTable();
    for (let i = 0; i < n; i++) bits[i] = table[src[i]];
  }
  return out;
}

/** float32 values → the bytes of `dtype` (little-endian). For F32 the result shares memory with `src`. */
export function encodeF32(src: Float32Array, dtype: StorageDType): Uint8Array {
  if (dtype === 'F32') return new Uint8Array(src.buffer, src.byteOffset, src.byteLength);
  const out = dtype === 'F16' ? f32ToF16(src) : f32ToBf16(src);
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}
