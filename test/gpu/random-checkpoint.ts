import fs from 'node:fs';
import path from 'node:path';
import type { TensorToWrite } from '../../engine/model/safetensors.js';
import { writeModelFolder } from '../helpers/model-folder.js';

/** A small Qwen3 (query/key norms, grouped KV heads) with several layers: every graph feature of the real family. */
export const RANDOM_QWEN3_CONFIG = {
  architectures: ['Qwen3ForCausalLM'],
  hidden_size: 64,
  intermediate_size: 128,
  num_hidden_layers: 4,
  num_attention_heads: 4,
  num_key_value_heads: 2,
  head_dim: 16,
  vocab_size: 300,
  max_position_embeddings: 512,
  rms_norm_eps: 1e-6,
  rope_theta: 10000,
  tie_word_embeddings: false,
  bos_token_id: 1,
  eos_token_id: 2,
};

/** A chat template in the shape of the real ones, so documents get a template prefix and a repeat turn. */
const CHAT_TEMPLATE =
  '{% for m in messages %}<|{{ m.role }}|>{{ m.content }}\n{% endfor %}{% if add_generation_prompt %}<|assistant|>{% endif %}';

/** Spread of writeModelFolder's uniform values, (r - 0.5) · 0.2. */
const WRITTEN_STD = 0.2 / Math.sqrt(12);

/**
 * Rescales writeModelFolder's small uniform values the way trained weights are: norms near 1, projections with a
 * spread of 1/√fan-in, embeddings of unit spread and an output head that gives logits of a few units. With the raw
 * values every logit is within 0.1 of zero, and a 1e-3 tolerance would compare nothing.
 */
export function trainedScale(t: TensorToWrite): TensorToWrite {
  const data = t.data as Float32Array;
  if (t.shape.length === 1) return { ...t, data: data.map((v) => 1 + v) };
  const fanIn = t.shape[1];
  const std = t.name.includes('embed_tokens') ? 1 : t.name.startsWith('lm_head') ? 3 / Math.sqrt(fanIn) : 1 / Math.sqrt(fanIn);
  return { ...t, data: data.map((v) => (v / WRITTEN_STD) * std) };
}

/** Writes the checkpoint (random weights, byte-level tokenizer, chat template) into `dir`. */
export async function writeRandomQwen3(dir: string): Promise<string> {
  await writeModelFolder(dir, RANDOM_QWEN3_CONFIG, (tensors) => tensors.map(trainedScale));
  fs.writeFileSync(path.join(dir, 'tokenizer_config.json'), JSON.stringify({ chat_template: CHAT_TEMPLATE }));
  return dir;
}
