import type { Generation, Source } from '../../common/contract.js';
import type { KvCache } from '../cache/kv-cache.js';
import type { AttentionOps } from '../compaction/attention-ops.js';
import { slotAtPosition } from '../compaction/cache/blocks.js';
import { chatQueryCollector, compactOnline, PROTECTED_RECENT } from '../compaction/cache/online.js';
import type { QueryCollector } from '../compaction/cache/query-collector.js';
import { SourceAttributor } from '../cache/source-attribution.js';
import { generate, type StopReason } from '../generate/generate.js';
import type { LoadedModel } from '../load-model.js';
import type { OperationControl } from '../util/operation.js';
import { turnTemplate } from './chat-turns.js';
import { compactionMethod } from './methods.js';
import { passagesToSources, type TextMap } from './sources.js';

export interface ChatTurnText {
  role: 'user' | 'assistant';
  text: string;
}

/**
 * When the conversation after the document holds more than this many slots per KV head, its older turns are
 * compacted online to a quarter, so a long chat keeps a bounded cache (the positions still count toward the context).
 */
export const CHAT_VERBATIM_SLOTS = 2048;

export interface AnswerOutcome {
  text: string;
  /** Per sentence, the passages it drew on. */
  sources: Source[][];
  tokens: number;
  stopReason: StopReason;
  promptTokens: number;
  prefilledTokens: number;
  prefillMs: number;
  decodeMs: number;
}

/**
 * A conversation about a compacted document: its cache starts as a copy of the document's compacted cache and only
 * ever grows by the new turn's tokens. After the compaction changes (the slider), it is rebuilt from its turns.
 */
export class DocumentChat {
  private cache: KvCache | null = null;
  /** Tokens still to feed before the next question: the end of the last answer and the template's close. */
  private pending: number[] = [];
  /** The conversation's own queries: the reference queries of online compaction. */
  private queries: QueryCollector | null = null;
  /** Online compactions so far (for the meter and tests). */
  compactions = 0;

  constructor(
    private readonly model: LoadedModel,
    /** Where online compaction's heavy products run. */
    private readonly ops: AttentionOps,
    /** Turns already in this conversation (from the library), replayed when the cache is built. */
    private readonly history: ChatTurnText[] = [],
    private readonly verbatimSlots = CHAT_VERBATIM_SLOTS,
  ) {}

  /** The chat's cache (null until the first question). */
  get currentCache(): KvCache | null {
    return this.cache;
  }

  /** Drops the cache: the next question rebuilds it on the new compacted document. */
  invalidate(): void {
    this.cache = null;
    this.pending = [];
    this.queries = null;
  }

  async ask(
    base: KvCache,
    suffixIds: readonly number[],
    question: string,
    generation: Generation,
    map: TextMap,
    control: OperationControl,
    onToken: (text: string, sources?: Source[]) => void,
  ): Promise<AnswerOutcome> {
    const { tokenizer } = this.model;
    const template = turnTemplate(tokenizer, generation.templateVariables ?? {});
    const encode = (text: string) => tokenizer.encode(text, { addSpecialTokens: false });
    let fresh: number[];
    const { spec } = this.model;
    this.queries ??= chatQueryCollector({ numLayers: spec.numLayers, numHeads: spec.numHeads, numKvHeads: spec.numKvHeads, headDim: spec.headDim }, spec.maxPositions);
    if (!this.cache) {
      this.cache = base.clone();
      fresh = [...suffixIds];
      for (const t of this.history) fresh.push(...encode(t.role === 'user' ? template.userTurn(t.text) : t.text + template.assistantClose));
    } else {
      fresh = this.pending;
    }
    fresh = [...fresh, ...encode(template.userTurn(question))];
    const before = this.cache.logicalLength;
    const sources = this.model.decoder.hasAttentionSummary ? new SourceAttributor({ span: map.span }) : undefined;
    const perSentence: Source[][] = [];
    const stream = generate(this.model, this.cache, fresh, {
      maxTokens: generation.maxTokens,
      sampling: generation.sampling,
      stopStrings: generation.stopStrings,
      stopTokenIds: this.model.stopTokenIds,
      isCancelled: () => control.isCancelled(),
      sources,
      onPromptQueries: (q, S, first) => this.queries?.add(q, S, first),
    });
    let r = await stream.next();
    while (!r.done) {
      const mapped = r.value.sources ? passagesToSources(r.value.sources, map) : undefined;
      if (mapped) perSentence.push(mapped);
      if (r.value.text || mapped) onToken(r.value.text, mapped);
      r = await stream.next();
    }
    const summary = r.value;
    // A last sentence without closing punctuation still gets its sources.
    if (sources && summary.text.trim() && !/[.!?…]["'”’)\]]?\s*$/.test(summary.text)) {
      const tail = passagesToSources(sources.takeSentence(), map);
      if (tail.length) {
        perSentence.push(tail);
        onToken('', tail);
      }
    }
    this.history.push({ role: 'user', text: question }, { role: 'assistant', text: summary.text });
    const fed = this.cache.logicalLength - before - fresh.length;
    if (fed < 0) {
      // Cancelled while reading the question: the cache holds part of it; rebuild from the turns next time.
      this.invalidate();
    } else {
      this.pending = [...summary.tokens.slice(fed), ...encode(template.assistantClose)];
      await this.compactOlderTurns(map.span.end + suffixIds.length);
    }
    return {
      text: summary.text,
      sources: perSentence,
      tokens: summary.tokens.length,
      stopReason: summary.stopReason,
      promptTokens: fresh.length + before,
      prefilledTokens: fresh.length,
      prefillMs: summary.prefillMs,
      decodeMs: summary.decodeMs,
    };
  }

  /** Compacts the conversation before the last few tokens once it holds more than `verbatimSlots` per KV head. */
  private async compactOlderTurns(start: number): Promise<void> {
    const cache = this.cache!;
    if (slotsFrom(cache, start) <= this.verbatimSlots || cache.logicalLength - PROTECTED_RECENT - start < 2) return;
    await compactOnline(cache, { start, keepSlots: Math.floor(this.verbatimSlots / 4), method: compactionMethod('am'), ops: this.ops, queries: this.queries! });
    this.compactions++;
  }
}

/** The most slots any (layer, KV head) holds for positions from `position` on (sources ascend within a head). */
function slotsFrom(cache: KvCache, position: number): number {
  let most = 0;
  for (const layer of cache.layers) {
    for (let h = 0; h < layer.kvHeads; h++) {
      const base = h * layer.capacity;
      most = Math.max(most, base + layer.used[h] - slotAtPosition(layer.sources, base, base + layer.used[h], position));
    }
  }
  return most;
}
