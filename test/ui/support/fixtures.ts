import type { CacheStats, DocumentInfo, EngineStatus, HostInfo, ModelInfo, Retention, Settings, ViewInfo } from '../../../common/contract.js';

export const MODEL: ModelInfo = {
  dir: '(embedded)',
  name: 'stories260K',
  isDemo: true,
  architecture: 'LlamaForCausalLM',
  family: 'llama',
  numLayers: 2,
  numHeads: 4,
  numKvHeads: 2,
  headDim: 8,
  vocabSize: 512,
  maxPositions: 512,
  kvBytesPerToken: 128,
  weightsBytes: 1_000_000,
  weights: 'fp32',
  executionProvider: 'cpu',
  providerAttempts: [{ provider: 'cpu', used: true }],
  hasChatTemplate: false,
  convertedNow: false,
};

export const HOST_INFO: HostInfo = { transport: 'http', canOpenDialogs: false, defaultModelDir: null, maxUploadBytes: 1_000_000, version: '0.1.0' };

export const SETTINGS: Settings = { device: 'auto', threads: 0, defaultMethod: 'am', defaultRatio: 0.2, kvBudgetBytes: 512 * 2 ** 20, theme: 'system' };

export const TEXT = 'Alpha beta gamma. Delta epsilon zeta.';

export function documentInfo(change: Partial<DocumentInfo> = {}): DocumentInfo {
  return {
    documentId: 'doc1',
    name: 'notes.txt',
    title: 'Notes',
    format: 'txt',
    fileBytes: TEXT.length,
    chars: TEXT.length,
    tokens: 6,
    parts: [],
    range: null,
    estimate: { prefillTokensPerSec: 100, readSeconds: 0.06, kvBytesFull: 6 * 128, kvBytesAtRatio: 154, ratio: 0.2 },
    fits: true,
    maxTokens: 400,
    maxChars: 1600,
    libraryId: null,
    state: 'opened',
    ...change,
  };
}

export function cache(slots: number): CacheStats {
  return {
    logicalLength: 6,
    slots,
    usedBytes: slots * 32,
    allocatedBytes: slots * 40,
    fullBytes: 6 * 128,
    layers: [
      { slots: Math.ceil(slots / 2), capacity: Math.ceil(slots / 2) + 2 },
      { slots: Math.floor(slots / 2), capacity: Math.ceil(slots / 2) + 2 },
    ],
  };
}

export function view(ratio: number, change: Partial<ViewInfo> = {}): ViewInfo {
  const slots = Math.max(1, Math.round(24 * ratio));
  return {
    documentId: 'doc1',
    method: 'am',
    ratio,
    cache: cache(slots),
    documentTokens: 6,
    documentSlots: slots,
    fidelity: { outputError: 0.1 * (1 - ratio), agreement: 0.9 },
    compactionMs: 12,
    canRecompact: true,
    libraryId: 'lib1',
    ...change,
  };
}

const HEAD_TOKENS = (layer: number, head: number) => [0, 2, 4 + ((layer + head) % 2)];

/** Six tokens over TEXT; with (layer, head) given, that head kept every other token; `allHeads`: every head's. */
export function retention(layer?: number, head?: number, allHeads = false): Retention {
  const offsets = [0, 5, 6, 10, 11, 17, 18, 23, 24, 31, 32, 37];
  return {
    documentId: 'doc1',
    numLayers: 2,
    numKvHeads: 2,
    documentTokens: 6,
    counts: Uint16Array.from([4, 0, 2, 1, 3, 4]),
    charOffsets: Int32Array.from(offsets),
    headSlots: Int32Array.from([3, 3, 4, 4]),
    headMeanBeta: Float32Array.from([0.1, 0.2, -0.1, 0.3]),
    head: layer === undefined || head === undefined ? null : { layer, head, tokens: Int32Array.from(HEAD_TOKENS(layer, head)), beta: Float32Array.from([0.5, 0.25, 0.125]) },
    allHeads: allHeads
      ? {
          offsets: Int32Array.from([0, 3, 6, 9, 12]),
          tokens: Int32Array.from([0, 1, 2, 3].flatMap((i) => HEAD_TOKENS(i >> 1, i & 1))),
          beta: Float32Array.from({ length: 12 }, (_, i) => [0.5, 0.25, 0.125][i % 3]),
        }
      : null,
  };
}

export function status(change: Partial<EngineStatus> = {}): EngineStatus {
  return { model: null, busy: null, documentId: null, cache: null, kvBudgetBytes: 512 * 2 ** 20, rssBytes: 200 * 2 ** 20, decodeMsPerToken: null, notices: [], ...change };
}
