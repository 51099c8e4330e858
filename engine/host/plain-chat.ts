import type { Answer, CacheStats, ValidRequest } from '../../common/contract.js';
import type { KvCache } from '../cache/kv-cache.js';
import { cacheStats } from '../documents/cache-stats.js';
import { generate } from '../generate/generate.js';
import type { LoadedModel } from '../load-model.js';
import { kvBytesPerToken } from '../model/spec.js';
import { renderChat } from '../tokenizer/index.js';
import type { OperationControl } from '../util/operation.js';
import type { EngineContext } from './engine-service.js';

/**
 * A chat (or raw prompt) without a document. The cache keeps the tokens it holds, so the next turn of the same
 * conversation only prefills what is new.
 */
export class PlainChat {
  private cache: KvCache | null = null;
  /** Token ids whose K/V rows are in the cache, in order. */
  private cachedTokens: number[] = [];
  decodeMsPerToken: number | null = null;

  reset(): void {
    this.cache = null;
    this.cachedTokens = [];
  }

  cacheStats(model: LoadedModel): CacheStats | null {
    return this.cache ? cacheStats(this.cache, kvBytesPerToken(model.spec)) : null;
  }

  async generate(ctx: EngineContext, req: ValidRequest<'generate'>, control: OperationControl): Promise<Answer> {
    const { model } = ctx;
    const ids = promptIds(model, req);
    const cache = (this.cache ??= model.newCache());
    const reuse = this.cachedTokens.length > 0 && this.cachedTokens.length < ids.length && this.cachedTokens.every((t, i) => ids[i] === t);
    if (!reuse) {
      cache.clear();
      this.cachedTokens = [];
    }
    const fresh = ids.slice(this.cachedTokens.length);
    const stream = generate(model, cache, fresh, {
      maxTokens: req.generation.maxTokens,
      sampling: req.generation.sampling,
      stopStrings: req.generation.stopStrings,
      stopTokenIds: model.stopTokenIds,
      isCancelled: () => control.isCancelled(),
      onPrefill: (done, total) => control.progress('prefill', done, total, 'tokens'),
    });
    let r = await stream.next();
    while (!r.done) {
      if (r.value.text) ctx.emit({ type: 'token', operationId: req.operationId, text: r.value.text });
      ctx.pushStatus(true);
      r = await stream.next();
    }
    const summary = r.value;
    // What was fed to the model is always a prefix of prompt + generated tokens (the last sampled one may not be).
    this.cachedTokens = [...ids, ...summary.tokens].slice(0, cache.logicalLength);
    if (this.cachedTokens.length !== cache.logicalLength) this.cachedTokens = [];
    if (summary.tokens.length > 1) this.decodeMsPerToken = summary.decodeMs / (summary.tokens.length - 1);
    return {
      operationId: req.operationId,
      conversationId: null,
      text: summary.text,
      sources: [],
      tokens: summary.tokens.length,
      stopReason: summary.stopReason,
      promptTokens: ids.length,
      prefilledTokens: fresh.length,
      prefillMs: summary.prefillMs,
      decodeMs: summary.decodeMs,
      executionProvider: model.executionProvider,
    };
  }
}

function promptIds(model: LoadedModel, req: ValidRequest<'generate'>): number[] {
  const { tokenizer } = model;
  if (req.messages) {
    const text = renderChat(tokenizer.chatTemplate, {
      messages: req.messages,
      addGenerationPrompt: true,
      bosToken: tokenizer.bosToken,
      eosToken: tokenizer.eosToken,
      extra: req.generation.templateVariables,
    });
    return tokenizer.encode(text, { addSpecialTokens: false });
  }
  return tokenizer.encode(req.prompt!, { addSpecialTokens: true });
}
