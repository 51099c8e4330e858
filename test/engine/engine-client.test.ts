import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LongreadError } from '../../engine/errors.js';
import { prefill } from '../../engine/generate/generate.js';
import { EngineClient } from '../../engine/host/client.js';
import { loadModel } from '../../engine/load-model.js';
import { syntheticCheckpoint } from '../../engine/model/synthetic.js';
import { readStoriesGolden, sharedAvailable, STORIES_DIR } from '../helpers/shared.js';

const cacheRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'longread-client-'));
afterAll(() => fs.rmSync(cacheRoot, { recursive: true, force: true }));

/** A random-weight model big enough that one 1024-token step takes a noticeable time. */
async function mediumModel(): Promise<string> {
  const configsDir = path.join(cacheRoot, 'configs');
  fs.mkdirSync(path.join(configsDir, 'medium'), { recursive: true });
  fs.writeFileSync(
    path.join(configsDir, 'medium', 'config.json'),
    JSON.stringify({
      architectures: ['Qwen2ForCausalLM'],
      hidden_size: 512,
      intermediate_size: 1536,
      num_hidden_layers: 4,
      num_attention_heads: 8,
      num_key_value_heads: 2,
      vocab_size: 2048,
      max_position_embeddings: 4096,
      rms_norm_eps: 1e-6,
      rope_theta: 1000000,
      tie_word_embeddings: true,
      eos_token_id: 2,
    }),
  );
  return syntheticCheckpoint('medium', { cacheRoot, configsDir });
}

/** Largest gap between ticks of a 5 ms interval while `work` runs. */
async function maxTickGap(work: () => Promise<unknown>): Promise<number> {
  let last = performance.now();
  let gap = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    gap = Math.max(gap, now - last);
    last = now;
  }, 5);
  try {
    await work();
  } finally {
    clearInterval(timer);
  }
  return Math.max(gap, performance.now() - last);
}

describe('EngineClient (engine in a worker thread)', () => {
  it("keeps the caller's event loop responsive during a long model call, unlike running in-process", async () => {
    const dir = await mediumModel();
    const ids = Array.from({ length: 1024 }, (_, i) => (i * 7) % 256);
    const inProcess = await loadModel(dir, { device: 'cpu', cacheRoot });
    await prefill(inProcess.decoder, inProcess.newCache(), ids.slice(0, 8)); // warm-up
    const blockedGap = await maxTickGap(() => prefill(inProcess.decoder, inProcess.newCache(), ids, { chunk: 1024 }));
    await inProcess.close();

    const client = new EngineClient();
    try {
      await client.load({ modelDir: dir, device: 'cpu', cacheRoot });
      const prompt = String.fromCharCode(...ids.map((i) => 97 + (i % 26)));
      await client.generate({ prompt: prompt.slice(0, 8), maxTokens: 1 }).result; // warm-up
      const workerGap = await maxTickGap(() => client.generate({ prompt, maxTokens: 4 }).result);
      console.log(`max event-loop gap: in-process ${blockedGap.toFixed(0)} ms, worker ${workerGap.toFixed(0)} ms`);
      expect(workerGap).toBeLessThan(blockedGap / 3);
    } finally {
      await client.close();
    }
  });

  it('a crashed worker fails the pending call with WORKER_CRASHED, and the next call starts a fresh one', async () => {
    const dir = await mediumModel();
    const client = new EngineClient();
    const crashes: string[] = [];
    client.onCrash = (m) => crashes.push(m);
    try {
      await client.load({ modelDir: dir, device: 'cpu', cacheRoot });
      const err = await client.crashForTest().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(LongreadError);
      expect((err as LongreadError).code).toBe('WORKER_CRASHED');
      expect(crashes.length).toBe(1);
      const info = await client.load({ modelDir: dir, device: 'cpu', cacheRoot });
      expect(info.numLayers).toBe(4);
      expect(info.convertedNow).toBe(false); // the conversion cache survived the crash
    } finally {
      await client.close();
    }
  });

  it('errors inside the worker arrive as LongreadErrors with their code', async () => {
    const client = new EngineClient();
    try {
      const err = await client.load({ modelDir: path.join(cacheRoot, 'no-such-model'), device: 'cpu' }).catch((e: unknown) => e);
      expect((err as LongreadError).code).toBe('NOT_A_MODEL_FOLDER');
      const err2 = await client.generate({ prompt: 'x', maxTokens: 1 }).result.catch((e: unknown) => e);
      expect((err2 as LongreadError).message).toMatch(/No model is loaded/);
    } finally {
      await client.close();
    }
  });

  const stories = sharedAvailable(STORIES_DIR, 'the worker streaming test on stories260K');
  it.skipIf(!stories)('streams tokens from stories260K, matches the golden continuation, and cancels mid-generation', async () => {
    const golden = readStoriesGolden();
    const client = new EngineClient();
    try {
      const info = await client.load({ modelDir: STORIES_DIR, device: 'cpu', weights: 'fp32', cacheRoot });
      expect(info.executionProvider).toBe('cpu');
      const pieces: string[] = [];
      const { result } = client.generate({ prompt: 'Zoo', maxTokens: 60 }, (t) => pieces.push(t));
      const r = await result;
      expect(pieces.length).toBeGreaterThan(10);
      expect('Zoo' + pieces.join('')).toBe(golden.greedy_after_prompt.text);
      expect(r.text).toBe(pieces.join(''));

      let n = 0;
      const gen = client.generate({ prompt: 'Once upon a time', maxTokens: 400 }, () => {
        if (++n === 5) gen.cancel();
      });
      const cancelled = await gen.result;
      expect(cancelled.stopReason).toBe('cancelled');
      expect(cancelled.tokens).toBeLessThan(20);
    } finally {
      await client.close();
    }
  });
});
