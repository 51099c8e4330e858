import { KvCache } from './cache/kv-cache.js';
import { convertCheckpoint, type ConvertedModel, type ConvertProgress } from './graph/convert.js';
import { type AttentionSummary, DEFAULT_GRAPH_OPTIONS, type WeightFormat } from './graph/decoder-graph.js';
import { openCheckpoint } from './model/checkpoint.js';
import { foreignMessage } from './model/foreign-message.js';
import { specFromConfig } from './model/families/index.js';
import type { ModelSpec } from './model/spec.js';
import { ModelWeights } from './model/weights.js';
import { LongreadError } from './errors.js';
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
  /** onnxruntime profiler trace prefix (see ThreadOptions.profileFilePrefix). */
  profileFilePrefix?: string;
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
  /** Set when a provider that was tried failed (to load or to run the model) and a later one took over. */
  providerNote: string | null;
  converted: ConvertedModel;
  fingerprint: string;
  newCache(): KvCache;
  close(): Promise<void>;
}

/**
 * Opens a Hugging Face model folder: validates it, converts it to our ONNX decoder (or finds the cached conversion)
 * and starts an inference session on the chosen execution provider. Every failure is a LongreadError; one that no
 * check foresaw becomes INTERNAL, naming the folder.
 */
export async function loadModel(dir: string, opts: LoadOptions = {}): Promise<LoadedModel> {
  try {
    return await openModel(dir, opts);
  } catch (e) {
    if (e instanceof LongreadError) throw e;
    throw new LongreadError('INTERNAL', `Loading the model in ${dir} failed unexpectedly: ${foreignMessage(e)}`, { cause: e });
  }
}

/** Every id the tokenizer can produce must index the model's embedding table. */
function checkTokenizerFitsModel(tokenizer: TextTokenizer, spec: ModelSpec, dir: string): void {
  if (tokenizer.vocabSize > spec.vocabSize) {
    throw new LongreadError(
      'TOKENIZER',
      `The tokenizer in ${dir} has token ids up to ${tokenizer.vocabSize - 1}, but config.json gives the model ${spec.vocabSize} ` +
        '(vocab_size); the tokenizer does not belong to this model.',
    );
  }
}

async function openModel(dir: string, opts: LoadOptions): Promise<LoadedModel> {
  const checkpoint = openCheckpoint(dir);
  try {
    const { family, spec } = specFromConfig(checkpoint.config);
    const weights = new ModelWeights(checkpoint, spec, family.naming);
    weights.validate();
    const tokenizer = await loadTokenizer(dir);
    checkTokenizerFitsModel(tokenizer, spec, dir);
    const stopTokenIds = await loadStopTokenIds(dir, tokenizer.eosTokenId);
    const fingerprint = checkpoint.fingerprint();
    const weightFormat = opts.weights ?? DEFAULT_GRAPH_OPTIONS.weights;
    const converted = convertCheckpoint({
      weights,
      spec,
      fingerprint,
      options: {
        weights: weightFormat,
        accuracyLevel: opts.accuracyLevel ?? (weightFormat === 'fp32' ? 0 : DEFAULT_GRAPH_OPTIONS.accuracyLevel),
        attentionSummary: opts.attentionSummary ?? 'none',
      },
      cacheRoot: opts.cacheRoot,
      onProgress: opts.onProgress,
    });
    const opened = await openSession(converted.modelPath, opts.device ?? 'auto', { threads: opts.threads, spin: opts.spin, profileFilePrefix: opts.profileFilePrefix });
    const decoder = new Decoder(opened.session, spec);
    return {
      dir,
      spec,
      tokenizer,
      stopTokenIds: stopTokenIds.length ? stopTokenIds : spec.eosTokenIds,
      decoder,
      executionProvider: opened.provider,
      providerAttempts: opened.attempts,
      providerNote: opened.note,
      converted,
      fingerprint,
      newCache: () => new KvCache({ numLayers: spec.numLayers, numKvHeads: spec.numKvHeads, headDim: spec.headDim }),
      close: () => opened.session.release(),
    };
  } finally {
    checkpoint.close();
  }
}
