import { LongreadError } from '../errors.js';
import type { ExpectedTensor, GlobalRole, LayerRole, ModelSpec, TensorNaming } from './spec.js';
import { expectedTensorCount, expectedTensors, iterateExpectedTensors } from './spec.js';
import type { TensorSource } from './tensor-types.js';

const MISSING_SHOWN = 5;

/** Role-based, shape-checked access to a checkpoint's tensors, one tensor at a time. */
export class ModelWeights {
  private readonly expected: Map<string, ExpectedTensor>;

  constructor(
    readonly source: TensorSource,
    readonly spec: ModelSpec,
    readonly naming: TensorNaming,
  ) {
    // A config that needs more tensors than the checkpoint holds (say, far more layers) is refused before the
    // full list is built, naming the first few missing ones.
    const needed = expectedTensorCount(spec);
    const held = source.names().length;
    if (needed > held) {
      const missing: string[] = [];
      for (const t of iterateExpectedTensors(spec, naming)) {
        if (!source.has(t.name)) missing.push(t.name);
        if (missing.length === MISSING_SHOWN) break;
      }
      throw new LongreadError(
        'MISSING_TENSOR',
        `The checkpoint lacks at least ${needed - held} tensor(s) that ${spec.architecture} needs (config.json describes ` +
          `${spec.numLayers} layers, ${needed} tensors; the checkpoint holds ${held}): ${missing.join(', ')}${needed - held > missing.length ? ', …' : ''}`,
      );
    }
    this.expected = new Map(expectedTensors(spec, naming).map((t) => [t.name, t]));
  }

  /** Checks every tensor the model needs before any slow work starts. */
  validate(): void {
    const missing = [...this.expected.keys()].filter((n) => !this.source.has(n));
    if (missing.length) {
      const shown = missing.slice(0, MISSING_SHOWN).join(', ');
      throw new LongreadError(
        'MISSING_TENSOR',
        `The checkpoint lacks ${missing.length} tensor(s) that ${this.spec.architecture} needs: ${shown}${missing.length > MISSING_SHOWN ? ', …' : ''}`,
      );
    }
    for (const t of this.expected.values()) this.checkShape(t);
  }

  private checkShape(t: ExpectedTensor): void {
    const actual = this.source.info(t.name).shape;
    if (actual.length !== t.shape.length || actual.some((d, i) => d !== t.shape[i])) {
      throw new LongreadError(
        'TENSOR_SHAPE',
        `Tensor ${t.name} has shape [${actual.join(', ')}] but config.json implies [${t.shape.join(', ')}]`,
      );
    }
  }

  private read(name: string): Float32Array {
    const t = this.expected.get(name);
    if (!t) throw new LongreadError('MISSING_TENSOR', `Tensor ${name} is not part of this model`);
    if (!this.source.has(name)) throw new LongreadError('MISSING_TENSOR', `The checkpoint lacks tensor ${name}`);
    this.checkShape(t);
    return this.source.readF32(name);
  }

  layer(role: LayerRole, layer: number): Float32Array {
    return this.read(this.naming.layer(role, layer));
  }

  global(role: Exclude<GlobalRole, 'lmHead'>): Float32Array {
    return this.read(this.naming.global(role));
  }

  /** The output projection [vocab, hidden]; the embedding itself when tied. */
  lmHead(): Float32Array {
    return this.spec.tieWordEmbeddings ? this.global('embed') : this.read(this.naming.global('lmHead'));
  }
}

/** An in-memory TensorSource, for tests and for weights generated on the fly. */
export class MemoryTensorSource implements TensorSource {
  constructor(private readonly tensors: Map<string, { shape: number[]; data: Float32Array }>) {}

  has(name: string): boolean {
    return this.tensors.has(name);
  }

  info(name: string) {
    const t = this.tensors.get(name);
    if (!t) throw new LongreadError('MISSING_TENSOR', `No tensor ${name}`);
    return { name, dtype: 'F32' as const, shape: t.shape, file: '<memory>', byteOffset: 0, byteLength: t.data.byteLength };
  }

  names(): string[] {
    return [...this.tensors.keys()];
  }

  readF32(name: string): Float32Array {
    const t = this.tensors.get(name);
    if (!t) throw new LongreadError('MISSING_TENSOR', `No tensor ${name}`);
    return t.data.slice();
  }
}
