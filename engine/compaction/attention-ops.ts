/**
 * The heavy products of compaction — reference queries scored against a block's keys, and the normal equations of
 * the β and value fits — behind one interface with two backends: plain JS (`JsAttentionOps`, the reference) and
 * onnxruntime (`OrtAttentionOps`). Scores are fp32 with each row's maximum subtracted before exp; everything that
 * is t×t or smaller (the solves) stays with the caller.
 */

/** n queries scored against T keys: s_ij = scale·q_i·k_j + bias_j. Row-major float32. */
export interface ScoreInput {
  /** n×d. */
  queries: Float32Array;
  n: number;
  /** T×d. */
  keys: Float32Array;
  /** T. */
  bias: Float32Array;
  T: number;
  d: number;
  scale: number;
}

/** What a block produces for each reference query: the targets every fit aims at, and the key scores. */
export interface BlockTargets {
  /** n: m_i, the row maximum of s. */
  rowMax: Float64Array;
  /** n: M_i = Σ_j exp(s_ij − m_i), the block's mass relative to exp(m_i). */
  mass: Float64Array;
  /** n×d: the local outputs Y = a·V. */
  outputs: Float32Array;
  /** T: RMS over queries of a_ij (highest-attention selection). */
  keyRms: Float64Array;
  /** T: Σ_i a_ij. */
  columnSums: Float64Array;
}

/** Normal equations of a least-squares fit: gram = AᵀA (t×t, symmetric), rhs = AᵀB (t×m). Row-major float64. */
export interface NormalEquations {
  gram: Float64Array;
  rhs: Float64Array;
}

/**
 * E = exp(s − m) of a whole block (n×T, shifted by each query's row maximum over the block), held by the backend for
 * am-omp's greedy selection, which asks for its products step after step.
 */
export interface ShiftedExp {
  readonly n: number;
  readonly T: number;
  /** n: the row maxima and the masses M_i = Σ_j E_ij. */
  readonly rowMax: Float64Array;
  readonly mass: Float64Array;
  /** T: ‖E[:, j]‖. */
  readonly columnNorms: Float64Array;
  /** Copies column j (n values) into `out`. */
  column(j: number, out: Float32Array): void;
  /** Eᵀ·r (T) for a residual r (n). */
  correlate(residual: Float64Array): Promise<Float64Array>;
  /** E[:, rows]ᵀ·E[:, cols]: rows.length × cols.length, row-major. */
  gram(rows: Int32Array, cols: Int32Array): Promise<Float64Array>;
}

export interface AttentionOps {
  /** 'js' or 'onnxruntime'. */
  readonly name: string;
  /** The targets of a block (T×d values beside the keys). */
  targets(input: ScoreInput, values: Float32Array): Promise<BlockTargets>;
  /** Σ_i a_ij per key; with `positions`, query i sees only keys j ≤ positions[i] (−1: all). */
  columnSums(input: ScoreInput, positions?: Int32Array): Promise<Float64Array>;
  /**
   * The β mass fit min_w ‖E_S·w − M‖² over kept keys (`kept`, T = t): E_S = exp(s − rowMax) with the full block's
   * row maxima; gram = E_SᵀE_S, rhs = E_SᵀM (t×1).
   */
  massSystem(kept: ScoreInput, rowMax: Float64Array, mass: Float64Array): Promise<NormalEquations>;
  /** The value fit min ‖X·Cv − Y‖² with X = softmax(s) over the kept keys: gram = XᵀX, rhs = XᵀY (t×d). */
  valueSystem(kept: ScoreInput, outputs: Float32Array): Promise<NormalEquations>;
  /**
   * Both fits for one β per head, in one pass: w = Σ_i e_i·M_i / Σ_i e_i² (e_i = Σ_j E_S,ij, the 1-D mass fit) and
   * the value system, which a constant β leaves unchanged.
   */
  perHeadSystem(kept: ScoreInput, rowMax: Float64Array, mass: Float64Array, outputs: Float32Array): Promise<NormalEquations & { w: number }>;
  /** The block's E, for am-omp's greedy selection. */
  shiftedExp(input: ScoreInput): Promise<ShiftedExp>;
}

/** The score input of a block-like object (a HeadBlock, a compacted head with its queries). */
export function scoreInput(b: ScoreInput): ScoreInput {
  const { queries, n, keys, bias, T, d, scale } = b;
  return { queries, n, keys, bias, T, d, scale };
}
