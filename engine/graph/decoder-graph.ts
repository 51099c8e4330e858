import type { ModelSpec } from '../model/spec.js';
import { ropeInvFreq } from '../model/rope.js';
import type { ModelWeights } from '../model/weights.js';
import { f32ToF16 } from '../model/dtype.js';
import { DT, type GraphBuilder } from './onnx-builder.js';
import { EMPTY_SLOT_BIAS, IO } from './io-names.js';
import { QUANT_BLOCK, type QuantBits, quantizeBlocks, stackRows } from './quantize.js';

export const WEIGHT_FORMATS = ['q4', 'q8', 'fp32'] as const;
export type WeightFormat = (typeof WEIGHT_FORMATS)[number];

/**
 * Bits per weight of the layers' linear projections. There is no fp16 format: onnxruntime constant-folds the Cast of
 * an fp16 initializer into an fp32 copy (and has no fp16 MatMul on x64 CPUs, where it casts around the node and folds
 * the same way), so fp16 weights took fp32's memory. 8-bit MatMulNBits (q8) stays at
 * 1.125 bytes per weight in memory; on one 896×4864 matmul (2 threads) it decoded in 0.35 ms against fp32's 0.47 ms,
 * and a 512-token prefill took about twice fp32's time.
 */
const LINEAR_BITS: Record<WeightFormat, QuantBits | 32> = { q4: 4, q8: 8, fp32: 32 };

/**
 * MatMulNBits accuracy level of the q8 format's weights, whatever the options say: on the CPU provider
 * 8-bit weights have only an int8-activation kernel; at levels 0–3 it dequantizes the whole matrix on every call
 * (measured on one 896×4864 matmul: 12 ms per decode step against 0.35 ms at level 4).
 */
const Q8_ACCURACY_LEVEL = 4;

export type AttentionSummary = 'none' | 'per-query' | 'reduced';

export interface DecoderGraphOptions {
  weights: WeightFormat;
  /**
   * MatMulNBits accuracy level of the q4 format: 4 computes with int8 activations (fast on CPU, ~1e-2 abs error),
   * 0 in fp32. The q8 format ignores it (see Q8_ACCURACY_LEVEL).
   */
  accuracyLevel: number;
  /**
   * Attention probabilities over the past slots, summed over the query heads of each KV head:
   * 'per-query' → [1, kvHeads, S, C], 'reduced' → also summed over the S new tokens → [1, kvHeads, C].
   */
  attentionSummary: AttentionSummary;
}

export const DEFAULT_GRAPH_OPTIONS: DecoderGraphOptions = { weights: 'q4', accuracyLevel: 4, attentionSummary: 'none' };

export const OPSETS = [
  { domain: '', version: 21 },
  { domain: 'com.microsoft', version: 1 },
];

function transposeRows(w: Float32Array, N: number, K: number): Float32Array {
  const t = new Float32Array(N * K);
  for (let n = 0; n < N; n++) for (let k = 0; k < K; k++) t[k * N + n] = w[n * K + k];
  return t;
}

