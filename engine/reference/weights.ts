import type { LayerRole } from '../model/spec.js';
import { layerRoles, layerRoleShape } from '../model/spec.js';
import type { ModelWeights } from '../model/weights.js';
import type { RefWeights } from './forward.js';

const LINEAR_ROLES = new Set<LayerRole>(['q', 'k', 'v', 'o', 'gate', 'up', 'down']);

/**
 * Float64 copies of a model's weights for the reference pass. `linear` may transform each [N, K] projection
 * (e.g. quantize→dequantize to model a 4-bit graph); `lmHead` and `embed` likewise for those tables.
 */
export function refWeightsFrom(
  weights: ModelWeights,
  transforms: {
    linear?: (w: Float32Array, N: number, K: number) => Float32Array;
    lmHead?: (w: Float32Array, N: number, K: number) => Float32Array;
    embed?: (w: Float32Array) => Float32Array;
  } = {},
): RefWeights {
  const { spec } = weights;
  const f64 = (a: Float32Array) => Float64Array.from(a);
  const embed32 = weights.global('embed');
  const lin = (w: Float32Array, N: number, K: number) => (transforms.linear ? transforms.linear(w, N, K) : w);
  const layers: RefWeights['layers'] = [];
  for (let l = 0; l < spec.numLayers; l++) {
    const rec = {} as Record<LayerRole, Float64Array | undefined>;
    for (const role of layerRoles(spec)) {
      const w = weights.layer(role, l);
      const shape = layerRoleShape(spec, role);
      rec[role] = f64(LINEAR_ROLES.has(role) ? lin(w, shape[0], shape[1]) : w);
    }
    layers.push(rec);
  }
  return {
    embed: f64(transforms.embed ? transforms.embed(embed32) : embed32),
    finalNorm: f64(weights.global('finalNorm')),
    lmHead: f64((transforms.lmHead ?? lin)(weights.lmHead(), spec.vocabSize, spec.hiddenSize)),
    layers,
  };
}
