import { mulberry32 } from '../../engine/util/random.js';
import type { ModelSpec } from '../../engine/model/spec.js';
import { expectedTensors } from '../../engine/model/spec.js';
import { hfDecoderNaming } from '../../engine/model/families/llama.js';
import { MemoryTensorSource, ModelWeights } from '../../engine/model/weights.js';

/** Deterministic PRNG for reproducible random checkpoints. */
export const rng = mulberry32;

export function tinySpec(overrides: Partial<ModelSpec> = {}): ModelSpec {
  return {
    architecture: 'LlamaForCausalLM',
    family: 'llama',
    hiddenSize: 32,
    intermediateSize: 48,
    numLayers: 2,
    numHeads: 4,
    numKvHeads: 2,
    headDim: 8,
    vocabSize: 64,
    maxPositions: 512,
    rmsNormEps: 1e-5,
    ropeTheta: 10000,
    ropeScaling: null,
    qkvBias: false,
    qkNorm: false,
    tieWordEmbeddings: true,
    slidingWindow: null,
    bosTokenId: 1,
    eosTokenIds: [2],
    ...overrides,
  };
}

/** Random weights of the right shapes; norms near 1, projections scaled like a trained model's. */
export function tinyWeights(spec: ModelSpec, seed = 1): ModelWeights {
  const r = rng(seed);
  const tensors = new Map<string, { shape: number[]; data: Float32Array }>();
  for (const t of expectedTensors(spec, hfDecoderNaming)) {
    const n = t.shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(n);
    const isNorm = t.shape.length === 1 && !t.name.endsWith('.bias');
    const std = isNorm ? 0.1 : t.shape.length === 2 ? 1 / Math.sqrt(t.shape[1]) : 0.5;
    for (let i = 0; i < n; i++) data[i] = (isNorm ? 1 : 0) + std * (r() * 2 - 1) * Math.sqrt(3);
    tensors.set(t.name, { shape: t.shape, data });
  }
  return new ModelWeights(new MemoryTensorSource(tensors), spec, hfDecoderNaming);
}
