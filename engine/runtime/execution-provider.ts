import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import ort from 'onnxruntime-node';
import { LongreadError } from '../errors.js';
import { foreignMessage } from '../model/foreign-message.js';

export type DeviceChoice = 'auto' | 'cpu' | 'webgpu' | 'cuda' | 'dml' | 'coreml';
export const DEVICE_CHOICES: readonly DeviceChoice[] = ['auto', 'cpu', 'webgpu', 'cuda', 'dml', 'coreml'];

type Provider = Exclude<DeviceChoice, 'auto'>;

export interface ProviderAttempt {
  provider: Provider;
  used: boolean;
  /** Why it was skipped or failed; absent for the one used. */
  reason?: string;
}

export interface OpenedSession {
  session: ort.InferenceSession;
  provider: Provider;
  attempts: ProviderAttempt[];
  /** Set when a provider that was tried failed and a later one took over: what happened, for a person. */
  note: string | null;
}

function ortBinaryDir(): string | null {
  try {
    const require = createRequire(import.meta.url);
    const pkg = path.dirname(require.resolve('onnxruntime-node/package.json'));
    return path.join(pkg, 'bin', 'napi-v6', process.platform, process.arch);
  } catch {
    return null;
  }
}

/** Reasons a provider cannot work here, found without trying it; null when it is worth a try. */
function precheck(provider: Provider, auto: boolean): string | null {
  switch (provider) {
    case 'cpu':
      return null;
    case 'cuda': {
      if (process.platform !== 'linux' && process.platform !== 'win32') return `CUDA is not available on ${process.platform}`;
      const dir = ortBinaryDir();
      const lib = process.platform === 'win32' ? 'onnxruntime_providers_cuda.dll' : 'libonnxruntime_providers_cuda.so';
      if (!dir || !fs.existsSync(path.join(dir, lib))) {
        return `CUDA provider libraries are not installed (${lib} not found next to onnxruntime-node; it is a separate download)`;
      }
      return null;
    }
    case 'dml':
      return process.platform === 'win32' ? null : 'DirectML exists only on Windows';
    case 'coreml':
      return process.platform === 'darwin' ? null : 'CoreML exists only on macOS';
    case 'webgpu':
      // Only 'auto' avoids a software adapter; a forced webgpu runs wherever Dawn finds one (e.g. Mesa lavapipe).
      if (auto && process.platform === 'linux' && !hasLinuxGpuNode()) {
        return 'no GPU device node (/dev/dri/renderD* or /dev/nvidia*) found; a software Vulkan adapter would be slower than the CPU';
      }
      return null;
  }
}

function hasLinuxGpuNode(): boolean {
  const has = (dir: string, prefix: string) => {
    try {
      return fs.readdirSync(dir).some((f) => f.startsWith(prefix));
    } catch {
      return false;
    }
  };
  return has('/dev/dri', 'renderD') || has('/dev', 'nvidia');
}

/**
 * What 'auto' tries, in order. WebGPU is the default GPU path on every OS. CUDA comes before it where its provider
 * libraries are installed (a separate, opt-in download: scripts/install-cuda-provider.sh). The platform's own API
 * (DirectML, CoreML) is tried when WebGPU cannot load or run the model, and the CPU always last.
 */
export function autoOrder(platform: NodeJS.Platform = process.platform): Provider[] {
  if (platform === 'win32') return ['cuda', 'webgpu', 'dml', 'cpu'];
  if (platform === 'darwin') return ['webgpu', 'coreml', 'cpu'];
  return ['cuda', 'webgpu', 'cpu'];
}

export function cpuThreads(): number {
  return Math.max(1, os.availableParallelism());
}

export interface ThreadOptions {
  /** Intra-op threads; default: every core. */
  threads?: number;
  /**
   * Let idle intra-op threads spin instead of sleeping. Off by default: spinning threads burn the cores they wait on,
   * and with anything else running (the app's own UI, a browser) they starve each other — on the 2-core development
   * machine under load, decode took 56 ms/token spinning vs 32 without. On an otherwise idle machine spinning is ~5%
   * faster.
   */
  spin?: boolean;
  /** Turns on onnxruntime's profiler; its JSON trace is written to `<prefix>_<timestamp>.json` (see endProfiling). */
  profileFilePrefix?: string;
}

function sessionOptions(provider: Provider, { threads = cpuThreads(), spin = false, profileFilePrefix }: ThreadOptions): ort.InferenceSession.SessionOptions {
  return {
    ...(profileFilePrefix ? { enableProfiling: true, profileFilePrefix } : {}),
    executionProviders: [provider],
    graphOptimizationLevel: 'all',
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    logSeverityLevel: 3,
    extra: { session: { intra_op: { allow_spinning: spin ? '1' : '0' } } },
  };
}

export interface ProviderCandidate {
  provider: Provider;
  /** Why it is not worth trying here (found without trying it); null: try it. */
  skip: string | null;
}

