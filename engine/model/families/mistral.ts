import type { ModelFamily } from '../spec.js';
import { hfDecoderNaming, parseLlamaLikeConfig } from './llama.js';

/** Mistral: Llama layout; a sliding window, when set, caps the context we accept. */
export const mistralFamily: ModelFamily = {
  name: 'mistral',
  architectures: ['MistralForCausalLM'],
  parseConfig: (config) => parseLlamaLikeConfig(config, 'mistral'),
  naming: hfDecoderNaming,
};
