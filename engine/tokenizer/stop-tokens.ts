import { join } from 'node:path';

import { LongreadError } from '../errors.js';
import { MODEL_FILE_LIMITS } from '../model/regular-file.js';
import { readOptionalJsonObject } from './read-model-file.js';

/**
 * The token ids that end generation: generation_config.json's `eos_token_id` (one id or a list), then the
 * tokenizer's EOS if not already there. Chat models often list their end-of-turn token here (Qwen3:
 * `<|im_end|>` and `<|endoftext|>`).
 */
export function stopTokenIds(generationConfig: Record<string, unknown> | undefined, tokenizerEosId: number | null): number[] {
  const ids = new Set<number>(eosIdsFrom(generationConfig?.eos_token_id));
  if (tokenizerEosId !== null) ids.add(tokenizerEosId);
  return [...ids];
}

/** `stopTokenIds` with generation_config.json read from a model folder (a missing file means none listed). */
export async function loadStopTokenIds(dir: string, tokenizerEosId: number | null): Promise<number[]> {
  const generationConfig = await readOptionalJsonObject(join(dir, 'generation_config.json'), 'BAD_CONFIG', MODEL_FILE_LIMITS.config);
  return stopTokenIds(generationConfig, tokenizerEosId);
}

function eosIdsFrom(value: unknown): number[] {
  if (value === undefined || value === null) return [];
  const list = Array.isArray(value) ? value : [value];
  for (const id of list) {
    if (!Number.isInteger(id) || (id as number) < 0) {
      throw new LongreadError('BAD_CONFIG', `generation_config.json: "eos_token_id" must be a token id or a list of them, got ${JSON.stringify(value)}.`);
    }
  }
  return list as number[];
}
