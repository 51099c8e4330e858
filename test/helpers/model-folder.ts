import fs from 'node:fs';
import path from 'node:path';
import { specFromConfig } from '../../engine/model/families/index.js';
import { writeSafetensors, type TensorToWrite } from '../../engine/model/safetensors.js';
import { expectedTensors } from '../../engine/model/spec.js';
import { byteTokenizerJson } from '../../engine/model/synthetic.js';
import { rng } from './tiny-model.js';

export const TINY_LLAMA_CONFIG = {
  architectures: ['LlamaForCausalLM'],
  hidden_size: 32,
  intermediate_size: 48,
  num_hidden_layers: 2,
  num_attention_heads: 4,
  num_key_value_heads: 2,
  vocab_size: 300,
  max_position_embeddings: 64,
  rms_norm_eps: 1e-5,
  rope_theta: 10000,
  tie_word_embeddings: true,
  bos_token_id: 1,
  eos_token_id: 2,
};

/**
 * Writes a complete Hugging Face model folder with random weights for `config`; `edit` may change the tensor list
 * before it is written (drop one, change a shape or dtype) to make broken checkpoints.
 */
export async function writeModelFolder(
  dir: string,
  config: Record<string, unknown> = TINY_LLAMA_CONFIG,
  edit?: (tensors: TensorToWrite[]) => TensorToWrite[],
): Promise<string> {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(config));
  fs.writeFileSync(path.join(dir, 'tokenizer.json'), JSON.stringify(byteTokenizerJson()));
  const { family, spec } = specFromConfig(config);
  const r = rng(3);
  let tensors: TensorToWrite[] = expectedTensors(spec, family.naming).map((t) => ({
    name: t.name,
    dtype: 'F32',
    shape: t.shape,
    data: Float32Array.from({ length: t.shape.reduce((a, b) => a * b, 1) }, () => (r() - 0.5) * 0.2),
  }));
  if (edit) tensors = edit(tensors);
  await writeSafetensors(path.join(dir, 'model.safetensors'), tensors);
  return dir;
}
