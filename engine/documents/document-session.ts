import type { DocumentInfo, Method, ViewInfo } from '../../common/contract.js';
import type { KvCache } from '../cache/kv-cache.js';
import { documentPrompt, type DocumentPrompt } from '../compaction/cache/document-prompt.js';
import { LongreadError } from '../errors.js';
import type { AttentionOps } from '../compaction/attention-ops.js';
import type { LoadedModel } from '../load-model.js';
import { kvBytesPerToken } from '../model/spec.js';
import type { OperationControl } from '../util/operation.js';
import type { BlockStore } from './block-store.js';
import { cacheStats, documentSlots } from './cache-stats.js';
import { fidelityOf, type FidelityTally } from './compact-stored.js';
import type { DocumentPart, DocumentText } from './ingest/index.js';
import { compactionMethod } from './methods.js';
import { compactFromStore, readDocument } from './read-document.js';
import { retentionOf } from './retention.js';
import type { TextMap } from './sources.js';
import { tokenCharOffsets } from './token-offsets.js';

/** Positions kept free after the document for the conversation: 512, or a quarter of a short model's context. */
export function answerRoom(maxPositions: number): number {
  return Math.min(512, Math.floor(maxPositions / 4));
}

export interface SourceFile {
  name: string;
  fileBytes: number;
  fileFingerprint: string;
}

export interface CharRange {
  start: number;
  end: number;
}

/** A document as opened: its text (or the chosen range of it), tokens, and where each token is in the text. */
export interface OpenedDocument {
  id: string;
  file: SourceFile;
  doc: DocumentText;
  range: CharRange | null;
  prompt: DocumentPrompt;
  charOffsets: Int32Array;
}

/** What a compaction produced: the cache the chats start from, and its numbers. */
export interface DocumentView {
  method: Method;
  ratio: number;
  /** Template prefix + compacted document; logicalLength = the document's end. */
  base: KvCache;
  fidelity: FidelityTally;
  compactionMs: number;
}

/** The chosen part of the text, with parts clipped and re-based. */
export function selectRange(doc: DocumentText, range: { start?: number; end?: number; firstPage?: number; lastPage?: number } | undefined): { doc: DocumentText; range: CharRange | null } {
  if (!range) return { doc, range: null };
  let start = range.start ?? 0;
  let end = range.end ?? doc.text.length;
  if (range.firstPage !== undefined || range.lastPage !== undefined) {
    const pages = doc.parts.filter((p) => p.kind === 'page');
    if (!pages.length) throw new LongreadError('BAD_ARGUMENT', 'This document has no pages; choose a character range instead');
    const first = range.firstPage ?? 1;
    const last = Math.min(range.lastPage ?? pages.length, pages.length);
    if (first > pages.length) throw new LongreadError('BAD_ARGUMENT', `This document has ${pages.length} pages; page ${first} does not exist`);
    start = pages[first - 1].start;
    end = pages[last - 1].end;
  }
  start = Math.max(0, Math.min(start, doc.text.length));
  end = Math.max(start, Math.min(end, doc.text.length));
  if (end <= start) throw new LongreadError('BAD_ARGUMENT', 'The chosen range holds no text');
  const parts: DocumentPart[] = doc.parts
    .filter((p) => p.end > start && p.start < end)
    .map((p) => ({ ...p, start: Math.max(p.start, start) - start, end: Math.min(p.end, end) - start }));
  return { doc: { ...doc, text: doc.text.slice(start, end), parts }, range: { start, end } };
}

export function openDocument(model: LoadedModel, id: string, file: SourceFile, doc: DocumentText, range: CharRange | null): OpenedDocument {
  const prompt = documentPrompt(model.tokenizer, doc.text);
  const charOffsets = tokenCharOffsets(model.tokenizer, doc.text, prompt.documentIds);
  return { id, file, doc, range, prompt, charOffsets };
}

/** The document's tokens that fit the model with room to answer. */
export function maxDocumentTokens(model: Pick<LoadedModel, 'spec'>, prompt: DocumentPrompt): number {
  return Math.max(0, model.spec.maxPositions - prompt.prefixIds.length - prompt.suffixIds.length - answerRoom(model.spec.maxPositions));
}

