import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import ort from 'onnxruntime-node';
import { LongreadError } from '../errors.js';
import { foreignMessage } from '../model/foreign-message.js';

export type DeviceChoice = 'auto' | 'cpu' | 'webgpu' | 'cuda' | 'dml' | 'coreml';
export const DEVICE_CHOICES: readonly DeviceChoice[] = ['auto', 'cpu', 'webgpu', 'cuda', 'dml', 'coreml'];

export interface ProviderAttempt {
  provider: Exclude<DeviceChoice, 'auto'>;
  used: boolean;
  /** Why it was skipped or failed; absent for the one used. */
  reason?: string;
}

export interface OpenedSession {
  session: ort.InferenceSession;
  provider: Exclude<DeviceChoice, 'auto'>;
  attempts: ProviderAttempt[];
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
function precheck(provider: Exclude<DeviceChoice, 'auto'>, auto: boolean): string | null {
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

function autoOrder(): Exclude<DeviceChoice, 'auto'>[] {
  if (process.platform === 'win32') return ['cuda', 'dml', 'webgpu', 'cpu'];
  if (process.platform === 'darwin') return ['coreml', 'webgpu', 'cpu'];
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
}

function sessionOptions(provider: Exclude<DeviceChoice, 'auto'>, { threads = cpuThreads(), spin = false }: ThreadOptions): ort.InferenceSession.SessionOptions {
  return {
    executionProviders: [provider],
    graphOptimizationLevel: 'all',
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    logSeverityLevel: 3,
    extra: { session: { intra_op: { allow_spinning: spin ? '1' : '0' } } },
  };
}

/**
 * Opens the model on the requested provider. 'auto' tries what the platform offers and falls back to the CPU,
 * recording why each provider was skipped; a forced provider that fails is an error that says why.
 */
export async function openSession(modelPath: string, device: DeviceChoice, threading: ThreadOptions = {}): Promise<OpenedSession> {
  const order = device === 'auto' ? autoOrder() : [device];
  const attempts: ProviderAttempt[] = [];
  for (const provider of order) {
    const skip = precheck(provider, device === 'auto');
    if (skip) {
      attempts.push({ provider, used: false, reason: skip });
      continue;
    }
    try {
      const session = await ort.InferenceSession.create(modelPath, sessionOptions(provider, threading));
      attempts.push({ provider, used: true });
      return { session, provider, attempts };
    } catch (e) {
      attempts.push({ provider, used: false, reason: foreignMessage(e) });
    }
  }
  const why = attempts.map((a) => `${a.provider}: ${a.reason}`).join('; ');
  throw new LongreadError('EXECUTION_PROVIDER', `Could not start ${modelPath} on ${device === 'auto' ? 'any execution provider' : device} (${why})`);
}