function concatFloat(parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/**
 * Builds the decoder: one graph for prefill and decode. Per layer it takes the cache as fixed-capacity fp16 slot
 * buffers with a per-slot additive bias (β for compacted slots, EMPTY_SLOT_BIAS for empty ones), attends over
 * [past slots, new tokens] with a two-part softmax (no concatenation of the cache), and returns only the new K/V rows
 * (fp16) and the post-RoPE queries. Reads top to bottom like the reference forward pass in engine/reference/forward.ts.
 */
export function buildDecoderGraph(
  g: GraphBuilder,
  spec: ModelSpec,
  weights: ModelWeights,
  options: DecoderGraphOptions,
  onLayer?: (layer: number) => void,
): void {
  const { hiddenSize: h, numHeads: H, numKvHeads: KV, headDim: d, intermediateSize: I, numLayers: L } = spec;
  const G = H / KV;
  const eps = spec.rmsNormEps;

  // ---- inputs
  const inputIds = g.input(IO.inputIds, DT.INT64, [1, 'S']);
  const positionIds = g.input(IO.positionIds, DT.INT64, [1, 'S']);
  const logitsIndex = g.input(IO.logitsIndex, DT.INT64, ['N']);

  // ---- linear layers in the chosen weight format; `rows` are [N_i, K] parts fused into one matmul
  const layerBits = LINEAR_BITS[options.weights];
  const accuracyLevel = options.weights === 'q8' ? Q8_ACCURACY_LEVEL : options.accuracyLevel;
  const linear = (x: string, name: string, rows: Float32Array[], Ns: number[], K: number, bits: QuantBits | 32): string => {
    const N = Ns.reduce((a, b) => a + b, 0);
    if (bits === 32) return g.op('MatMul', [x, g.initializer(`${name}.weight`, DT.FLOAT, [K, N], transposeRows(concatFloat(rows), N, K))]);
    const q = stackRows(rows.map((w, i) => quantizeBlocks(w, Ns[i], K, bits)));
    const B = g.initializer(`${name}.q${bits}`, DT.UINT8, [N, q.blocksPerRow, (QUANT_BLOCK * bits) / 8], q.packed);
    const scales = g.initializer(`${name}.scales`, DT.FLOAT, [N * q.blocksPerRow], q.scales);
    return g.op('MatMulNBits', [x, B, scales], { K, N, bits, block_size: QUANT_BLOCK, accuracy_level: accuracyLevel }, 'com.microsoft');
  };
  const rmsNorm = (x: string, weight: Float32Array, name: string): string =>
    g.op('SimplifiedLayerNormalization', [x, g.initializer(name, DT.FLOAT, [weight.length], weight)], { axis: -1, epsilon: { float: eps } });

  // ---- token embedding: fp16 table unless fp32 weights. Only the gathered rows are cast: a Cast of the whole table
  // would be constant-folded by onnxruntime into an fp32 copy, undoing the halving in memory.
  const embedF32 = weights.global('embed');
  const embedTable =
    options.weights === 'fp32'
      ? g.initializer('embed.weight', DT.FLOAT, [spec.vocabSize, h], embedF32)
      : g.initializer('embed.fp16', DT.FLOAT16, [spec.vocabSize, h], f32ToF16(embedF32));
  const embedded = g.op('Gather', [embedTable, inputIds], { axis: 0 });
  let x = options.weights === 'fp32' ? embedded : g.op('Cast', [embedded], { to: DT.FLOAT });

  // ---- RoPE tables for the given logical positions: cos/sin [1, S, 1, d]
  const invFreq = g.constFloat(Float32Array.from(ropeInvFreq(spec)));
  const pos = g.op('Unsqueeze', [g.op('Cast', [positionIds], { to: DT.FLOAT }), g.constInt64([2])]);
  const freqs = g.op('Mul', [pos, invFreq]);
  const emb = g.op('Concat', [freqs, freqs], { axis: -1 });
  const cos = g.op('Unsqueeze', [g.op('Cos', [emb]), g.constInt64([2])]);
  const sin = g.op('Unsqueeze', [g.op('Sin', [emb]), g.constInt64([2])]);
  const rope = (t: string): string => {
    const [t1, t2] = g.node('Split', [t, g.constInt64([d / 2, d / 2])], { axis: -1 }, { outputs: 2 });
    const rotated = g.op('Concat', [g.op('Neg', [t2]), t1], { axis: -1 });
    return g.op('Add', [g.op('Mul', [t, cos]), g.op('Mul', [rotated, sin])]);
  };

  // ---- causal mask inside the chunk of S new tokens: [S, S], -1e30 above the diagonal
  const S = g.op('Gather', [g.op('Shape', [inputIds]), g.constInt64([1], [])], { axis: 0 });
  const range = g.op('Range', [g.constInt64([0], []), S, g.constInt64([1], [])]);
  const future = g.op('Greater', [g.op('Unsqueeze', [range, g.constInt64([0])]), g.op('Unsqueeze', [range, g.constInt64([1])])]);
  const causalMask = g.op('Where', [future, g.constScalarFloat(EMPTY_SLOT_BIAS), g.constScalarFloat(0)]);
  const S1 = g.op('Unsqueeze', [S, g.constInt64([0])]);
  const isPrefill = g.op('Greater', [S, g.constInt64([1], [])]);
  const groupedScores = g.op('Concat', [g.constInt64([1, KV, G]), S1, S1], { axis: 0 }); // [1, KV, G, S, S]

  const scale = 1 / Math.sqrt(d);
  const lastAxis = g.constInt64([-1]);

  for (let l = 0; l < L; l++) {
    // The cache holds K/V in fp16 (half the memory); they are widened where attention reads them, and all the
    // arithmetic (scores, bias, softmax, mixing) stays fp32.
    const pastKey = g.input(IO.pastKey(l), DT.FLOAT16, [1, KV, `C${l}`, d]);
    const pastValue = g.input(IO.pastValue(l), DT.FLOAT16, [1, KV, `C${l}`, d]);
    const pastBias = g.input(IO.pastBias(l), DT.FLOAT, [1, KV, `C${l}`]);

    // attention block
    const xn = rmsNorm(x, weights.layer('attnNorm', l), `l${l}.attn_norm`);
    let qkv = linear(xn, `l${l}.qkv`, [weights.layer('q', l), weights.layer('k', l), weights.layer('v', l)], [H * d, KV * d, KV * d], h, layerBits);
    if (spec.qkvBias) {
      const bias = concatFloat([weights.layer('qBias', l), weights.layer('kBias', l), weights.layer('vBias', l)]);
      qkv = g.op('Add', [qkv, g.initializer(`l${l}.qkv.bias`, DT.FLOAT, [bias.length], bias)]);
    }
    const [qFlat, kFlat, vFlat] = g.node('Split', [qkv, g.constInt64([H * d, KV * d, KV * d])], { axis: -1 }, { outputs: 3 });
    let q = g.op('Reshape', [qFlat, g.constInt64([0, 0, H, d])]); // [1, S, H, d]
    let k = g.op('Reshape', [kFlat, g.constInt64([0, 0, KV, d])]);
    const v = g.op('Reshape', [vFlat, g.constInt64([0, 0, KV, d])]);
    if (spec.qkNorm) {
      q = rmsNorm(q, weights.layer('qNorm', l), `l${l}.q_norm`);
      k = rmsNorm(k, weights.layer('kNorm', l), `l${l}.k_norm`);
    }
    const qHeads = g.op('Transpose', [rope(q)], { perm: [0, 2, 1, 3] }); // [1, H, S, d]
    const kNew = g.op('Transpose', [rope(k)], { perm: [0, 2, 1, 3] }); // [1, KV, S, d]
    const vNew = g.op('Transpose', [v], { perm: [0, 2, 1, 3] });
    g.output(qHeads, IO.queries(l), DT.FLOAT, [1, H, 'S', d]);
    // The chunk attends to its own K/V in fp32; only what goes into the cache is rounded to fp16.
    g.output(g.op('Cast', [kNew], { to: DT.FLOAT16 }), IO.newKey(l), DT.FLOAT16, [1, KV, 'S', d]);
    g.output(g.op('Cast', [vNew], { to: DT.FLOAT16 }), IO.newValue(l), DT.FLOAT16, [1, KV, 'S', d]);

    // Query heads of one KV head stacked as rows: [1, KV, G*S, d] (head h uses KV head h / G).
    const qGroups = g.op('Reshape', [qHeads, g.constInt64([0, KV, -1, d])]);
    const biasRow = g.op('Unsqueeze', [pastBias, g.constInt64([2])]); // [1, KV, 1, C]
    const pastKeyF = g.op('Cast', [pastKey], { to: DT.FLOAT });
    const sPast = g.op('Add', [g.op('FusedMatMul', [qGroups, pastKeyF], { transB: 1, alpha: { float: scale } }, 'com.microsoft'), biasRow]);
    const sNewRaw = g.op('FusedMatMul', [qGroups, kNew], { transB: 1, alpha: { float: scale } }, 'com.microsoft');
    const sNew5 = g.op('Add', [g.op('Reshape', [sNewRaw, groupedScores]), causalMask]);
    const sNew = g.op('Reshape', [sNew5, g.constInt64([0, KV, -1, 0])]);
    // Attention over [past slots, new tokens]. Two formulations, chosen per call by the chunk length:
    // - prefill (S > 1): one Softmax over the concatenated scores and one matmul with the concatenated values; the
    //   K/V copies are small next to the score tensor, and Softmax works row by row in cache.
    // - decode (S = 1): no copy of the cache; each part is normalised on its own and the two are mixed by their
    //   masses, w = Σexp(past) / (Σexp(past) + Σexp(new)) = sigmoid(lse_past − lse_new).
    const summary = options.attentionSummary !== 'none';
    const C1 = g.op('Gather', [g.op('Shape', [pastKey]), g.constInt64([2])], { axis: 0 });
    const prefillBranch = g.branch(`l${l}_prefill_attention`, (b) => {
      const probs = b.op('Softmax', [b.op('Concat', [sPast, sNew], { axis: -1 })], { axis: -1 });
      const pastValueF = b.op('Cast', [pastValue], { to: DT.FLOAT });
      const out = [{ value: b.op('MatMul', [probs, b.op('Concat', [pastValueF, vNew], { axis: 2 })]), type: DT.FLOAT }];
      if (summary) out.push({ value: b.op('Slice', [probs, b.constInt64([0]), C1, lastAxis]), type: DT.FLOAT });
      return out;
    });
    const decodeBranch = g.branch(`l${l}_decode_attention`, (b) => {
      // Softmax and log-sum-exp of the past scores from one exp: onnxruntime's ReduceLogSumExp over a long cache cost
      // as much as the attention matmuls (8k slots: ~1 ms per layer against ~0.1 ms for ReduceMax + ReduceSum).
      const maxPast = b.op('ReduceMax', [sPast, lastAxis], { keepdims: 1 });
      const expPast = b.op('Exp', [b.op('Sub', [sPast, maxPast])]);
      const sumPast = b.op('ReduceSum', [expPast, lastAxis], { keepdims: 1 });
      const pPast = b.op('Div', [expPast, sumPast]);
      const lsePast = b.op('Add', [maxPast, b.op('Log', [sumPast])]);
      const pNew = b.op('Softmax', [sNew], { axis: -1 });
      const lseNew = b.op('ReduceLogSumExp', [sNew, lastAxis], { keepdims: 1 });
      const wPast = b.op('Sigmoid', [b.op('Sub', [lsePast, lseNew])]); // [1, KV, G*S, 1]
      const outPast = b.op('MatMul', [pPast, b.op('Cast', [pastValue], { to: DT.FLOAT })]);
      const outNew = b.op('MatMul', [pNew, vNew]);
      const out = [{ value: b.op('Add', [outNew, b.op('Mul', [wPast, b.op('Sub', [outPast, outNew])])]), type: DT.FLOAT }];
      if (summary) out.push({ value: b.op('Mul', [pPast, wPast]), type: DT.FLOAT });
      return out;
    });
    const [attn, pastProbs] = g.node('If', [isPrefill], { then_branch: prefillBranch, else_branch: decodeBranch }, { outputs: summary ? 2 : 1 });
    if (summary) {
      const groupedPast = g.op('Concat', [g.constInt64([1, KV, G]), S1, C1], { axis: 0 });
      const probs = g.op('Reshape', [pastProbs, groupedPast]); // [1, KV, G, S, C]
      const perQuery = g.op('ReduceSum', [probs, g.constInt64([2])], { keepdims: 0 }); // [1, KV, S, C]
      if (options.attentionSummary === 'per-query') {
        g.output(perQuery, IO.attention(l), DT.FLOAT, [1, KV, 'S', `C${l}`]);
      } else {
        g.output(g.op('ReduceSum', [perQuery, g.constInt64([2])], { keepdims: 0 }), IO.attention(l), DT.FLOAT, [1, KV, `C${l}`]);
      }
    }
    const attnHeads = g.op('Transpose', [g.op('Reshape', [attn, g.constInt64([0, KV, G, -1, d])])], { perm: [0, 3, 1, 2, 4] });
    const attnFlat = g.op('Reshape', [attnHeads, g.constInt64([0, 0, H * d])]);
    x = g.op('Add', [x, linear(attnFlat, `l${l}.o`, [weights.layer('o', l)], [h], H * d, layerBits)]);

    // MLP block (SwiGLU)
    const xm = rmsNorm(x, weights.layer('mlpNorm', l), `l${l}.mlp_norm`);
    // Separate gate and up matmuls: a fused one would need a Split that copies [S, 2·I] per layer during prefill.
    const gate = linear(xm, `l${l}.gate`, [weights.layer('gate', l)], [I], h, layerBits);
    const up = linear(xm, `l${l}.up`, [weights.layer('up', l)], [I], h, layerBits);
    const act = g.op('Mul', [g.op('Mul', [gate, g.op('Sigmoid', [gate])]), up]);
    x = g.op('Add', [x, linear(act, `l${l}.down`, [weights.layer('down', l)], [h], I, layerBits)]);
    onLayer?.(l);
  }

  // ---- logits only at the requested positions
  const picked = g.op('Gather', [x, logitsIndex], { axis: 1 }); // [1, N, h]
  const normed = rmsNorm(picked, weights.global('finalNorm'), 'final_norm');
  let logits: string;
  if (options.weights !== 'fp32') {
    // 8-bit output projection (for q4, as llama.cpp's Q4 formats keep it at higher precision: it sets every logit).
    logits = linear(normed, 'lm_head', [weights.lmHead()], [spec.vocabSize], h, 8);
  } else if (spec.tieWordEmbeddings) {
    // Share the embedding table: Gemm with transB reads it as [vocab, hidden] without a transposed copy.
    const flat = g.op('Reshape', [normed, g.constInt64([-1, h])]);
    logits = g.op('Unsqueeze', [g.op('Gemm', [flat, embedTable], { transB: 1 }), g.constInt64([0])]);
  } else {
    logits = linear(normed, 'lm_head', [weights.lmHead()], [spec.vocabSize], h, 32);
  }
  g.output(logits, IO.logits, DT.FLOAT, [1, 'N', spec.vocabSize]);
}
