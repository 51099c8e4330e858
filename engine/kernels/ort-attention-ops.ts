import type { AttentionOps, BlockTargets, NormalEquations, ScoreInput, ShiftedExp } from '../compaction/attention-ops.js';
import type { AttentionKernels } from './attention-kernels.js';

const f32 = (x: Float64Array) => Float32Array.from(x);
const f64 = (x: Float32Array) => Float64Array.from(x);

/** The attention products as onnxruntime graphs (`AttentionKernels`): optimised multi-threaded fp32 GEMMs. */
export class OrtAttentionOps implements AttentionOps {
  readonly name = 'onnxruntime';

  constructor(private readonly kernels: AttentionKernels) {}

  async targets(x: ScoreInput, values: Float32Array): Promise<BlockTargets> {
    const k = await this.kernels.targets(x.queries, x.n, x.keys, values, x.bias, x.T, x.d, x.scale);
    return { rowMax: f64(k.rowMax), mass: f64(k.mass), outputs: k.outputs, keyRms: f64(k.keyRms), columnSums: f64(k.columnSums) };
  }

  async columnSums(x: ScoreInput, positions?: Int32Array): Promise<Float64Array> {
    return f64(await this.kernels.columnSums(x.queries, x.n, x.keys, x.bias, x.T, x.d, x.scale, positions));
  }

  async massSystem(kept: ScoreInput, rowMax: Float64Array, mass: Float64Array): Promise<NormalEquations> {
    const sys = await this.kernels.massSystem(kept.queries, kept.n, kept.keys, kept.bias, kept.T, kept.d, kept.scale, f32(rowMax), f32(mass));
    return { gram: f64(sys.gram), rhs: f64(sys.rhs) };
  }

  async valueSystem(kept: ScoreInput, outputs: Float32Array): Promise<NormalEquations> {
    const sys = await this.kernels.valueSystem(kept.queries, kept.n, kept.keys, kept.bias, kept.T, kept.d, kept.scale, outputs);
    return { gram: f64(sys.gram), rhs: f64(sys.rhs) };
  }

  async perHeadSystem(kept: ScoreInput, rowMax: Float64Array, mass: Float64Array, outputs: Float32Array): Promise<NormalEquations & { w: number }> {
    const sys = await this.kernels.perHeadSystem(kept.queries, kept.n, kept.keys, kept.bias, kept.T, kept.d, kept.scale, f32(rowMax), f32(mass), outputs);
    return { w: sys.w, gram: f64(sys.gram), rhs: f64(sys.rhs) };
  }

  async shiftedExp(x: ScoreInput): Promise<ShiftedExp> {
    const out = await this.kernels.shiftedExp(x.queries, x.n, x.keys, x.bias, x.T, x.d, x.scale);
    return new OrtShiftedExp(this.kernels, out.E, x.n, x.T, f64(out.rowMax), f64(out.mass), f64(out.columnNorms));
  }
}

/** E kept in JS memory between the greedy steps and handed to each product's graph. */
class OrtShiftedExp implements ShiftedExp {
  constructor(
    private readonly kernels: AttentionKernels,
    private readonly E: Float32Array,
    readonly n: number,
    readonly T: number,
    readonly rowMax: Float64Array,
    readonly mass: Float64Array,
    readonly columnNorms: Float64Array,
  ) {}

  column(j: number, out: Float32Array): void {
    for (let i = 0; i < this.n; i++) out[i] = this.E[i * this.T + j];
  }

  async correlate(residual: Float64Array): Promise<Float64Array> {
    return f64(await this.kernels.correlate(this.E, this.n, this.T, f32(residual)));
  }

  async gram(rows: Int32Array, cols: Int32Array): Promise<Float64Array> {
    return f64(await this.kernels.gatherGram(this.E, this.n, this.T, rows, cols));
  }
}
