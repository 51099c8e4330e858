import { KvCache } from './cache/kv-cache.js';
import { convertCheckpoint, type ConvertedModel, type ConvertProgress } from './graph/convert.js';
import { type AttentionSummary, DEFAULT_GRAPH_OPTIONS, type WeightFormat } from './graph/decoder-graph.js';
import { openCheckpoint } from './model/checkpoint.js';
import { specFromConfig } from './model/families/index.js';
import type { ModelSpec } from './model/spec.js';
import { ModelWeights } from './model/weights.js';
import { Decoder } from './runtime/decoder.js';
import { type DeviceChoice, openSession, type ProviderAttempt } from './runtime/execution-provider.js';
import { loadStopTokenIds, loadTokenizer, type TextTokenizer } from './tokenizer/index.js';

export interface LoadOptions {
  device?: DeviceChoice;
  weights?: WeightFormat;
  accuracyLevel?: number;
  attentionSummary?: AttentionSummary;
  cacheRoot?: string;
  threads?: number;
  /** Spin-waiting intra-op threads (see ThreadOptions). */
  spin?: boolean;
  onProgress?: (p: ConvertProgress) => void;
}

export interface LoadedModel {
  dir: string;
  spec: ModelSpec;
  tokenizer: TextTokenizer;
  stopTokenIds: number[];
  decoder: Decoder;
  executionProvider: string;
  providerAttempts: ProviderAttempt[];
  converted: ConvertedModel;
  fingerprint: string;
  newCache(): KvCache;
  close(): Promise<void>;
}

/**
 * Opens a Hugging Face model folder: validates it, converts it to our ONNX decoder (or finds the cached conversion)
 * and starts an inference session on the chosen execution provider.
 */
export async function loadModel(dir: string, opts: LoadOptions = {}): Promise<LoadedModel> {
  const checkpoint = openCheckpoint(dir);
  try {
    const { family, spec } = specFromConfig(checkpoint.config);
    const weights = new ModelWeights(checkpoint, spec, family.naming);
    weights.validate();
    const tokenizer = await loadTokenizer(dir);
    const stopTokenIds = await loadStopTokenIds(dir, tokenizer.eosTokenId);
    const fingerprint = checkpoint.fingerprint();
    const weightFormat = opts.weights ?? DEFAULT_GRAPH_OPTIONS.weights;
    const converted = convertCheckpoint({
      weights,
      spec,
      fingerprint,
      options: {
        weights: weightFormat,
        accuracyLevel: opts.accuracyLevel ?? (weightFormat === 'q4' ? DEFAULT_GRAPH_OPTIONS.accuracyLevel : 0),
        attentionSummary: opts.attentionSummary ?? 'none',
      },
      cacheRoot: opts.cacheRoot,
      onProgress: opts.onProgress,
    });
    const opened = await openSession(converted.modelPath, opts.device ?? 'auto', { threads: opts.threads, spin: opts.spin });
    const decoder = new Decoder(opened.session, spec);
    return {
      dir,
      spec,
      tokenizer,
      stopTokenIds: stopTokenIds.length ? stopTokenIds : spec.eosTokenIds,
      decoder,
      executionProvider: opened.provider,
      providerAttempts: opened.attempts,
      converted,
      fingerprint,
      newCache: () => new KvCache({ numLayers: spec.numLayers, numKvHeads: spec.numKvHeads, headDim: spec.headDim }),
      close: () => opened.session.release(),
    };
  } finally {
    checkpoint.close();
  }
}
