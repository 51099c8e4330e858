import type { ModelFamily } from '../spec.js';
import { hfDecoderNaming, parseLlamaLikeConfig } from './llama.js';

/** Qwen2/2.5: q, k and v projections always carry a bias (config.json has no key for it). */
export const qwen2Family: ModelFamily = {
  name: 'qwen2',
  architectures: ['Qwen2ForCausalLM'],
  parseConfig: (config) => parseLlamaLikeConfig(config, 'qwen2', { qkvBias: true }),
  naming: hfDecoderNaming,
};
