import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { webgpuTestsRun } from './webgpu-gate.js';

/**
 * scripts/gpu-bench.sh needs an NVIDIA GPU, which this machine lacks: its arguments, its plan (--dry-run), its fast
 * and clear failures without a GPU, and — with a fake nvidia-smi and Mesa's software Vulkan standing in for the
 * NVIDIA driver — its runs and JSON lines on a tiny synthetic model.
 */
const ROOT = path.resolve(import.meta.dirname, '../..');
const SCRIPT = path.join(ROOT, 'scripts/gpu-bench.sh');
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'longread-gpu-bench-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
}

async function gpuBench(args: string[], env: Record<string, string> = {}): Promise<Outcome> {
  const t0 = performance.now();
  try {
    const { stdout, stderr } = await promisify(execFile)(SCRIPT, args, { env: { ...process.env, ...env }, timeout: 110_000 });
    return { code: 0, stdout, stderr, ms: performance.now() - t0 };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr, ms: performance.now() - t0 };
  }
}

/** A stand-in for nvidia-smi that prints `output` and exits with `code`. */
function fakeNvidiaSmi(name: string, output: string, code: number): string {
  const file = path.join(root, name);
  fs.writeFileSync(file, `#!/bin/sh\necho "${output}"\nexit ${code}\n`, { mode: 0o755 });
  return file;
}

const cudaProviderInstalled = fs.existsSync(path.join(ROOT, 'node_modules/onnxruntime-node/bin/napi-v6/linux/x64/libonnxruntime_providers_cuda.so'));
const nvidiaVulkanInstalled = ['/usr/share/vulkan/icd.d/nvidia_icd.json', '/etc/vulkan/icd.d/nvidia_icd.json'].some((f) => fs.existsSync(f));

describe('scripts/gpu-bench.sh arguments and plan', () => {
  it('prints its usage with --help', async () => {
    const r = await gpuBench(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^scripts\/gpu-bench\.sh \[--budget-s S\]/);
  });

  it.each([
    [['--frobnicate'], /unknown option "--frobnicate"/],
    [['--budget-s', 'soon'], /--budget-s must be a whole number/],
    [['--budget-s'], /--budget-s needs a value/],
    [['--providers', 'cuda,metal'], /--providers takes cuda and webgpu, got "metal"/],
    [['--tokens', '8192,12'], /--tokens takes whole numbers of at least 64, got "12"/],
    [['--models', '../../etc'], /--models takes config folder names/],
  ])('refuses %j with exit status 2 and says why', async (args, message) => {
    const r = await gpuBench(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).toContain('scripts/gpu-bench.sh [--budget-s S]');
  });

  it('plans CUDA and WebGPU for Qwen2.5-1.5B and Qwen3-4B at 8k and 32k, model by model, with --dry-run', async () => {
    const r = await gpuBench(['--dry-run']);
    expect(r.code).toBe(0);
    const runs = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { model: string; provider: string; tokens: number; bench: string; benchRead: string });
    expect(runs).toHaveLength(8);
    const qwen25 = 'synthetic:Qwen--Qwen2.5-1.5B-Instruct';
    const qwen3 = 'synthetic:Qwen--Qwen3-4B';
    expect(runs.map((x) => `${x.model} ${x.tokens} ${x.provider}`)).toEqual([
      `${qwen25} 8192 cuda`,
      `${qwen25} 8192 webgpu`,
      `${qwen25} 32000 cuda`,
      `${qwen25} 32000 webgpu`,
      `${qwen3} 8192 cuda`,
      `${qwen3} 8192 webgpu`,
      `${qwen3} 32000 cuda`,
      `${qwen3} 32000 webgpu`,
    ]);
    for (const x of runs) {
      expect(x.bench).toBe(`longread bench --model ${x.model} --context ${x.tokens} --decode-tokens 16 --chunk 512 --device ${x.provider} --json`);
      expect(x.benchRead).toBe(`longread bench-read --model ${x.model} --tokens ${x.tokens} --ratio 0.2 --recompact 0.1 --device ${x.provider} --json`);
    }
    const one = await gpuBench(['--dry-run', '--providers', 'webgpu', '--models', 'Qwen--Qwen3-4B', '--tokens', '8192']);
    expect(one.stdout.trim().split('\n')).toHaveLength(1);
  });
});

