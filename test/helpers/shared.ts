import fs from 'node:fs';
import os from 'node:os';
import { afterAll, beforeAll } from 'vitest';
import { loadModel, type LoadedModel, type LoadOptions } from '../../engine/load-model.js';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** ../shared beside the project: real fixtures that may not be committed. */
export const SHARED_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../shared');
export const STORIES_DIR = path.join(SHARED_DIR, 'models', 'stories260K');
export const CONFIGS_DIR = path.join(SHARED_DIR, 'models', 'configs');

/**
 * Whether a fixture folder is there. Absent: the test skips with a message — unless LONGREAD_REQUIRE_FIXTURES=1
 * (CI), where a missing fixture is a failure, not a skip.
 */
export function sharedAvailable(dir: string, what: string): boolean {
  const ok = fs.existsSync(dir);
  if (!ok && process.env.LONGREAD_REQUIRE_FIXTURES === '1') {
    throw new Error(`${what} needs ${dir}, which is absent, and LONGREAD_REQUIRE_FIXTURES=1 forbids skipping`);
  }
  if (!ok) console.warn(`SKIPPED: ${what} needs ${dir}, which is absent on this machine`);
  return ok;
}

export interface StoriesGolden {
  greedy_from_bos: { input_ids: number[]; generated_ids: number[]; text: string };
  greedy_after_prompt: { prompt: string; input_ids: number[]; generated_ids: number[]; text: string };
  logits_pos0_top5: { top5: { id: number; token: string; logit: number }[] };
  teacher_forced_logits: { input_ids: number[]; position: number; argmax: number; logits: number[] };
}

export function readStoriesGolden(): StoriesGolden {
  return JSON.parse(fs.readFileSync(path.join(STORIES_DIR, 'golden.json'), 'utf8')) as StoriesGolden;
}

/**
 * Loads stories260K (fp32, CPU) once for a describe block into its own conversion cache, removed afterwards.
 * Call inside `describe`; read `.model` inside tests.
 */
export function useStoriesModel(options: Omit<LoadOptions, 'cacheRoot'> = {}): { readonly model: LoadedModel } {
  const cacheRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'longread-stories-'));
  const holder = { model: undefined as unknown as LoadedModel };
  beforeAll(async () => {
    holder.model = await loadModel(STORIES_DIR, { device: 'cpu', weights: 'fp32', ...options, cacheRoot });
  });
  afterAll(async () => {
    await holder.model?.close();
    fs.rmSync(cacheRoot, { recursive: true, force: true });
  });
  return holder;
}
