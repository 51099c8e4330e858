import ort from 'onnxruntime-node';
import { DT, GraphBuilder } from '../graph/onnx-builder.js';
import { OPSETS } from '../graph/decoder-graph.js';

/**
 * The heavy products of compaction — thousands of reference queries scored against thousands of keys, for every
 * (layer, KV head) — as small onnxruntime graphs, so they run in optimised multi-threaded GEMMs instead of JS loops.
 * Everything is fp32 with row maxima subtracted before exp. The solves on the small t×t systems stay in JS.
 */

export interface HeadTargets {
  /** n: row max of the scores, and Σ_j exp(s_ij − m_i) (the mass, relative to the row max). */
  rowMax: Float32Array;
  mass: Float32Array;
  /** n×d: the true local attention outputs a·V. */
  outputs: Float32Array;
  /** T: RMS over queries of a_ij, the key score of highest-attention selection. */
  keyRms: Float32Array;
  /** T: Σ_i a_ij, accumulated attention (for heavy-hitter baselines). */
  columnSums: Float32Array;
}

export interface NormalEquations {
  /** t×t, symmetric */
  gram: Float32Array;
  /** t×m */
  rhs: Float32Array;
}

/** E = exp(s − m) of a whole block, with its row maxima, masses and column norms. */
export interface ShiftedExpOutputs {
  /** n×T */
  E: Float32Array;
  rowMax: Float32Array;
  mass: Float32Array;
  /** T: ‖E[:, j]‖ */
  columnNorms: Float32Array;
}

type Kind = 'targets' | 'columnSums' | 'causalColumnSums' | 'massSystem' | 'valueSystem' | 'perHeadSystem' | 'shiftedExp' | 'correlate' | 'gatherGram';

/** Stands in for −∞ on masked scores: exp of it minus any row maximum is exactly 0 in fp32. */
const MASKED = -1e30;

const t2 = (m: Float32Array, rows: number, cols: number) => new ort.Tensor('float32', m, [rows, cols]);

export class AttentionKernels {
  private readonly sessions = new Map<string, Promise<ort.InferenceSession>>();

  constructor(private readonly threads = 0) {}

  private session(kind: Kind, scale: number): Promise<ort.InferenceSession> {
    const key = `${kind}:${scale}`;
    let s = this.sessions.get(key);
    if (!s) {
      s = ort.InferenceSession.create(buildKernel(kind, scale), {
        graphOptimizationLevel: 'all',
        ...(this.threads ? { intraOpNumThreads: this.threads } : {}),
        // Idle threads that spin steal the cores from the JS between runs (am-omp's refits run there step after step).
        extra: { session: { intra_op: { allow_spinning: '0' } } },
        logSeverityLevel: 3,
      });
      this.sessions.set(key, s);
    }
    return s;
  }

  /** Targets of one block: queries n×d against keys/values T×d with per-slot bias. */
  async targets(queries: Float32Array, n: number, keys: Float32Array, values: Float32Array, bias: Float32Array, T: number, d: number, scale: number): Promise<HeadTargets> {
    const s = await this.session('targets', scale);
    const out = await s.run({ q: t2(queries, n, d), k: t2(keys, T, d), v: t2(values, T, d), bias: new ort.Tensor('float32', bias, [1, T]) });
    return {
      rowMax: out.rowMax.data as Float32Array,
      mass: out.mass.data as Float32Array,
      outputs: out.outputs.data as Float32Array,
      keyRms: out.keyRms.data as Float32Array,
      columnSums: out.columnSums.data as Float32Array,
    };
  }

  /**
   * Σ_i a_ij per key. With `positions`, query i sees keys j ≤ positions[i] only (−1: all keys); key 0 is always
   * visible, so every row has a finite maximum.
   */
  async columnSums(queries: Float32Array, n: number, keys: Float32Array, bias: Float32Array, T: number, d: number, scale: number, positions?: Int32Array): Promise<Float32Array> {
    const inputs: Record<string, ort.Tensor> = { q: t2(queries, n, d), k: t2(keys, T, d), bias: new ort.Tensor('float32', bias, [1, T]) };
    if (positions) inputs.positions = t2(Float32Array.from(positions, (p) => (p < 0 ? T : p)), n, 1);
    const s = await this.session(positions ? 'causalColumnSums' : 'columnSums', scale);
    return (await s.run(inputs)).columnSums.data as Float32Array;
  }

