import fs from 'node:fs';
import os from 'node:os';
import { createRequire } from 'node:module';
import path from 'node:path';
import ort from 'onnxruntime-node';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { isLongreadError } from '../../engine/errors.js';
import { loadModel, type LoadedModel } from '../../engine/load-model.js';
import { Decoder } from '../../engine/runtime/decoder.js';
import { autoOrder, openFirstWorking, providerPlan, type OpenedSession } from '../../engine/runtime/execution-provider.js';
import { writeModelFolder } from '../helpers/model-folder.js';

/**
 * A GPU provider can fail in two ways: its session cannot be created, or it is created and the first run throws (a
 * kernel it lacks, a shader the driver rejects). Both must fall back to the next provider with a message, never fail
 * the first question. No GPU is needed: a "GPU" session here is a real CPU session whose run is made to fail.
 */
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'longread-provider-fallback-'));
let model: LoadedModel;
const realCreate = ort.InferenceSession.create.bind(ort.InferenceSession);

type Behaviour = 'works' | 'load-fails' | 'run-throws' | 'run-gives-nan';

/** Sessions for any provider but the CPU behave as told; the CPU is always the real one. */
function simulate(behaviour: Behaviour): void {
  vi.spyOn(ort.InferenceSession, 'create').mockImplementation((async (uri: string, options: ort.InferenceSession.SessionOptions) => {
    const provider = String(options.executionProviders?.[0]);
    const session = await realCreate(uri, { ...options, executionProviders: ['cpu'] });
    if (provider === 'cpu' || behaviour === 'works') return session;
    if (behaviour === 'load-fails') {
      await session.release();
      throw new Error(`simulated: ${provider} provider: libcudnn.so.9: cannot open shared object file`);
    }
    const realRun = session.run.bind(session);
    const run = async (...args: Parameters<typeof session.run>) => {
      if (behaviour === 'run-throws') throw new Error(`simulated: ${provider} kernel MatMulNBits failed: an illegal memory access was encountered`);
      const out = await realRun(...args);
      for (const value of Object.values(out)) if (value.data instanceof Float32Array) value.data.fill(Number.NaN);
      return out;
    };
    return Object.assign(session, { run });
  }) as typeof ort.InferenceSession.create);
}

async function firstLogits(opened: OpenedSession): Promise<Float32Array> {
  const decoder = new Decoder(opened.session, model.spec);
  return (await decoder.step(model.newCache(), [5, 6, 7])).logits;
}

beforeAll(async () => {
  const dir = await writeModelFolder(path.join(root, 'model'));
  model = await loadModel(dir, { device: 'cpu', weights: 'fp32', cacheRoot: path.join(root, 'cache') });
});
afterEach(() => vi.restoreAllMocks());
afterAll(async () => {
  await model?.close();
  fs.rmSync(root, { recursive: true, force: true });
});