/** The providers to try for a device choice, each with the reason it will be skipped, if any. */
export function providerPlan(device: DeviceChoice): ProviderCandidate[] {
  const order = device === 'auto' ? autoOrder() : [device];
  return order.map((provider) => ({ provider, skip: precheck(provider, device === 'auto') }));
}

/**
 * Opens the model on the requested provider. 'auto' tries what the platform offers and falls back to the CPU,
 * recording why each provider was skipped; a forced provider that fails is an error that says why.
 */
export function openSession(modelPath: string, device: DeviceChoice, threading: ThreadOptions = {}): Promise<OpenedSession> {
  return openFirstWorking(modelPath, providerPlan(device), threading, device === 'auto' ? 'any execution provider' : device);
}

/**
 * Opens the model on the first provider of the plan that both loads it and runs it once: a GPU provider can create a
 * session and still fail on the first run (a kernel it lacks, a driver that rejects a shader, out of device memory),
 * and that must fall back like a failed load rather than fail the first question. The CPU is not test-run: nothing
 * comes after it.
 */
export async function openFirstWorking(modelPath: string, plan: readonly ProviderCandidate[], threading: ThreadOptions = {}, wanted = 'any execution provider'): Promise<OpenedSession> {
  const attempts: ProviderAttempt[] = [];
  /** Providers that were tried and failed (not those skipped without trying, such as an uninstalled CUDA). */
  const failed: string[] = [];
  const fail = (provider: Provider, reason: string) => {
    attempts.push({ provider, used: false, reason });
    failed.push(`${provider} ${reason}`);
  };
  for (const { provider, skip } of plan) {
    if (skip) {
      attempts.push({ provider, used: false, reason: skip });
      continue;
    }
    let session: ort.InferenceSession;
    try {
      session = await ort.InferenceSession.create(modelPath, sessionOptions(provider, threading));
    } catch (e) {
      fail(provider, `could not load the model: ${foreignMessage(e)}`);
      continue;
    }
    if (provider !== 'cpu') {
      try {
        await runOnce(session);
      } catch (e) {
        fail(provider, `loaded the model but could not run it: ${foreignMessage(e)}`);
        await session.release().catch(() => undefined);
        continue;
      }
    }
    attempts.push({ provider, used: true });
    return { session, provider, attempts, note: failed.length ? `${failed.join('; ')}; running on ${provider} instead.` : null };
  }
  const why = attempts.map((a) => `${a.provider}: ${a.reason}`).join('; ');
  throw new LongreadError('EXECUTION_PROVIDER', `Could not start ${modelPath} on ${wanted} (${why})`);
}

/** Zero-filled inputs per tensor type; a graph opened here takes numeric inputs only. */
const ZERO_DATA: Partial<Record<ort.Tensor.Type, (n: number) => ort.Tensor.DataType>> = {
  float32: (n) => new Float32Array(n),
  float16: (n) => new Uint16Array(n),
  int64: (n) => new BigInt64Array(n),
  int32: (n) => new Int32Array(n),
  uint8: (n) => new Uint8Array(n),
  int8: (n) => new Int8Array(n),
  bool: (n) => new Uint8Array(n),
};

/**
 * Runs the graph once on the smallest input it takes: every symbolic dimension 1, every value 0 (for the decoder: one
 * token at position 0 over one empty cache slot). Throws when the provider cannot run it or returns non-finite
 * floats, which would make every answer garbage.
 */
async function runOnce(session: ort.InferenceSession): Promise<void> {
  const feeds: Record<string, ort.Tensor> = {};
  for (const input of session.inputMetadata) {
    if (!input.isTensor) throw new Error(`input ${input.name} is not a tensor`);
    const zeros = ZERO_DATA[input.type];
    if (!zeros) throw new Error(`input ${input.name} has type ${input.type}, which the test run cannot fill`);
    const dims = input.shape.map((d) => (typeof d === 'number' && d > 0 ? d : 1));
    feeds[input.name] = new ort.Tensor(input.type, zeros(dims.reduce((a, b) => a * b, 1)), dims);
  }
  const outputs = await session.run(feeds);
  for (const [name, value] of Object.entries(outputs)) {
    if (!allFinite(value)) throw new Error(`output ${name} holds NaN or infinite values`);
  }
}

/** Whether a float output holds only finite values (fp16 ones checked on their bits: all-ones exponent). */
function allFinite(t: ort.Tensor): boolean {
  if (t.type === 'float32') return (t.data as Float32Array).every(Number.isFinite);
  if (t.type !== 'float16') return true;
  const data = t.data as ArrayBufferView & { length: number };
  return new Uint16Array(data.buffer, data.byteOffset, data.length).every((h) => (h & 0x7c00) !== 0x7c00);
}

/** One line for a person: the provider used, and why each one before it was not (`cpu (webgpu: no GPU device)`). */
export function describeProviders(used: string, attempts: readonly ProviderAttempt[]): string {
  const skipped = attempts.filter((a) => !a.used && a.reason).map((a) => `${a.provider}: ${a.reason}`);
  return skipped.length ? `${used} (${skipped.join('; ')})` : used;
}
