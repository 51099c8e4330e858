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

type Kind = 'targets' | 'massSystem' | 'valueSystem' | 'perHeadSystem';

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
   * Both fits at once for one β per head: a constant β leaves softmax(s(Q, Ck) + b) unchanged, so X is E_S with
   * rows normalised, and w = Σ_i e_i·M_i / Σ_i e_i² (e_i = Σ_j E_S,ij) is the 1-D least-squares mass fit.
   * One pass, and no t×t product of E_S.
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
  const q = g.input('q', DT.FLOAT, ['n', 'd']);
  const scores = (keys: string, bias: string) =>
    g.op('Add', [g.op('FusedMatMul', [q, keys], { transB: 1, alpha: { float: scale } }, 'com.microsoft'), bias]);
  const rows = g.constInt64([1]);
  const cols = g.constInt64([0]);
  if (kind === 'targets') {
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
    const rowSums = g.op('ReduceSum', [e, rows], { keepdims: 1 }); // [n, 1]
    const mass = g.input('mass', DT.FLOAT, ['n', 1]);
    const all = g.constInt64([0, 1]);
    const w = g.op('Div', [
      g.op('ReduceSum', [g.op('Mul', [rowSums, mass]), all], { keepdims: 0 }),
      g.op('ReduceSumSquare', [rowSums, all], { keepdims: 0 }),
    ]);
    const x = g.op('Div', [e, rowSums]);
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