describe('falling back from a provider that fails', () => {
  const plan = [
    { provider: 'cuda' as const, skip: null },
    { provider: 'cpu' as const, skip: null },
  ];

  it('falls back to the CPU when the provider loads the model but its first run throws', async () => {
    simulate('run-throws');
    const opened = await openFirstWorking(model.converted.modelPath, plan);
    try {
      expect(opened.provider).toBe('cpu');
      expect(opened.attempts).toEqual([
        { provider: 'cuda', used: false, reason: expect.stringMatching(/^loaded the model but could not run it: simulated: cuda kernel MatMulNBits failed/) },
        { provider: 'cpu', used: true },
      ]);
      expect(opened.note).toMatch(/^cuda loaded the model but could not run it: .*; running on cpu instead\.$/);
      // The session handed back is a working one: the same logits as the model opened on the CPU directly.
      expect(Array.from(await firstLogits(opened))).toEqual(Array.from((await model.decoder.step(model.newCache(), [5, 6, 7])).logits));
    } finally {
      await opened.session.release();
    }
  });

  it('falls back when the provider cannot load the model', async () => {
    simulate('load-fails');
    const opened = await openFirstWorking(model.converted.modelPath, plan);
    await opened.session.release();
    expect(opened.provider).toBe('cpu');
    expect(opened.attempts[0]).toEqual({ provider: 'cuda', used: false, reason: expect.stringMatching(/^could not load the model: simulated: .*libcudnn/) });
    expect(opened.note).toMatch(/cuda could not load the model.*running on cpu instead/);
  });

  it('falls back when the provider runs but returns NaN', async () => {
    simulate('run-gives-nan');
    const opened = await openFirstWorking(model.converted.modelPath, plan);
    await opened.session.release();
    expect(opened.provider).toBe('cpu');
    expect(opened.attempts[0].reason).toMatch(/could not run it: output \S+ holds NaN or infinite values/);
  });

  it('uses a provider that loads and runs, after one test run, with no note', async () => {
    simulate('works');
    const opened = await openFirstWorking(model.converted.modelPath, plan);
    await opened.session.release();
    expect(opened.provider).toBe('cuda');
    expect(opened.attempts).toEqual([{ provider: 'cuda', used: true }]);
    expect(opened.note).toBeNull();
  });

  it('skips providers found unusable without trying them, and says why when none is left', async () => {
    simulate('run-throws');
    const err = await openFirstWorking(model.converted.modelPath, [{ provider: 'dml', skip: 'DirectML exists only on Windows' }, { provider: 'webgpu', skip: null }], {}, 'webgpu').catch((e: unknown) => e);
    expect(isLongreadError(err, 'EXECUTION_PROVIDER')).toBe(true);
    expect((err as Error).message).toMatch(/on webgpu \(dml: DirectML exists only on Windows; webgpu: loaded the model but could not run it: simulated/);
    expect((err as Error).message).not.toMatch(/\n|\bat \S+:\d+/); // one line, no stack
  });

  it('fails a forced provider that cannot run the model at load, not at the first question', async () => {
    simulate('run-throws');
    const err = await loadModel(path.join(root, 'model'), { device: 'webgpu', weights: 'fp32', cacheRoot: path.join(root, 'cache') }).catch((e: unknown) => e);
    expect(isLongreadError(err, 'EXECUTION_PROVIDER')).toBe(true);
    expect((err as Error).message).toMatch(/on webgpu \(webgpu: loaded the model but could not run it: simulated/);
  });
});

describe("what 'auto' tries", () => {
  it('puts WebGPU, the default GPU path, before the CPU on every OS, with only an installed CUDA ahead of it', () => {
    for (const platform of ['linux', 'win32', 'darwin'] as const) {
      const order = autoOrder(platform);
      expect(order.at(-1), platform).toBe('cpu');
      const beforeWebgpu = order.slice(0, order.indexOf('webgpu'));
      expect(beforeWebgpu.filter((p) => p !== 'cuda'), platform).toEqual([]);
    }
    expect(autoOrder('win32')).toContain('dml');
    expect(autoOrder('darwin')).toContain('coreml');
    expect(autoOrder('linux')).not.toContain('dml');
  });

  it('skips CUDA without its provider libraries and WebGPU without a GPU device, saying why', () => {
    const plan = providerPlan('auto');
    expect(plan.at(-1)).toEqual({ provider: 'cpu', skip: null });
    const cudaLibs = path.join(path.dirname(createRequire(import.meta.url).resolve('onnxruntime-node/package.json')), 'bin/napi-v6/linux/x64/libonnxruntime_providers_cuda.so');
    if (process.platform === 'linux' && !fs.existsSync(cudaLibs)) expect(plan.find((c) => c.provider === 'cuda')?.skip).toMatch(/CUDA provider libraries are not installed/);
    if (process.platform === 'linux' && !fs.existsSync('/dev/dri') && !fs.readdirSync('/dev').some((f) => f.startsWith('nvidia'))) {
      expect(plan.find((c) => c.provider === 'webgpu')?.skip).toMatch(/no GPU device node/);
    }
  });
});
