import { KvCache } from '../cache/kv-cache.js';
import { LongreadError } from '../errors.js';
import { generate } from '../generate/generate.js';
import { loadModel, type LoadedModel } from '../load-model.js';
import { kvBytesPerToken } from '../model/spec.js';
import { renderChat } from '../tokenizer/index.js';
import type { CacheStatus, GenerateRequest, GenerateResult, LoadRequest, ModelInfo } from './protocol.js';

/**
 * The engine's state inside the host: one model, one cache, and the tokens the cache holds, so that a follow-up
 * chat turn only prefills what is new. Runs wherever it is created (the worker thread in the app).
 */
export class EngineSession {
  private model: LoadedModel | null = null;
  private cache: KvCache | null = null;
  /** Token ids whose K/V rows are in the cache, in order. */
  private cachedTokens: number[] = [];

  async load(req: LoadRequest, onProgress?: (stage: string, done: number, total: number) => void): Promise<ModelInfo> {
    await this.unload();
    const model = await loadModel(req.modelDir, {
      device: req.device,
      weights: req.weights,
      cacheRoot: req.cacheRoot,
      onProgress: (p) => onProgress?.('convert', p.layersDone, p.layersTotal),
    });
    this.model = model;
    this.cache = model.newCache();
    const { spec } = model;
    return {
      dir: model.dir,
      architecture: spec.architecture,
      family: spec.family,
      numLayers: spec.numLayers,
      numHeads: spec.numHeads,
      numKvHeads: spec.numKvHeads,
      headDim: spec.headDim,
      vocabSize: spec.vocabSize,
      maxPositions: spec.maxPositions,
      kvBytesPerToken: kvBytesPerToken(spec),
      weights: model.converted.options.weights,
      executionProvider: model.executionProvider,
      providerAttempts: model.providerAttempts,
      hasChatTemplate: model.tokenizer.chatTemplate !== null,
      convertedNow: !model.converted.cached,
    };
  }

  private require(): { model: LoadedModel; cache: KvCache } {
    if (!this.model || !this.cache) throw new LongreadError('BAD_ARGUMENT', 'No model is loaded');
    return { model: this.model, cache: this.cache };
  }

  private promptIds(model: LoadedModel, req: GenerateRequest): number[] {
    const { tokenizer } = model;
    if (req.messages) {
      const text = renderChat(tokenizer.chatTemplate, {
        messages: req.messages,
        addGenerationPrompt: true,
        bosToken: tokenizer.bosToken,
        eosToken: tokenizer.eosToken,
      });
      return tokenizer.encode(text, { addSpecialTokens: false });
    }
    if (req.prompt === undefined) throw new LongreadError('BAD_ARGUMENT', 'A generate request needs messages or a prompt');
    return tokenizer.encode(req.prompt, { addSpecialTokens: true });
  }

  async generate(req: GenerateRequest, onToken: (text: string, id: number) => void, isCancelled: () => boolean): Promise<GenerateResult> {
    const { model, cache } = this.require();
    const ids = this.promptIds(model, req);
    // Reuse the cache when the new prompt extends what it holds (the next turn of the same chat).
    const reuse = this.cachedTokens.length > 0 && this.cachedTokens.length < ids.length && this.cachedTokens.every((t, i) => ids[i] === t);
    if (!reuse) {
      cache.clear();
      this.cachedTokens = [];
    }
    const fresh = ids.slice(this.cachedTokens.length);
    const stream = generate(model, cache, fresh, {
      maxTokens: req.maxTokens,
      sampling: req.sampling,
      stopStrings: req.stopStrings,
      stopTokenIds: model.stopTokenIds,
      isCancelled,
    });
    let r = await stream.next();
    while (!r.done) {
      if (r.value.text) onToken(r.value.text, r.value.id);
      r = await stream.next();
    }
    const summary = r.value;
    // What was fed to the model is always a prefix of prompt + generated tokens (the last sampled one may not be).
    this.cachedTokens = [...ids, ...summary.tokens].slice(0, cache.logicalLength);
    if (this.cachedTokens.length !== cache.logicalLength) this.cachedTokens = [];
    return {
      text: summary.text,
      tokens: summary.tokens.length,
      stopReason: summary.stopReason,
      promptTokens: ids.length,
      prefilledTokens: fresh.length,
      prefillMs: summary.prefillMs,
      decodeMs: summary.decodeMs,
      executionProvider: model.executionProvider,
    };
  }

  status(): CacheStatus | null {
    if (!this.cache) return null;
    const c = this.cache;
    return { logicalLength: c.logicalLength, slots: c.slotCount(0, 0), usedBytes: c.usedBytes(), allocatedBytes: c.allocatedBytes() };
  }

  reset(): void {
    this.cache?.clear();
    this.cachedTokens = [];
  }

  async unload(): Promise<void> {
    await this.model?.close();
    this.model = null;
    this.cache = null;
    this.cachedTokens = [];
  }
}
