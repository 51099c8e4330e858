import { LongreadError } from '../../errors.js';
import { ConfigReader } from '../config-fields.js';
import { CONFIG_LIMITS as LIMITS } from '../config-limits.js';
import type { Llama3RopeScaling, ModelFamily, ModelSpec, TensorNaming } from '../spec.js';

/** Tensor names shared by Llama, Mistral, Qwen2 and Qwen3 checkpoints in Hugging Face layout. */
export const hfDecoderNaming: TensorNaming = {
  global(role) {
    return { embed: 'model.embed_tokens.weight', finalNorm: 'model.norm.weight', lmHead: 'lm_head.weight' }[role];
  },
  layer(role, l) {
    const p = `model.layers.${l}`;
    return {
      attnNorm: `${p}.input_layernorm.weight`,
      q: `${p}.self_attn.q_proj.weight`,
      k: `${p}.self_attn.k_proj.weight`,
      v: `${p}.self_attn.v_proj.weight`,
      o: `${p}.self_attn.o_proj.weight`,
      qBias: `${p}.self_attn.q_proj.bias`,
      kBias: `${p}.self_attn.k_proj.bias`,
      vBias: `${p}.self_attn.v_proj.bias`,
      qNorm: `${p}.self_attn.q_norm.weight`,
      kNorm: `${p}.self_attn.k_norm.weight`,
      mlpNorm: `${p}.post_attention_layernorm.weight`,
      gate: `${p}.mlp.gate_proj.weight`,
      up: `${p}.mlp.up_proj.weight`,
      down: `${p}.mlp.down_proj.weight`,
    }[role];
  },
};

function parseRopeScaling(cfg: ConfigReader, what: string): Llama3RopeScaling | null {
  const raw = cfg.raw('rope_scaling');
  if (raw === undefined || raw === null) return null;
  const r = new ConfigReader(raw as Record<string, unknown>, `${what} rope_scaling`);
  const type = (raw as Record<string, unknown>).rope_type ?? (raw as Record<string, unknown>).type;
  if (type === 'default') return null;
  if (type !== 'llama3') {
    throw new LongreadError('BAD_CONFIG', `${what}: rope_scaling type "${String(type)}" is not supported (supported: llama3)`);
  }
  const lowFreqFactor = r.num('low_freq_factor', undefined, { above: 0 });
  return {
    type: 'llama3',
    factor: r.num('factor', undefined, { above: 0 }),
    lowFreqFactor,
    // rope.ts divides by (high - low)
    highFreqFactor: r.num('high_freq_factor', undefined, { above: lowFreqFactor }),
    originalMaxPositions: r.int('original_max_position_embeddings', undefined, { min: 1, max: LIMITS.positions }),
  };
}

/** Fields common to every Llama-like config; families override the few that differ. */
export function parseLlamaLikeConfig(
  config: Record<string, unknown>,
  family: string,
  overrides: Partial<Pick<ModelSpec, 'qkvBias' | 'qkNorm'>> = {},
): ModelSpec {
  const architecture = ((config.architectures as string[] | undefined) ?? [])[0] ?? family;
  const what = `config.json (${architecture})`;
  const cfg = new ConfigReader(config, what);
  const hiddenSize = cfg.int('hidden_size', undefined, { min: 1, max: LIMITS.hiddenSize });
  const numHeads = cfg.int('num_attention_heads', undefined, { min: 1, max: LIMITS.heads });
  const numKvHeads = cfg.int('num_key_value_heads', numHeads, { min: 1, max: numHeads });
  const headDim = cfg.has('head_dim') ? cfg.int('head_dim', undefined, { min: 2, max: LIMITS.headDim }) : hiddenSize / numHeads;
  if (!Number.isInteger(headDim) || headDim % 2 !== 0 || headDim > LIMITS.headDim) {
    throw new LongreadError('BAD_CONFIG', `${what}: head_dim ${headDim} must be an even integer up to ${LIMITS.headDim}`);
  }
  if (numHeads % numKvHeads !== 0) {
    throw new LongreadError('BAD_CONFIG', `${what}: num_attention_heads ${numHeads} is not a multiple of num_key_value_heads ${numKvHeads}`);
  }
  const act = config.hidden_act ?? 'silu';
  if (act !== 'silu') throw new LongreadError('BAD_CONFIG', `${what}: hidden_act "${String(act)}" is not supported (only silu)`);
  const useSliding = config.use_sliding_window;
  const window = cfg.has('sliding_window') && useSliding !== false ? cfg.int('sliding_window', undefined, { min: 1, max: LIMITS.positions }) : null;
  const maxPositions = cfg.int('max_position_embeddings', 4096, { min: 1, max: LIMITS.positions });
  return {
    architecture,
    family,
    hiddenSize,
    intermediateSize: cfg.int('intermediate_size', undefined, { min: 1, max: LIMITS.intermediateSize }),
    numLayers: cfg.int('num_hidden_layers', undefined, { min: 1, max: LIMITS.layers }),
    numHeads,
    numKvHeads,
    headDim,
    vocabSize: cfg.int('vocab_size', undefined, { min: 1, max: LIMITS.vocabSize }),
    maxPositions,
    rmsNormEps: cfg.num('rms_norm_eps', 1e-6, { above: 0, below: 1 }),
    ropeTheta: cfg.num('rope_theta', 10000, { above: 0 }),
    ropeScaling: parseRopeScaling(cfg, what),
    qkvBias: overrides.qkvBias ?? cfg.bool('attention_bias', false),
    qkNorm: overrides.qkNorm ?? false,
    tieWordEmbeddings: cfg.bool('tie_word_embeddings', false),
    slidingWindow: window !== null && window < maxPositions ? window : null,
    bosTokenId: cfg.has('bos_token_id') ? cfg.int('bos_token_id') : null,
    eosTokenIds: cfg.intList('eos_token_id'),
  };
}

/** Llama 2/3.x (incl. llama3 rope scaling) and SmolLM2. */
export const llamaFamily: ModelFamily = {
  name: 'llama',
  architectures: ['LlamaForCausalLM'],
  parseConfig: (config) => parseLlamaLikeConfig(config, 'llama'),
  naming: hfDecoderNaming,
};