  /** E = exp(s − rowMax) for a whole block (n×T), its row maxima, masses and column norms. */
  async shiftedExp(queries: Float32Array, n: number, keys: Float32Array, bias: Float32Array, T: number, d: number, scale: number): Promise<ShiftedExpOutputs> {
    const s = await this.session('shiftedExp', scale);
    const out = await s.run({ q: t2(queries, n, d), k: t2(keys, T, d), bias: new ort.Tensor('float32', bias, [1, T]) });
    return { E: out.E.data as Float32Array, rowMax: out.rowMax.data as Float32Array, mass: out.mass.data as Float32Array, columnNorms: out.columnNorms.data as Float32Array };
  }

  /** Eᵀ·r for E n×T and r n: T values. */
  async correlate(E: Float32Array, n: number, T: number, r: Float32Array): Promise<Float32Array> {
    const s = await this.session('correlate', 1);
    return (await s.run({ e: t2(E, n, T), r: t2(r, n, 1) })).corr.data as Float32Array;
  }

  /** E[:, rows]ᵀ·E[:, cols] for E n×T: rows.length × cols.length. */
  async gatherGram(E: Float32Array, n: number, T: number, rows: Int32Array, cols: Int32Array): Promise<Float32Array> {
    const s = await this.session('gatherGram', 1);
    const index = (x: Int32Array) => new ort.Tensor('int64', BigInt64Array.from(x, (j) => BigInt(j)), [x.length]);
    return (await s.run({ e: t2(E, n, T), rows: index(rows), cols: index(cols) })).gram.data as Float32Array;
  }

  /**
   * Normal equations of the mass fit min_w ‖E_S·w − M‖² for the kept keys: E_S = exp(s(Q, Ck) + b − rowMax),
   * gram = E_Sᵀ E_S (t×t), rhs = E_Sᵀ M (t×1).
   */
  async massSystem(queries: Float32Array, n: number, keptKeys: Float32Array, keptBias: Float32Array, t: number, d: number, scale: number, rowMax: Float32Array, mass: Float32Array): Promise<NormalEquations> {
    const s = await this.session('massSystem', scale);
    const out = await s.run({ q: t2(queries, n, d), ck: t2(keptKeys, t, d), cb: new ort.Tensor('float32', keptBias, [1, t]), rowMax: t2(rowMax, n, 1), mass: t2(mass, n, 1) });
    return { gram: out.gram.data as Float32Array, rhs: out.rhs.data as Float32Array };
  }

  /**
   * Normal equations of the value fit min ‖X·Cv − Y‖² with X = softmax(s(Q, Ck) + β): gram = XᵀX (t×t),
   * rhs = XᵀY (t×d).
   */
  async valueSystem(queries: Float32Array, n: number, keptKeys: Float32Array, keptBias: Float32Array, t: number, d: number, scale: number, targets: Float32Array): Promise<NormalEquations> {
    const s = await this.session('valueSystem', scale);
    const out = await s.run({ q: t2(queries, n, d), ck: t2(keptKeys, t, d), cb: new ort.Tensor('float32', keptBias, [1, t]), y: t2(targets, n, d) });
    return { gram: out.gram.data as Float32Array, rhs: out.rhs.data as Float32Array };
  }

