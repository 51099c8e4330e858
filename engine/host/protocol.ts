import type { WeightFormat } from '../graph/decoder-graph.js';
import type { ModelSpec } from '../model/spec.js';
import type { DeviceChoice, ProviderAttempt } from '../runtime/execution-provider.js';
import type { SamplingParams } from '../generate/sampler.js';
import type { StopReason } from '../generate/generate.js';
import type { ErrorCode } from '../errors.js';

/** What the engine host (worker thread) and its clients say to each other. Plain data only (structured clone). */

export interface LoadRequest {
  modelDir: string;
  device?: DeviceChoice;
  weights?: WeightFormat;
  cacheRoot?: string;
}

export type ModelInfo = Pick<
  ModelSpec,
  'architecture' | 'family' | 'numLayers' | 'numHeads' | 'numKvHeads' | 'headDim' | 'vocabSize' | 'maxPositions'
> & {
  dir: string;
  kvBytesPerToken: number;
  weights: WeightFormat;
  executionProvider: string;
  providerAttempts: ProviderAttempt[];
  hasChatTemplate: boolean;
  convertedNow: boolean;
};

export interface ChatTurn {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface GenerateRequest {
  /** A conversation rendered with the model's chat template, or raw text for a base model. */
  messages?: ChatTurn[];
  prompt?: string;
  maxTokens: number;
  sampling?: Partial<SamplingParams>;
  stopStrings?: string[];
}

export interface GenerateResult {
  text: string;
  tokens: number;
  stopReason: StopReason;
  promptTokens: number;
  /** Prompt tokens actually prefilled (the rest were already in the cache from the previous turn). */
  prefilledTokens: number;
  prefillMs: number;
  decodeMs: number;
  executionProvider: string;
}

export interface CacheStatus {
  logicalLength: number;
  slots: number;
  usedBytes: number;
  allocatedBytes: number;
}

export type HostRequest =
  | { id: number; type: 'load'; req: LoadRequest }
  | { id: number; type: 'generate'; req: GenerateRequest }
  | { id: number; type: 'status' }
  | { id: number; type: 'reset' }
  | { id: number; type: 'unload' }
  /** Test hook: the worker exits abruptly, as a native crash would. */
  | { id: number; type: 'crash' };

export type HostEvent =
  | { id: number; type: 'result'; value: unknown }
  | { id: number; type: 'error'; code: ErrorCode; message: string }
  | { id: number; type: 'progress'; stage: string; done: number; total: number }
  | { id: number; type: 'token'; text: string; tokenId: number };
