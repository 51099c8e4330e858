import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { CatalogEntry } from '../../common/contract.js';
import { LongreadError } from '../errors.js';
import { downloadModel } from '../model/hub-download.js';
import type { OperationControl } from '../util/operation.js';

interface KnownModel {
  repo: string;
  name: string;
  parameters: string;
  /** Parameters, for the in-memory size of 4-bit weights. */
  params: number;
  downloadBytes: number;
  contextLength: number;
  /** K+V bytes per token as the cache holds them, fp16 (layers × KV heads × head dim × 2 × 2). */
  kvBytesPerToken: number;
}

/** Chat models Longread reads documents with (the shapes of ../shared/models/configs). */
const KNOWN: readonly KnownModel[] = [
  { repo: 'Qwen/Qwen2.5-0.5B-Instruct', name: 'Qwen2.5 0.5B Instruct', parameters: '0.5B', params: 0.49e9, downloadBytes: 988_097_824, contextLength: 32768, kvBytesPerToken: 24 * 2 * 64 * 4 },
  { repo: 'Qwen/Qwen2.5-1.5B-Instruct', name: 'Qwen2.5 1.5B Instruct', parameters: '1.5B', params: 1.54e9, downloadBytes: 3_087_467_144, contextLength: 32768, kvBytesPerToken: 28 * 2 * 128 * 4 },
  { repo: 'Qwen/Qwen3-0.6B', name: 'Qwen3 0.6B', parameters: '0.6B', params: 0.6e9, downloadBytes: 1_503_300_328, contextLength: 40960, kvBytesPerToken: 28 * 8 * 128 * 4 },
  { repo: 'Qwen/Qwen3-1.7B', name: 'Qwen3 1.7B', parameters: '1.7B', params: 1.7e9, downloadBytes: 4_063_000_000, contextLength: 40960, kvBytesPerToken: 28 * 8 * 128 * 4 },
  { repo: 'Qwen/Qwen3-4B', name: 'Qwen3 4B', parameters: '4B', params: 4.0e9, downloadBytes: 8_045_000_000, contextLength: 40960, kvBytesPerToken: 36 * 8 * 128 * 4 },
  { repo: 'meta-llama/Llama-3.2-1B-Instruct', name: 'Llama 3.2 1B Instruct', parameters: '1.2B', params: 1.24e9, downloadBytes: 2_471_645_608, contextLength: 131072, kvBytesPerToken: 16 * 8 * 64 * 4 },
  { repo: 'HuggingFaceTB/SmolLM2-360M-Instruct', name: 'SmolLM2 360M Instruct', parameters: '360M', params: 0.36e9, downloadBytes: 723_674_912, contextLength: 8192, kvBytesPerToken: 32 * 5 * 64 * 4 },
];

const modelsDir = (dataDir: string) => path.join(dataDir, 'models');
const localDirOf = (dataDir: string, repo: string) => path.join(modelsDir(dataDir), repo.replace('/', '--'));

/** Weights at 4 bits plus a 32k-token document's KV cache at the default ratio, against 60% of this machine's memory. */
function fitsMemory(m: KnownModel): boolean {
  const weights = m.params * 0.6;
  const kv = Math.min(32768, m.contextLength) * m.kvBytesPerToken * 0.25;
  return weights + kv < os.totalmem() * 0.6;
}

export function catalogEntries(dataDir: string): CatalogEntry[] {
  return KNOWN.map((m) => {
    const dir = localDirOf(dataDir, m.repo);
    return {
      repo: m.repo,
      name: m.name,
      parameters: m.parameters,
      downloadBytes: m.downloadBytes,
      contextLength: m.contextLength,
      fitsMemory: fitsMemory(m),
      localDir: fs.existsSync(path.join(dir, 'config.json')) ? dir : null,
    };
  });
}

/** Downloads a model into the data folder (resumable, checksummed), reporting bytes; cancellable. */
export async function downloadCatalogModel(repo: string, dataDir: string, control: OperationControl): Promise<{ modelDir: string }> {
  const abort = new AbortController();
  const dir = localDirOf(dataDir, repo);
  let finished = false;
  const download = downloadModel({
    repo,
    dir,
    endpoint: process.env.HF_ENDPOINT,
    token: process.env.HF_TOKEN,
    signal: abort.signal,
    onProgress: (p) => p.overallTotal !== null && control.progress('download', p.overallDone, p.overallTotal, 'bytes'),
  }).finally(() => (finished = true));
  while (!finished) {
    if (await control.isCancelled()) abort.abort();
    await Promise.race([download.catch(() => undefined), new Promise((r) => setTimeout(r, 200))]);
  }
  try {
    await download;
  } catch (e) {
    if (abort.signal.aborted) throw new LongreadError('CANCELLED', 'The download was cancelled; starting it again resumes where it stopped');
    throw e;
  }
  return { modelDir: dir };
}
