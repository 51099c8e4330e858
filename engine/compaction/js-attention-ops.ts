import type { AttentionOps, BlockTargets, NormalEquations, ScoreInput, ShiftedExp } from './attention-ops.js';
import { accumulateAtA, accumulateAtB, mirrorUpper } from './linalg.js';
import { normalEquations } from './nnls.js';
import { attentionColumnSums, blockTargets, forEachAttentionChunk, fullExp, shiftedExp } from './scores.js';

/** The attention products as JS loops (float32 storage, float64 accumulation): the reference backend. */
export class JsAttentionOps implements AttentionOps {
  readonly name = 'js';

  async targets(input: ScoreInput, values: Float32Array): Promise<BlockTargets> {
    return blockTargets(input, values);
  }

  async columnSums(input: ScoreInput, positions?: Int32Array): Promise<Float64Array> {
    return attentionColumnSums({ ...input, positions });
  }

  async massSystem(kept: ScoreInput, rowMax: Float64Array, mass: Float64Array): Promise<NormalEquations> {
    const { gram, rhs } = normalEquations(keptExp(kept, rowMax), kept.n, kept.T, mass);
    return { gram, rhs };
  }

  async valueSystem(kept: ScoreInput, outputs: Float32Array): Promise<NormalEquations> {
    return valueNormalEquations(kept, outputs);
  }

  async perHeadSystem(kept: ScoreInput, rowMax: Float64Array, mass: Float64Array, outputs: Float32Array): Promise<NormalEquations & { w: number }> {
    const es = keptExp(kept, rowMax);
    const { n, T: t } = kept;
    let num = 0;
    let den = 0;
    for (let i = 0; i < n; i++) {
      let e = 0;
      for (let j = 0; j < t; j++) e += es[i * t + j];
      num += e * mass[i];
      den += e * e;
    }
    return { w: num / den, ...valueNormalEquations(kept, outputs) };
  }

  async shiftedExp(input: ScoreInput): Promise<ShiftedExp> {
    const { E, rowMax, mass } = fullExp(input);
    return new JsShiftedExp(E, input.n, input.T, rowMax, mass);
  }
}

export const jsAttentionOps: AttentionOps = new JsAttentionOps();

/** E_S = exp(s − rowMax) over the kept keys, shifted by the full block's row maxima. */
function keptExp(kept: ScoreInput, rowMax: Float64Array): Float32Array {
  const { queries, n, keys, bias, T, d, scale } = kept;
  return shiftedExp(queries, n, keys, bias, T, d, scale, rowMax);
}

/** XᵀX and XᵀY with X = softmax(s) over the kept keys, accumulated over query chunks. */
function valueNormalEquations(kept: ScoreInput, outputs: Float32Array): NormalEquations {
  const { T: t, d } = kept;
  const gram = new Float64Array(t * t);
  const rhs = new Float64Array(t * d);
  forEachAttentionChunk(kept, (c) => {
    const X = c.E;
    for (let r = 0; r < c.rows; r++) {
      const inv = 1 / c.mass[r];
      const o = r * t;
      for (let j = 0; j < t; j++) X[o + j] *= inv;
    }
    accumulateAtA(X, c.rows, t, gram);
    accumulateAtB(X, c.rows, t, outputs.subarray(c.start * d, (c.start + c.rows) * d), d, rhs);
  });
  mirrorUpper(gram, t);
  return { gram, rhs };
}

class JsShiftedExp implements ShiftedExp {
  readonly columnNorms: Float64Array;

  constructor(
    private readonly E: Float32Array,
    readonly n: number,
    readonly T: number,
    readonly rowMax: Float64Array,
    readonly mass: Float64Array,
  ) {
    const norms = new Float64Array(T);
    for (let i = 0; i < n; i++) {
      const o = i * T;
      for (let j = 0; j < T; j++) norms[j] += E[o + j] * E[o + j];
    }
    for (let j = 0; j < T; j++) norms[j] = Math.sqrt(norms[j]);
    this.columnNorms = norms;
  }

  column(j: number, out: Float32Array): void {
    for (let i = 0; i < this.n; i++) out[i] = this.E[i * this.T + j];
  }

  async correlate(residual: Float64Array): Promise<Float64Array> {
    const { E, n, T } = this;
    const corr = new Float64Array(T);
    for (let i = 0; i < n; i++) {
      const r = residual[i];
      if (r === 0) continue;
      const o = i * T;
      for (let j = 0; j < T; j++) corr[j] += E[o + j] * r;
    }
    return corr;
  }

  async gram(rows: Int32Array, cols: Int32Array): Promise<Float64Array> {
    const { n } = this;
    const a = new Float32Array(n);
    const b = new Float32Array(cols.length * n);
    cols.forEach((j, c) => this.column(j, b.subarray(c * n, c * n + n)));
    const out = new Float64Array(rows.length * cols.length);
    for (let r = 0; r < rows.length; r++) {
      this.column(rows[r], a);
      for (let c = 0; c < cols.length; c++) {
        const o = c * n;
        let g = 0;
        for (let i = 0; i < n; i++) g += a[i] * b[o + i];
        out[r * cols.length + c] = g;
      }
    }
    return out;
  }
}
