/**
 * 4-bit block quantization in the layout of onnxruntime's MatMulNBits (bits 4, block 32):
 * B is [N, blocks, 16] bytes (two values per byte, low nibble first), one fp32 scale per block,
 * zero points packed two per byte per row. The weight is [N, K] — the Hugging Face [out, in] layout.
 */
export const Q4_BLOCK = 32;

export interface Q4Weight {
  N: number;
  K: number;
  blocksPerRow: number;
  packed: Uint8Array;
  scales: Float32Array;
  zeroPoints: Uint8Array;
}

export function quantizeQ4(w: Float32Array, N: number, K: number): Q4Weight {
  const blocksPerRow = Math.ceil(K / Q4_BLOCK);
  const zpBytesPerRow = Math.ceil(blocksPerRow / 2);
  const packed = new Uint8Array(N * blocksPerRow * (Q4_BLOCK / 2));
  const scales = new Float32Array(N * blocksPerRow);
  const zeroPoints = new Uint8Array(N * zpBytesPerRow);
  const q = new Uint8Array(Q4_BLOCK);
  for (let n = 0; n < N; n++) {
    const row = n * K;
    for (let b = 0; b < blocksPerRow; b++) {
      const k0 = b * Q4_BLOCK;
      const k1 = Math.min(K, k0 + Q4_BLOCK);
      // The range always includes 0 so that exact zeros (and padding) stay exact.
      let lo = 0;
      let hi = 0;
      for (let k = k0; k < k1; k++) {
        const v = w[row + k];
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
      const scale = hi > lo ? (hi - lo) / 15 : 1;
      const zp = Math.min(15, Math.max(0, Math.round(-lo / scale)));
      q.fill(zp);
      for (let k = k0; k < k1; k++) {
        q[k - k0] = Math.min(15, Math.max(0, Math.round(w[row + k] / scale + zp)));
      }
      const base = (n * blocksPerRow + b) * (Q4_BLOCK / 2);
      for (let i = 0; i < Q4_BLOCK / 2; i++) packed[base + i] = q[2 * i] | (q[2 * i + 1] << 4);
      scales[n * blocksPerRow + b] = scale;
      const zi = n * zpBytesPerRow + (b >> 1);
      zeroPoints[zi] |= (b & 1) === 0 ? zp : zp << 4;
    }
  }
  return { N, K, blocksPerRow, packed, scales, zeroPoints };
}

/** What the runtime will compute with: used by reference checks of 4-bit graphs. */
export function dequantizeQ4(qw: Q4Weight): Float32Array {
  const { N, K, blocksPerRow, packed, scales, zeroPoints } = qw;
  const zpBytesPerRow = Math.ceil(blocksPerRow / 2);
  const out = new Float32Array(N * K);
  for (let n = 0; n < N; n++) {
    for (let k = 0; k < K; k++) {
      const b = Math.floor(k / Q4_BLOCK);
      const i = k % Q4_BLOCK;
      const byte = packed[(n * blocksPerRow + b) * (Q4_BLOCK / 2) + (i >> 1)];
      const v = (i & 1) === 0 ? byte & 15 : byte >> 4;
      const zb = zeroPoints[n * zpBytesPerRow + (b >> 1)];
      const zp = (b & 1) === 0 ? zb & 15 : zb >> 4;
      out[n * K + k] = (v - zp) * scales[n * blocksPerRow + b];
    }
  }
  return out;
}

/** Stacks row-quantized weights that share K (fused q/k/v or gate/up projections). */
export function concatQ4Rows(parts: Q4Weight[]): Q4Weight {
  const K = parts[0].K;
  const blocksPerRow = parts[0].blocksPerRow;
  const cat = <T extends Uint8Array | Float32Array>(arrs: T[], make: (n: number) => T): T => {
    const out = make(arrs.reduce((s, a) => s + a.length, 0));
    let o = 0;
    for (const a of arrs) {
      out.set(a, o);
      o += a.length;
    }
    return out;
  };
  return {
    N: parts.reduce((s, p) => s + p.N, 0),
    K,
    blocksPerRow,
    packed: cat(parts.map((p) => p.packed), (n) => new Uint8Array(n)),
    scales: cat(parts.map((p) => p.scales), (n) => new Float32Array(n)),
    zeroPoints: cat(parts.map((p) => p.zeroPoints), (n) => new Uint8Array(n)),
  };
}