describe('scripts/gpu-bench.sh without what it needs', () => {
  it('fails at once without nvidia-smi', async () => {
    const r = await gpuBench([], { NVIDIA_SMI: path.join(root, 'no-such-nvidia-smi') });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/^gpu-bench\.sh cannot run here: it needs an NVIDIA GPU, and \S+no-such-nvidia-smi is not installed/);
    expect(r.stdout).toBe('');
    expect(r.ms).toBeLessThan(3000);
  });

  it('fails at once when nvidia-smi finds no GPU', async () => {
    const r = await gpuBench([], { NVIDIA_SMI: fakeNvidiaSmi('no-gpu', 'No devices were found', 6) });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/finds none: No devices were found/);
  });

  it.skipIf(cudaProviderInstalled)('sends to install-cuda-provider.sh when the CUDA provider is missing', async () => {
    const r = await gpuBench([], { NVIDIA_SMI: fakeNvidiaSmi('one-gpu', 'GPU 0: NVIDIA H200 (UUID: GPU-fake)', 0) });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/CUDA provider is not installed: run scripts\/install-cuda-provider\.sh/);
  });

  it.skipIf(nvidiaVulkanInstalled)('says WebGPU needs the NVIDIA Vulkan driver when it is missing', async () => {
    const r = await gpuBench(['--providers', 'webgpu'], { NVIDIA_SMI: fakeNvidiaSmi('one-gpu', 'GPU 0: NVIDIA H200 (UUID: GPU-fake)', 0) });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/WebGPU needs the NVIDIA Vulkan driver/);
  });
});

describe.skipIf(!webgpuTestsRun('the gpu-bench.sh run on software Vulkan'))('scripts/gpu-bench.sh runs, with software Vulkan standing in for the GPU', () => {
  const configs = path.join(root, 'configs');
  const env = () => ({
    NVIDIA_SMI: fakeNvidiaSmi('one-gpu', 'GPU 0: NVIDIA H200 (UUID: GPU-fake)', 0),
    NVIDIA_VULKAN_ICD: '/usr/share/vulkan/icd.d/lvp_icd.json',
    LONGREAD_CONFIGS_DIR: configs,
    LONGREAD_CACHE: path.join(root, 'cache'),
  });
  fs.mkdirSync(path.join(configs, 'tiny-qwen3'), { recursive: true });
  fs.writeFileSync(
    path.join(configs, 'tiny-qwen3', 'config.json'),
    JSON.stringify({
      architectures: ['Qwen3ForCausalLM'],
      hidden_size: 64,
      intermediate_size: 128,
      num_hidden_layers: 2,
      num_attention_heads: 4,
      num_key_value_heads: 2,
      head_dim: 16,
      vocab_size: 300,
      max_position_embeddings: 512,
      rms_norm_eps: 1e-6,
      rope_theta: 10000,
      tie_word_embeddings: true,
    }),
  );

  it('prints one JSON line per run with prefill, decode and compaction numbers', async () => {
    const r = await gpuBench(['--providers', 'webgpu', '--models', 'tiny-qwen3', '--tokens', '64,128', '--budget-s', '100'], env());
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(2);
    for (const [i, line] of lines.entries()) {
      expect(line).toMatchObject({ model: 'synthetic:tiny-qwen3', provider: 'webgpu', tokens: [64, 128][i], status: 'ok' });
      for (const k of ['prefillTokensPerSec', 'decodeMsPerToken', 'readAndCompactMs', 'compactMs', 'recompactMs', 'peakRssBytes']) expect(line[k], k).toBeGreaterThan(0);
      expect(line.bench).toMatchObject({ executionProvider: 'webgpu', contextTokens: [64, 128][i] });
      expect(line.benchRead).toMatchObject({ executionProvider: 'webgpu', tokens: [64, 128][i] });
    }
  });

  it('prints a failed run as a JSON line with the reason, and goes on', async () => {
    const r = await gpuBench(['--providers', 'webgpu', '--models', 'tiny-qwen3', '--tokens', '2000,64', '--budget-s', '100'], env());
    expect(r.code).toBe(1);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => [l.tokens, l.status])).toEqual([
      [2000, 'failed'],
      [64, 'ok'],
    ]);
    expect(lines[0].reason).toMatch(/512/);
  });

  it('stops at the end of its time budget and prints the runs left as skipped', async () => {
    const r = await gpuBench(['--providers', 'webgpu', '--models', 'tiny-qwen3', '--tokens', '64,128', '--budget-s', '1'], env());
    expect(r.code).toBe(1);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => l.status)).toEqual(['skipped', 'skipped']);
    expect(lines[0].reason).toBe('the time budget of 1 s was spent');
  });
});
