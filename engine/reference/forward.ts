import type { LayerRole, ModelSpec } from '../model/spec.js';
import { ropeInvFreq } from '../model/rope.js';

/**
 * A plain, readable decoder forward pass in float64 (llama2.c style), used by tests as the ground truth
 * for the ONNX graph. It supports a past cache of slots with a per-slot additive bias, exactly like the graph.
 */
export interface RefWeights {
  embed: Float64Array; // [vocab, hidden]
  finalNorm: Float64Array;
  lmHead: Float64Array; // [vocab, hidden]
  layers: Record<LayerRole, Float64Array | undefined>[];
}

export interface RefPast {
  /** [layer][kvHead] → slots×headDim */
  keys: Float64Array[][];
  values: Float64Array[][];
  /** [layer][kvHead] → slots */
  bias: Float64Array[][];
  slots: number;
}

export interface RefOutput {
  /** [position] → vocab */
  logits: Float64Array[];
  /** [layer][kvHead] → S×headDim, post-RoPE (and post k-norm) */
  newKeys: Float64Array[][];
  newValues: Float64Array[][];
  /** [layer][head] → S×headDim, post-RoPE (and post q-norm) */
  queries: Float64Array[][];
  /** [layer][kvHead] → S×slots: attention probabilities on the past slots, summed over the KV head's query heads */
  pastAttention: Float64Array[][];
}

function rmsNorm(x: Float64Array, w: Float64Array, eps: number, off = 0, n = w.length): Float64Array {
  let ss = 0;
  for (let i = 0; i < n; i++) ss += x[off + i] * x[off + i];
  const r = 1 / Math.sqrt(ss / n + eps);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = x[off + i] * r * w[i];
  return out;
}

/** y = W·x for W in [out, in] layout. */
function matvec(W: Float64Array, x: Float64Array, outDim: number, inDim: number): Float64Array {
  const y = new Float64Array(outDim);
  for (let o = 0; o < outDim; o++) {
    let s = 0;
    const row = o * inDim;
    for (let i = 0; i < inDim; i++) s += W[row + i] * x[i];
    y[o] = s;
  }
  return y;
}

/** rotate-half RoPE of one head vector in place. */
function applyRope(v: Float64Array, off: number, d: number, pos: number, invFreq: Float64Array): void {
  const half = d / 2;
  for (let i = 0; i < half; i++) {
    // float32 angle, as the graph and Hugging Face compute it
    const angle = Math.fround(Math.fround(pos) * Math.fround(invFreq[i]));
    const c = Math.cos(angle);
    const s = Math.sin(angle);
    const a = v[off + i];
    const b = v[off + i + half];
    v[off + i] = a * c - b * s;
    v[off + i + half] = b * c + a * s;
  }
}