  /**
   * Both fits at once for one β per head: a constant β leaves X = softmax(s(Q, Ck) + b) unchanged, and
   * w = Σ_i e_i·M_i / Σ_i e_i² (e_i = Σ_j E_S,ij) is the 1-D least-squares mass fit. One pass, and no t×t product
   * of E_S. X takes its own row maxima, so a query whose block maximum was dropped still gets a probability row.
   */
  async perHeadSystem(queries: Float32Array, n: number, keptKeys: Float32Array, keptBias: Float32Array, t: number, d: number, scale: number, rowMax: Float32Array, mass: Float32Array, targets: Float32Array): Promise<NormalEquations & { w: number }> {
    const s = await this.session('perHeadSystem', scale);
    const out = await s.run({ q: t2(queries, n, d), ck: t2(keptKeys, t, d), cb: new ort.Tensor('float32', keptBias, [1, t]), rowMax: t2(rowMax, n, 1), mass: t2(mass, n, 1), y: t2(targets, n, d) });
    return { w: (out.w.data as Float32Array)[0], gram: out.gram.data as Float32Array, rhs: out.rhs.data as Float32Array };
  }

  async close(): Promise<void> {
    for (const s of this.sessions.values()) await (await s).release();
    this.sessions.clear();
  }
}

function buildKernel(kind: Kind, scale: number): Uint8Array {
  const g = new GraphBuilder(null);
  const rows = g.constInt64([1]);
  const cols = g.constInt64([0]);
  if (kind === 'correlate') {
    const e = g.input('e', DT.FLOAT, ['n', 'T']);
    g.output(g.op('FusedMatMul', [e, g.input('r', DT.FLOAT, ['n', 1])], { transA: 1 }, 'com.microsoft'), 'corr', DT.FLOAT, ['T', 1]);
    return g.encode(OPSETS);
  }
  if (kind === 'gatherGram') {
    const e = g.input('e', DT.FLOAT, ['n', 'T']);
    const left = g.op('Gather', [e, g.input('rows', DT.INT64, ['k'])], { axis: 1 });
    const right = g.op('Gather', [e, g.input('cols', DT.INT64, ['m'])], { axis: 1 });
    g.output(g.op('FusedMatMul', [left, right], { transA: 1 }, 'com.microsoft'), 'gram', DT.FLOAT, ['k', 'm']);
    return g.encode(OPSETS);
  }
  const q = g.input('q', DT.FLOAT, ['n', 'd']);
  const scores = (keys: string, bias: string) =>
    g.op('Add', [g.op('FusedMatMul', [q, keys], { transB: 1, alpha: { float: scale } }, 'com.microsoft'), bias]);
  if (kind === 'columnSums' || kind === 'causalColumnSums') {
    const k = g.input('k', DT.FLOAT, ['T', 'd']);
    let s = scores(k, g.input('bias', DT.FLOAT, [1, 'T']));
    if (kind === 'causalColumnSums') {
      const T = g.op('Cast', [g.op('Gather', [g.op('Shape', [k]), g.constInt64([0], [])], { axis: 0 })], { to: DT.FLOAT });
      const j = g.op('Range', [g.constScalarFloat(0), T, g.constScalarFloat(1)]); // [T]
      const hidden = g.op('Greater', [j, g.input('positions', DT.FLOAT, ['n', 1])]); // [n, T]
      s = g.op('Where', [hidden, g.constScalarFloat(MASKED), s]);
    }
    const e = g.op('Exp', [g.op('Sub', [s, g.op('ReduceMax', [s, rows], { keepdims: 1 })])]);
    const a = g.op('Div', [e, g.op('ReduceSum', [e, rows], { keepdims: 1 })]);
    g.output(g.op('ReduceSum', [a, cols], { keepdims: 0 }), 'columnSums', DT.FLOAT, ['T']);
  } else if (kind === 'shiftedExp') {
    const s = scores(g.input('k', DT.FLOAT, ['T', 'd']), g.input('bias', DT.FLOAT, [1, 'T']));
    const rowMax = g.op('ReduceMax', [s, rows], { keepdims: 1 });
    const e = g.op('Exp', [g.op('Sub', [s, rowMax])]);
    g.output(e, 'E', DT.FLOAT, ['n', 'T']);
    g.output(rowMax, 'rowMax', DT.FLOAT, ['n', 1]);
    g.output(g.op('ReduceSum', [e, rows], { keepdims: 1 }), 'mass', DT.FLOAT, ['n', 1]);
    g.output(g.op('Sqrt', [g.op('ReduceSumSquare', [e, cols], { keepdims: 0 })]), 'columnNorms', DT.FLOAT, ['T']);
  } else if (kind === 'targets') {
    const s = scores(g.input('k', DT.FLOAT, ['T', 'd']), g.input('bias', DT.FLOAT, [1, 'T']));
    const v = g.input('v', DT.FLOAT, ['T', 'd']);
    const rowMax = g.op('ReduceMax', [s, rows], { keepdims: 1 });
    const e = g.op('Exp', [g.op('Sub', [s, rowMax])]);
    const mass = g.op('ReduceSum', [e, rows], { keepdims: 1 });
    const a = g.op('Div', [e, mass]);
    const n = g.op('Cast', [g.op('Gather', [g.op('Shape', [q]), g.constInt64([0], [])], { axis: 0 })], { to: DT.FLOAT });
    g.output(rowMax, 'rowMax', DT.FLOAT, ['n', 1]);
    g.output(mass, 'mass', DT.FLOAT, ['n', 1]);
    g.output(g.op('MatMul', [a, v]), 'outputs', DT.FLOAT, ['n', 'd']);
    g.output(g.op('Sqrt', [g.op('Div', [g.op('ReduceSumSquare', [a, cols], { keepdims: 0 }), n])]), 'keyRms', DT.FLOAT, ['T']);
    g.output(g.op('ReduceSum', [a, cols], { keepdims: 0 }), 'columnSums', DT.FLOAT, ['T']);
  } else if (kind === 'massSystem') {
    const s = scores(g.input('ck', DT.FLOAT, ['t', 'd']), g.input('cb', DT.FLOAT, [1, 't']));
    const e = g.op('Exp', [g.op('Sub', [s, g.input('rowMax', DT.FLOAT, ['n', 1])])]);
    g.output(g.op('FusedMatMul', [e, e], { transA: 1 }, 'com.microsoft'), 'gram', DT.FLOAT, ['t', 't']);
    g.output(g.op('FusedMatMul', [e, g.input('mass', DT.FLOAT, ['n', 1])], { transA: 1 }, 'com.microsoft'), 'rhs', DT.FLOAT, ['t', 1]);
  } else if (kind === 'perHeadSystem') {
    const s = scores(g.input('ck', DT.FLOAT, ['t', 'd']), g.input('cb', DT.FLOAT, [1, 't']));
    const e = g.op('Exp', [g.op('Sub', [s, g.input('rowMax', DT.FLOAT, ['n', 1])])]);
    const rowSums = g.op('ReduceSum', [e, rows], { keepdims: 1 }); // [n, 1]: e_i
    const mass = g.input('mass', DT.FLOAT, ['n', 1]);
    const all = g.constInt64([0, 1]);
    const w = g.op('Div', [
      g.op('ReduceSum', [g.op('Mul', [rowSums, mass]), all], { keepdims: 0 }),
      g.op('ReduceSumSquare', [rowSums, all], { keepdims: 0 }),
    ]);
    const x = g.op('Softmax', [s], { axis: -1 });
    g.output(w, 'w', DT.FLOAT, []);
    g.output(g.op('FusedMatMul', [x, x], { transA: 1 }, 'com.microsoft'), 'gram', DT.FLOAT, ['t', 't']);
    g.output(g.op('FusedMatMul', [x, g.input('y', DT.FLOAT, ['n', 'd'])], { transA: 1 }, 'com.microsoft'), 'rhs', DT.FLOAT, ['t', 'd']);
  } else {
    const x = g.op('Softmax', [scores(g.input('ck', DT.FLOAT, ['t', 'd']), g.input('cb', DT.FLOAT, [1, 't']))], { axis: -1 });
    g.output(g.op('FusedMatMul', [x, x], { transA: 1 }, 'com.microsoft'), 'gram', DT.FLOAT, ['t', 't']);
    g.output(g.op('FusedMatMul', [x, g.input('y', DT.FLOAT, ['n', 'd'])], { transA: 1 }, 'com.microsoft'), 'rhs', DT.FLOAT, ['t', 'd']);
  }
  return g.encode(OPSETS);
}
