import type { ModelFamily } from '../spec.js';
import { hfDecoderNaming, parseLlamaLikeConfig } from './llama.js';

/** Qwen3: per-head RMSNorm on q and k before RoPE; head_dim is explicit and may differ from hidden/heads. */
export const qwen3Family: ModelFamily = {
  name: 'qwen3',
  architectures: ['Qwen3ForCausalLM'],
  parseConfig: (config) => parseLlamaLikeConfig(config, 'qwen3', { qkNorm: true }),
  naming: hfDecoderNaming,
};
