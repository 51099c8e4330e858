import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { prefill } from '../../engine/generate/generate.js';
import { loadModel } from '../../engine/load-model.js';
import { readStoriesGolden, sharedAvailable, STORIES_DIR } from '../helpers/shared.js';

/**
 * Opt-in (LONGREAD_TEST_WEBGPU=1): runs stories260K on onnxruntime's WebGPU provider and compares with the CPU.
 * Without a GPU it runs on Mesa's software Vulkan (lavapipe), which needs Mesa ≥ 25 (bookworm-backports); see README.
 */
const enabled = process.env.LONGREAD_TEST_WEBGPU === '1';
if (!enabled) console.warn('SKIPPED: the WebGPU test runs only with LONGREAD_TEST_WEBGPU=1 (see README, "WebGPU test")');
const available = enabled && sharedAvailable(STORIES_DIR, 'the WebGPU test');

describe.skipIf(!available)('WebGPU execution provider', () => {
  const cacheRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'longread-webgpu-'));
  afterAll(() => fs.rmSync(cacheRoot, { recursive: true, force: true }));

  it('stories260K logits on WebGPU match the CPU within 1e-3', async () => {
    const golden = readStoriesGolden();
    const ids = golden.teacher_forced_logits.input_ids;
    const cpu = await loadModel(STORIES_DIR, { device: 'cpu', weights: 'fp32', cacheRoot });
    const gpu = await loadModel(STORIES_DIR, { device: 'webgpu', weights: 'fp32', cacheRoot });
    try {
      expect(gpu.executionProvider).toBe('webgpu');
      // in chunks, so the cached-slot path with per-slot bias runs on the device too
      const a = await prefill(cpu.decoder, cpu.newCache(), ids, { chunk: 16 });
      const b = await prefill(gpu.decoder, gpu.newCache(), ids, { chunk: 16 });
      let maxDiff = 0;
      for (let i = 0; i < a.length; i++) maxDiff = Math.max(maxDiff, Math.abs(a[i] - b[i]));
      console.log(`WebGPU vs CPU max |Δlogit| over 512 logits after 65 tokens: ${maxDiff.toExponential(2)}`);
      expect(maxDiff).toBeLessThan(1e-3);
    } finally {
      await cpu.close();
      await gpu.close();
    }
  });
});
