import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { argmax } from '../../engine/generate/sampler.js';
import { AttentionKernels } from '../../engine/kernels/attention-kernels.js';
import { OrtAttentionOps } from '../../engine/kernels/ort-attention-ops.js';
import { maxAbsDiff } from '../compaction-cache/tiny-decoder.js';
import { runDecodePath } from './decode-path.js';
import { keptAgreement, runDocumentPath } from './document-path.js';
import { openOnCpuAndWebgpu, type ProviderPair } from './provider-pair.js';
import { RANDOM_QWEN3_CONFIG, writeRandomQwen3 } from './random-checkpoint.js';
import { webgpuTestsRun } from './webgpu-gate.js';

/**
 * A multi-layer random-weight Qwen3 in the app's default weight format (4-bit MatMulNBits, 8-bit output head, fp16
 * embedding table) on the WebGPU provider against the CPU provider. Both run the 4-bit products with float
 * activations (accuracy level 0): the CPU's default int8 activations would differ by more than the tolerance for
 * reasons that have nothing to do with WebGPU.
 */
const TOLERANCE = 1e-3;
const runs = webgpuTestsRun('the WebGPU test on a random-weight Qwen3');
const TEXT =
  'The lighthouse keeper counted the ships every night. In spring the fishing boats came home early, ' +
  'and in autumn the storms kept them in the harbour. One winter a small boat with a red sail lost its way.';

describe.skipIf(!runs)(`a random ${RANDOM_QWEN3_CONFIG.num_hidden_layers}-layer Qwen3 (q4) on WebGPU matches the CPU provider`, () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'longread-webgpu-random-'));
  let pair: ProviderPair;
  let kernels: AttentionKernels;
  beforeAll(async () => {
    const dir = await writeRandomQwen3(path.join(root, 'model'));
    pair = await openOnCpuAndWebgpu(dir, { weights: 'q4', accuracyLevel: 0, cacheRoot: path.join(root, 'cache') });
    kernels = new AttentionKernels(1);
  });
  afterAll(async () => {
    await pair?.close();
    await kernels?.close();
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('decodes: prompt in chunks, then token by token, within 1e-3', async () => {
    expect(pair.gpu.executionProvider).toBe('webgpu');
    const tokenizer = pair.cpu.tokenizer;
    const prompt = tokenizer.encode(TEXT.slice(0, 90), { addSpecialTokens: false });
    const steps = tokenizer.encode(' lost its way', { addSpecialTokens: false });
    const cpu = await runDecodePath(pair.cpu, prompt, steps, 32);
    const gpu = await runDecodePath(pair.gpu, prompt, steps, 32);
    const promptDiff = maxAbsDiff(cpu.afterPrompt, gpu.afterPrompt);
    const stepDiffs = cpu.steps.map((s, i) => maxAbsDiff(s, gpu.steps[i]));
    const spread = Math.max(...cpu.afterPrompt) - Math.min(...cpu.afterPrompt);
    console.log(
      `random Qwen3 decode, WebGPU vs CPU max |Δlogit| (logits span ${spread.toFixed(1)}): after ${prompt.length} prompt tokens ` +
        `${promptDiff.toExponential(2)}, per step ${stepDiffs.map((d) => d.toExponential(1)).join(' ')}`,
    );
    // Logits of a few units, so that the tolerance compares something.
    expect(spread).toBeGreaterThan(5);
    expect(promptDiff).toBeLessThan(TOLERANCE);
    for (const d of stepDiffs) expect(d).toBeLessThan(TOLERANCE);
    expect(gpu.steps.map(argmax)).toEqual(cpu.steps.map(argmax));
  });

  it('reads a document, compacts it and re-compacts it from the stored blocks, within 1e-3', async () => {
    const options = { ops: new OrtAttentionOps(kernels), ratio: 0.3, recompactRatio: 0.15, chunkSize: 48, question: 'What color was the sail?', answer: ' It was red.' };
    const cpu = await runDocumentPath(pair.cpu, TEXT, { ...options, dir: path.join(root, 'cpu') });
    const gpu = await runDocumentPath(pair.gpu, TEXT, { ...options, dir: path.join(root, 'gpu') });
    const diffs = {
      compaction: maxAbsDiff(cpu.afterCompaction, gpu.afterCompaction),
      decode: Math.max(...cpu.decodeSteps.map((s, i) => maxAbsDiff(s, gpu.decodeSteps[i]))),
      recompaction: maxAbsDiff(cpu.afterRecompaction, gpu.afterRecompaction),
    };
    const agreement = keptAgreement(cpu.kept, gpu.kept);
    console.log(
      `random Qwen3 document of ${cpu.documentTokens} tokens in ${Math.ceil(cpu.documentTokens / options.chunkSize)} chunks, WebGPU vs CPU max |Δlogit|: ` +
        `after compaction to ${options.ratio} ${diffs.compaction.toExponential(2)}, decoding over it ${diffs.decode.toExponential(2)}, ` +
        `after re-compaction to ${options.recompactRatio} ${diffs.recompaction.toExponential(2)}; same positions kept: ${(100 * agreement).toFixed(1)}%`,
    );
    expect(cpu.documentTokens).toBeGreaterThan(3 * options.chunkSize);
    expect(agreement).toBeGreaterThan(0.98);
    for (const d of Object.values(diffs)) expect(d).toBeLessThan(TOLERANCE);
  });
});
