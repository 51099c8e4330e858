import { describe, expect, it } from 'vitest';
import { isLongreadError } from '../../engine/errors.js';
import { specFromConfig } from '../../engine/model/families/index.js';
import { TINY_LLAMA_CONFIG } from '../helpers/model-folder.js';

function refusal(change: Record<string, unknown>): string {
  try {
    specFromConfig({ ...TINY_LLAMA_CONFIG, ...change });
  } catch (e) {
    if (isLongreadError(e, 'BAD_CONFIG')) return e.message;
    throw e;
  }
  throw new Error(`accepted ${JSON.stringify(change)}`);
}

describe('config.json values are checked against sane bounds', () => {
  it.each([
    [{ num_hidden_layers: 0 }, 'num_hidden_layers'],
    [{ num_hidden_layers: 1e9 }, 'num_hidden_layers'],
    [{ num_hidden_layers: 2.5 }, 'num_hidden_layers'],
    [{ hidden_size: 0 }, 'hidden_size'],
    [{ hidden_size: 1e7 }, 'hidden_size'],
    [{ intermediate_size: -1 }, 'intermediate_size'],
    [{ num_attention_heads: 0 }, 'num_attention_heads'],
    [{ num_key_value_heads: 0 }, 'num_key_value_heads'],
    [{ num_key_value_heads: 8 }, 'num_key_value_heads'],
    [{ head_dim: 1e6 }, 'head_dim'],
    [{ vocab_size: 0 }, 'vocab_size'],
    [{ vocab_size: 1e12 }, 'vocab_size'],
    [{ max_position_embeddings: 0 }, 'max_position_embeddings'],
    [{ sliding_window: 0 }, 'sliding_window'],
    [{ rms_norm_eps: -1 }, 'rms_norm_eps'],
    [{ rms_norm_eps: 0 }, 'rms_norm_eps'],
    [{ rms_norm_eps: 5 }, 'rms_norm_eps'],
    [{ rope_theta: 0 }, 'rope_theta'],
    [{ rope_theta: -10000 }, 'rope_theta'],
    [{ rope_theta: '10000' }, 'rope_theta'],
    [{ rope_scaling: { rope_type: 'llama3', factor: 8, low_freq_factor: 4, high_freq_factor: 4, original_max_position_embeddings: 8192 } }, 'high_freq_factor'],
    [{ rope_scaling: { rope_type: 'llama3', factor: 0, low_freq_factor: 1, high_freq_factor: 4, original_max_position_embeddings: 8192 } }, 'factor'],
    [{ eos_token_id: [2, -1] }, 'eos_token_id'],
  ])('refuses %j', (change, field) => {
    expect(refusal(change)).toContain(`"${field}"`);
  });

  it('accepts the configs of real models', () => {
    const llama3 = {
      ...TINY_LLAMA_CONFIG,
      hidden_size: 16384,
      num_attention_heads: 128,
      num_key_value_heads: 8,
      num_hidden_layers: 126,
      intermediate_size: 53248,
      vocab_size: 128256,
      max_position_embeddings: 131072,
      rope_theta: 500000,
      rms_norm_eps: 1e-5,
      rope_scaling: { rope_type: 'llama3', factor: 8, low_freq_factor: 1, high_freq_factor: 4, original_max_position_embeddings: 8192 },
    };
    expect(specFromConfig(llama3).spec.numLayers).toBe(126);
  });
});
