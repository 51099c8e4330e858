import { KV_ELEMENT_BYTES } from '../cache/kv-cache.js';

/**
 * The one description of a decoder that every model family maps onto. The graph builder and the reference
 * forward pass read only this, never a family's config keys or tensor names.
 */
export interface Llama3RopeScaling {
  type: 'llama3';
  factor: number;
  lowFreqFactor: number;
  highFreqFactor: number;
  originalMaxPositions: number;
}

export interface ModelSpec {
  architecture: string;
  family: string;
  hiddenSize: number;
  intermediateSize: number;
  numLayers: number;
  numHeads: number;
  numKvHeads: number;
  headDim: number;
  vocabSize: number;
  maxPositions: number;
  rmsNormEps: number;
  ropeTheta: number;
  ropeScaling: Llama3RopeScaling | null;
  /** q/k/v projections carry a bias (Qwen2). */
  qkvBias: boolean;
  /** Per-head RMSNorm on queries and keys before RoPE (Qwen3). */
  qkNorm: boolean;
  tieWordEmbeddings: boolean;
  /** Sliding-window attention size if the model uses one; contexts beyond it are refused. */
  slidingWindow: number | null;
  bosTokenId: number | null;
  eosTokenIds: number[];
}

export type GlobalRole = 'embed' | 'finalNorm' | 'lmHead';
export type LayerRole =
  | 'attnNorm'
  | 'q'
  | 'k'
  | 'v'
  | 'o'
  | 'qBias'
  | 'kBias'
  | 'vBias'
  | 'qNorm'
  | 'kNorm'
  | 'mlpNorm'
  | 'gate'
  | 'up'
  | 'down';

/** Maps roles onto a family's tensor names. */
export interface TensorNaming {
  global(role: GlobalRole): string;
  layer(role: LayerRole, layer: number): string;
}

export interface ModelFamily {
  name: string;
  architectures: string[];
  parseConfig(config: Record<string, unknown>): ModelSpec;
  naming: TensorNaming;
}

export interface ExpectedTensor {
  name: string;
  shape: number[];
}

export function gqaGroupSize(spec: ModelSpec): number {
  return spec.numHeads / spec.numKvHeads;
}

/** The layer roles a spec uses, in a fixed order. */
export function layerRoles(spec: ModelSpec): LayerRole[] {
  const roles: LayerRole[] = ['attnNorm', 'q', 'k', 'v', 'o', 'mlpNorm', 'gate', 'up', 'down'];
  if (spec.qkvBias) roles.push('qBias', 'kBias', 'vBias');
  if (spec.qkNorm) roles.push('qNorm', 'kNorm');
  return roles;
}

export function layerRoleShape(spec: ModelSpec, role: LayerRole): number[] {
  const { hiddenSize: h, intermediateSize: i, numHeads, numKvHeads, headDim: d } = spec;
  switch (role) {
    case 'attnNorm':
    case 'mlpNorm':
      return [h];
    case 'q':
      return [numHeads * d, h];
    case 'k':
    case 'v':
      return [numKvHeads * d, h];
    case 'o':
      return [h, numHeads * d];
    case 'qBias':
      return [numHeads * d];
    case 'kBias':
    case 'vBias':
      return [numKvHeads * d];
    case 'qNorm':
    case 'kNorm':
      return [d];
    case 'gate':
    case 'up':
      return [i, h];
    case 'down':
      return [h, i];
  }
}

/** How many tensors `expectedTensors` lists, computed without building the list. */
export function expectedTensorCount(spec: ModelSpec): number {
  return (spec.tieWordEmbeddings ? 2 : 3) + spec.numLayers * layerRoles(spec).length;
}

/** Every tensor a checkpoint of this spec must contain, with its shape, one at a time. */
export function* iterateExpectedTensors(spec: ModelSpec, naming: TensorNaming): Generator<ExpectedTensor> {
  yield { name: naming.global('embed'), shape: [spec.vocabSize, spec.hiddenSize] };
  yield { name: naming.global('finalNorm'), shape: [spec.hiddenSize] };
  if (!spec.tieWordEmbeddings) yield { name: naming.global('lmHead'), shape: [spec.vocabSize, spec.hiddenSize] };
  for (let l = 0; l < spec.numLayers; l++) {
    for (const role of layerRoles(spec)) yield { name: naming.layer(role, l), shape: layerRoleShape(spec, role) };
  }
}

/** Every tensor a checkpoint of this spec must contain, with its shape. */
export function expectedTensors(spec: ModelSpec, naming: TensorNaming): ExpectedTensor[] {
  return [...iterateExpectedTensors(spec, naming)];
}

/** Bytes of K and V one token takes in an uncompacted cache. */
export function kvBytesPerToken(spec: ModelSpec): number {
  return spec.numLayers * 2 * spec.numKvHeads * spec.headDim * KV_ELEMENT_BYTES;
}