export function referenceForward(spec: ModelSpec, w: RefWeights, ids: number[], positions: number[], past?: RefPast): RefOutput {
  const { hiddenSize: h, numHeads: H, numKvHeads: KV, headDim: d, intermediateSize: I, vocabSize: V } = spec;
  const G = H / KV;
  const S = ids.length;
  const C = past?.slots ?? 0;
  const eps = spec.rmsNormEps;
  const invFreq = ropeInvFreq(spec);
  const scale = 1 / Math.sqrt(d);

  // residual stream per position
  const xs = ids.map((id) => w.embed.slice(id * h, (id + 1) * h));
  const out: RefOutput = { logits: [], newKeys: [], newValues: [], queries: [], pastAttention: [] };

  for (let l = 0; l < spec.numLayers; l++) {
    const lw = w.layers[l];
    const q = new Float64Array(S * H * d);
    const k = new Float64Array(S * KV * d);
    const v = new Float64Array(S * KV * d);
    for (let t = 0; t < S; t++) {
      const xn = rmsNorm(xs[t], lw.attnNorm!, eps);
      const qt = matvec(lw.q!, xn, H * d, h);
      const kt = matvec(lw.k!, xn, KV * d, h);
      const vt = matvec(lw.v!, xn, KV * d, h);
      if (spec.qkvBias) {
        for (let i = 0; i < H * d; i++) qt[i] += lw.qBias![i];
        for (let i = 0; i < KV * d; i++) kt[i] += lw.kBias![i];
        for (let i = 0; i < KV * d; i++) vt[i] += lw.vBias![i];
      }
      for (let hh = 0; hh < H; hh++) {
        if (spec.qkNorm) qt.set(rmsNorm(qt, lw.qNorm!, eps, hh * d, d), hh * d);
        applyRope(qt, hh * d, d, positions[t], invFreq);
      }
      for (let kh = 0; kh < KV; kh++) {
        if (spec.qkNorm) kt.set(rmsNorm(kt, lw.kNorm!, eps, kh * d, d), kh * d);
        applyRope(kt, kh * d, d, positions[t], invFreq);
      }
      q.set(qt, t * H * d);
      k.set(kt, t * KV * d);
      v.set(vt, t * KV * d);
    }

    // head-major copies for the outputs
    out.queries.push(Array.from({ length: H }, (_, hh) => gatherHead(q, S, H, d, hh)));
    out.newKeys.push(Array.from({ length: KV }, (_, kh) => gatherHead(k, S, KV, d, kh)));
    out.newValues.push(Array.from({ length: KV }, (_, kh) => gatherHead(v, S, KV, d, kh)));

    const pastAttention = Array.from({ length: KV }, () => new Float64Array(S * C));
    out.pastAttention.push(pastAttention);
    for (let t = 0; t < S; t++) {
      const attnOut = new Float64Array(H * d);
      for (let hh = 0; hh < H; hh++) {
        const kh = Math.floor(hh / G);
        // scores over past slots (with their bias) then new tokens up to t
        const scores: number[] = [];
        for (let c = 0; c < C; c++) {
          let s = 0;
          for (let i = 0; i < d; i++) s += q[(t * H + hh) * d + i] * past!.keys[l][kh][c * d + i];
          scores.push(s * scale + past!.bias[l][kh][c]);
        }
        for (let u = 0; u <= t; u++) {
          let s = 0;
          for (let i = 0; i < d; i++) s += q[(t * H + hh) * d + i] * k[(u * KV + kh) * d + i];
          scores.push(s * scale);
        }
        const m = Math.max(...scores);
        const e = scores.map((s) => Math.exp(s - m));
        const z = e.reduce((a, b) => a + b, 0);
        for (let c = 0; c < C; c++) pastAttention[kh][t * C + c] += e[c] / z;
        for (let i = 0; i < d; i++) {
          let acc = 0;
          for (let c = 0; c < C; c++) acc += e[c] * past!.values[l][kh][c * d + i];
          for (let u = 0; u <= t; u++) acc += e[C + u] * v[(u * KV + kh) * d + i];
          attnOut[hh * d + i] = acc / z;
        }
      }
      const o = matvec(lw.o!, attnOut, h, H * d);
      for (let i = 0; i < h; i++) xs[t][i] += o[i];
      const xm = rmsNorm(xs[t], lw.mlpNorm!, eps);
      const gate = matvec(lw.gate!, xm, I, h);
      const up = matvec(lw.up!, xm, I, h);
      for (let i = 0; i < I; i++) gate[i] = (gate[i] / (1 + Math.exp(-gate[i]))) * up[i];
      const down = matvec(lw.down!, gate, h, I);
      for (let i = 0; i < h; i++) xs[t][i] += down[i];
    }
  }

  for (let t = 0; t < S; t++) out.logits.push(matvec(w.lmHead, rmsNorm(xs[t], w.finalNorm, eps), V, h));
  return out;
}

function gatherHead(x: Float64Array, S: number, heads: number, d: number, head: number): Float64Array {
  const out = new Float64Array(S * d);
  for (let t = 0; t < S; t++) for (let i = 0; i < d; i++) out[t * d + i] = x[(t * heads + head) * d + i];
  return out;
}