export function documentInfo(
  model: LoadedModel,
  opened: OpenedDocument,
  opts: { ratio: number; prefillTokensPerSec: number; libraryId: string | null; state: DocumentInfo['state'] },
): DocumentInfo {
  const { prompt, doc } = opened;
  const tokens = prompt.documentIds.length;
  const perToken = kvBytesPerToken(model.spec);
  const maxTokens = maxDocumentTokens(model, prompt);
  // Too long: exactly the characters the fitting tokens cover (from the token offsets). Fits: an estimate at this
  // document's characters per token of how much longer it could be.
  const maxChars = tokens > maxTokens ? (maxTokens > 0 ? opened.charOffsets[2 * (maxTokens - 1) + 1] : 0) : Math.floor((maxTokens * doc.text.length) / Math.max(1, tokens));
  // Reading = the document plus its repeat pass; compaction adds about a sixth (measured on the demo and Qwen shapes).
  const readSeconds = opts.prefillTokensPerSec > 0 ? (2.2 * tokens) / opts.prefillTokensPerSec : 0;
  return {
    documentId: opened.id,
    name: opened.file.name,
    title: doc.title,
    format: doc.format,
    fileBytes: opened.file.fileBytes,
    chars: doc.text.length,
    tokens,
    parts: doc.parts.map((p) => ({ ...p })),
    range: opened.range,
    estimate: {
      prefillTokensPerSec: opts.prefillTokensPerSec,
      readSeconds,
      kvBytesFull: (prompt.prefixIds.length + tokens) * perToken,
      kvBytesAtRatio: Math.round((prompt.prefixIds.length + opts.ratio * tokens) * perToken),
      ratio: opts.ratio,
    },
    fits: tokens <= maxTokens,
    maxTokens,
    maxChars,
    libraryId: opts.libraryId,
    state: opts.state,
  };
}

/** Refuses a document longer than the model allows, saying how long it is and what fits. */
export function checkFits(model: LoadedModel, opened: OpenedDocument): void {
  const tokens = opened.prompt.documentIds.length;
  const max = maxDocumentTokens(model, opened.prompt);
  if (tokens <= max) return;
  const pages = opened.doc.parts.filter((p) => p.kind === 'page');
  const lastFitting = pages.filter((p) => p.end <= (max / tokens) * opened.doc.text.length).length;
  const hint = pages.length ? ` (about the first ${lastFitting} of ${pages.length} pages)` : ` (about the first ${Math.floor((max / tokens) * opened.doc.text.length).toLocaleString('en-US')} characters)`;
  throw new LongreadError(
    'CONTEXT_TOO_LONG',
    `This document is ${tokens.toLocaleString('en-US')} tokens long; this model reads at most ${max.toLocaleString('en-US')}${hint}. Choose a page or character range, or use a model with a longer context.`,
  );
}

export function textMap(opened: OpenedDocument): TextMap {
  return { span: opened.prompt.span, text: opened.doc.text, charOffsets: opened.charOffsets, parts: opened.doc.parts };
}

/** Reads and compacts; the store goes to `dir`. */
export async function readView(
  model: LoadedModel,
  opened: OpenedDocument,
  opts: { method: Method; ratio: number; dir: string; ops: AttentionOps; kvBudgetBytes: number; onCache?: (cache: KvCache) => void },
  control: OperationControl,
): Promise<{ view: DocumentView; store: BlockStore; readMs: number }> {
  checkFits(model, opened);
  const r = await readDocument(model, opened.prompt, { ...opts, method: compactionMethod(opts.method) }, control);
  return { view: { method: opts.method, ratio: opts.ratio, base: r.cache, fidelity: r.fidelity, compactionMs: r.compactMs }, store: r.store, readMs: r.readMs };
}

export async function recompactView(store: BlockStore, opened: OpenedDocument, opts: { method: Method; ratio: number; ops: AttentionOps }, control: OperationControl): Promise<DocumentView> {
  const t0 = performance.now();
  const r = await compactFromStore(store, opened.prompt.span, { method: compactionMethod(opts.method), ratio: opts.ratio, ops: opts.ops }, control);
  return { method: opts.method, ratio: opts.ratio, base: r.cache, fidelity: r.fidelity, compactionMs: performance.now() - t0 };
}

export function viewInfo(model: LoadedModel, opened: OpenedDocument, view: DocumentView, extra: { canRecompact: boolean; libraryId: string | null; cache?: KvCache }): ViewInfo {
  const span = opened.prompt.span;
  return {
    documentId: opened.id,
    method: view.method,
    ratio: view.ratio,
    cache: cacheStats(extra.cache ?? view.base, kvBytesPerToken(model.spec)),
    documentTokens: span.end - span.start,
    documentSlots: documentSlots(view.base, span),
    fidelity: fidelityOf(view.fidelity),
    compactionMs: view.compactionMs,
    canRecompact: extra.canRecompact,
    libraryId: extra.libraryId,
  };
}

export function viewRetention(opened: OpenedDocument, view: DocumentView, chosen?: { layer: number; head: number }, allHeads = false) {
  return retentionOf(view.base, opened.prompt.span, opened.charOffsets, opened.id, chosen, allHeads);
}
