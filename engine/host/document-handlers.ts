import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Answer, CacheStats, Conversation, DocumentInfo, LibraryEntry, Retention, Source, ValidRequest, ViewInfo } from '../../common/contract.js';
import type { KvCache } from '../cache/kv-cache.js';
import { LongreadError } from '../errors.js';
import { cacheStats } from '../documents/cache-stats.js';
import { compactStoredChunk, emptyTally, addTally, fidelityOf } from '../documents/compact-stored.js';
import { DocumentChat } from '../documents/document-chat.js';
import { documentInfo, openDocument, readView, recompactView, selectRange, textMap, viewInfo, viewRetention, type DocumentView, type OpenedDocument } from '../documents/document-session.js';
import { ingestFile } from '../documents/ingest/index.js';
import { compactionMethod } from '../documents/methods.js';
import { loadSavedDocument, saveDocumentFiles, saveViewCache, SAVED_FILES } from '../documents/saved-document.js';
import type { BlockStore } from '../documents/block-store.js';
import type { Conversation as StoredConversation } from '../library/index.js';
import { kvBytesPerToken } from '../model/spec.js';
import type { EngineContext } from './engine-service.js';

/** The question behind Summarize. */
export const SUMMARY_QUESTION = 'Summarize the document above: its main points, in a few short paragraphs, in the order they appear.';

interface ChatEntry {
  chat: DocumentChat;
  conversation: StoredConversation;
}

interface Session {
  opened: OpenedDocument;
  view: DocumentView | null;
  store: BlockStore | null;
  libraryId: string | null;
  chats: Map<string, ChatEntry>;
  /** The conversation asked last (its cache is what the meter shows). */
  activeChat: string | null;
  /** The cache while the document is being read. */
  reading: KvCache | null;
}

/** The document operations: open, read, move the ratio, retention, ask, and the library. */
export class DocumentHandlers {
  private readonly sessions = new Map<string, Session>();
  private active: string | null = null;
  decodeMsPerToken: number | null = null;

  constructor(private readonly context: () => EngineContext) {}

  closeAll(): void {
    this.sessions.clear();
    this.active = null;
  }

  private session(id: string): Session {
    const s = this.sessions.get(id);
    if (!s) throw new LongreadError('NOT_FOUND', `No open document ${id}; open it again`);
    this.active = id;
    return s;
  }

  private readySession(id: string): Session & { view: DocumentView } {
    const s = this.session(id);
    if (!s.view) throw new LongreadError('BAD_ARGUMENT', 'This document has not been read yet; read it first');
    return s as Session & { view: DocumentView };
  }

  activeCache(): { documentId: string; stats: CacheStats } | null {
    const s = this.active ? this.sessions.get(this.active) : undefined;
    const perToken = kvBytesPerToken(this.context().model.spec);
    if (s?.reading) return { documentId: s.opened.id, stats: cacheStats(s.reading, perToken) };
    if (!s?.view) return null;
    const chat = s.activeChat ? s.chats.get(s.activeChat)?.chat.currentCache : null;
    return { documentId: s.opened.id, stats: cacheStats(chat ?? s.view.base, perToken) };
  }

  private info(s: Session): DocumentInfo {
    const ctx = this.context();
    const ratio = s.view?.ratio ?? ctx.library.getSettings().defaultRatio;
    return documentInfo(ctx.model, s.opened, { ratio, prefillTokensPerSec: ctx.prefillTokensPerSec, libraryId: s.libraryId, state: s.view ? 'ready' : 'opened' });
  }

  private view(s: Session & { view: DocumentView }): ViewInfo {
    const chat = s.activeChat ? s.chats.get(s.activeChat)?.chat.currentCache : null;
    return viewInfo(this.context().model, s.opened, s.view, { canRecompact: s.store !== null, libraryId: s.libraryId, cache: chat ?? undefined });
  }

  open(r: ValidRequest<'openDocument'>): Promise<DocumentInfo> {
    const ctx = this.context();
    return ctx.runner.run(r.operationId, 'openDocument', async (control) => {
      if (!('path' in r.source)) throw new LongreadError('BAD_ARGUMENT', 'Uploads are resolved by the host; the engine reads files by path');
      const file = r.source.path;
      const abort = new AbortController();
      const watch = setInterval(() => void control.isCancelled().then((c) => c && abort.abort()), 200);
      let doc;
      try {
        doc = await ingestFile(file, { signal: abort.signal, onProgress: (done, total) => control.progress('parse', done, total, 'pages') });
      } finally {
        clearInterval(watch);
      }
      const bytes = fs.statSync(file).size;
      const selected = selectRange(doc, r.range);
      const fingerprint = fileFingerprint(file, selected.range);
      const id = randomUUID();
      const opened = openDocument(ctx.model, id, { name: r.name ?? path.basename(file), fileBytes: bytes, fileFingerprint: fingerprint }, selected.doc, selected.range);
      control.progress('tokenize', opened.prompt.documentIds.length, opened.prompt.documentIds.length, 'tokens');
      const saved = ctx.library.findDocument(fingerprint, ctx.model.fingerprint);
      const s: Session = { opened, view: null, store: null, libraryId: saved?.id ?? null, chats: new Map(), activeChat: null, reading: null };
      this.sessions.set(id, s);
      this.active = id;
      return this.info(s);
    });
  }

  read(r: ValidRequest<'readDocument'>): Promise<ViewInfo> {
    const ctx = this.context();
    const s = this.session(r.documentId);
    return ctx.runner.run(r.operationId, 'readDocument', async (control) => {
      const settings = ctx.library.getSettings();
      const { opened } = s;
      const record = ctx.library.createDocument({
        id: randomUUID(),
        state: 'reading',
        name: opened.file.name,
        title: opened.doc.title,
        format: opened.doc.format,
        fileFingerprint: opened.file.fileFingerprint,
        fileBytes: opened.file.fileBytes,
        tokenCount: opened.prompt.documentIds.length,
        modelFingerprint: ctx.model.fingerprint,
        modelName: path.basename(ctx.model.dir),
        method: r.method,
        ratio: r.ratio,
        files: {},
      });
      const dir = ctx.library.documentDir(record.id);
      try {
        const onCache = (cache: KvCache) => (s.reading = cache);
        const { view, store, readMs } = await readView(ctx.model, opened, { method: r.method, ratio: r.ratio, dir, ops: ctx.ops, kvBudgetBytes: r.kvBudgetBytes ?? settings.kvBudgetBytes, onCache }, control).finally(() => (s.reading = null));
        // The read prefills the document twice (its own pass and the repeat pass).
        ctx.recordPrefill(2 * opened.prompt.documentIds.length, readMs);
        control.progress('save', 0, 1, 'blocks');
        saveDocumentFiles(dir, opened);
        saveViewCache(dir, ctx.model, opened, view, ctx.tokenizerFingerprint);
        ctx.library.updateDocument(record.id, { state: 'ready', files: { ...SAVED_FILES } });
        control.progress('save', 1, 1, 'blocks');
        s.view = view;
        s.store = store;
        s.libraryId = record.id;
        for (const c of s.chats.values()) c.chat.invalidate();
        return this.view(s as Session & { view: DocumentView });
      } catch (e) {
        ctx.library.deleteDocument(record.id);
        throw e;
      }
    });
  }

  setRatio(r: ValidRequest<'setRatio'>): Promise<ViewInfo> {
    const ctx = this.context();
    const s = this.readySession(r.documentId);
    return ctx.runner.run(
      r.operationId,
      'setRatio',
      async (control) => {
        if (!s.store) {
          throw new LongreadError('BAD_ARGUMENT', 'Moving the slider needs this document read again: its prepared state was not kept. Read it again to change the ratio.');
        }
        const view = await recompactView(s.store, s.opened, { method: r.method, ratio: r.ratio, ops: ctx.ops }, control);
        s.view = view;
        for (const c of s.chats.values()) c.chat.invalidate();
        if (s.libraryId) {
          saveViewCache(ctx.library.documentDir(s.libraryId), ctx.model, s.opened, view, ctx.tokenizerFingerprint);
          ctx.library.updateDocument(s.libraryId, { method: r.method, ratio: r.ratio });
        }
        return this.view(s as Session & { view: DocumentView });
      },
      { supersedeKey: `ratio:${r.documentId}` },
    );
  }

  /** The estimate at several ratios from a sample of blocks (every fourth layer, first KV head). */
  fidelityCurve(r: ValidRequest<'fidelityCurve'>): Promise<{ ratio: number; outputError: number; agreement: number }[]> {
    const ctx = this.context();
    const s = this.readySession(r.documentId);
    return ctx.runner.run(
      r.operationId,
      'fidelityCurve',
      async (control) => {
        const store = s.store;
        if (!store) throw new LongreadError('BAD_ARGUMENT', 'The fidelity curve needs the prepared state; read the document again');
        const method = compactionMethod(r.method);
        const points = [];
        for (const [i, ratio] of r.ratios.entries()) {
          let tally = emptyTally();
          for (let c = 0; c < store.chunkCount; c++) {
            if (await control.isCancelled()) throw new LongreadError('CANCELLED', 'Cancelled');
            const part = await compactStoredChunk(store, c, { method, ratio, ops: ctx.ops, sample: (layer, head) => layer % 4 === 0 && head === 0 });
            tally = addTally(tally, part.fidelity);
          }
          points.push({ ratio, ...fidelityOf(tally) });
          control.progress('recompact', i + 1, r.ratios.length, 'blocks');
        }
        return points;
      },
      { supersedeKey: `curve:${r.documentId}` },
    );
  }

  retention(r: ValidRequest<'retention'>): Retention {
    const s = this.readySession(r.documentId);
    const chosen = r.layer !== undefined && r.head !== undefined ? { layer: r.layer, head: r.head } : undefined;
    return viewRetention(s.opened, s.view, chosen, r.allHeads ?? false);
  }

  text(r: ValidRequest<'documentText'>) {
    const s = this.session(r.documentId);
    return { documentId: s.opened.id, text: s.opened.doc.text, parts: s.opened.doc.parts.map((p) => ({ ...p })) };
  }

  close(r: ValidRequest<'closeDocument'>): null {
    this.sessions.delete(r.documentId);
    if (this.active === r.documentId) this.active = null;
    return null;
  }

  /** `question` null: summarize. */
  ask(r: ValidRequest<'ask'> | ValidRequest<'summarize'>, question: string | null): Promise<Answer> {
    const ctx = this.context();
    const s = this.readySession(r.documentId);
    const asked = question ?? SUMMARY_QUESTION;
    return ctx.runner.run(r.operationId, question === null ? 'summarize' : 'ask', async (control) => {
      const entry = this.chatEntry(s, r.conversationId, asked);
      s.activeChat = entry.conversation.id;
      const outcome = await entry.chat.ask(s.view!.base, s.opened.prompt.suffixIds, asked, r.generation, textMap(s.opened), control, (text, sources) => {
        ctx.emit({ type: 'token', operationId: r.operationId, text, ...(sources ? { sources } : {}) });
        ctx.pushStatus(true);
      });
      if (outcome.tokens > 1) this.decodeMsPerToken = outcome.decodeMs / (outcome.tokens - 1);
      const now = new Date().toISOString();
      entry.conversation.turns.push(
        { role: 'user', text: question ?? 'Summarize the document.', kind: question === null ? 'summarize' : 'ask', createdAt: now },
        { role: 'assistant', text: outcome.text, sources: outcome.sources.map((ss) => ss.map(({ start, end, label, weight }) => ({ start, end, weight, ...(label !== null ? { label } : {}) }))), createdAt: now },
      );
      entry.conversation.updatedAt = now;
      if (s.libraryId) ctx.library.putConversation(entry.conversation);
      return {
        operationId: r.operationId,
        conversationId: entry.conversation.id,
        text: outcome.text,
        sources: outcome.sources,
        tokens: outcome.tokens,
        stopReason: outcome.stopReason,
        promptTokens: outcome.promptTokens,
        prefilledTokens: outcome.prefilledTokens,
        prefillMs: outcome.prefillMs,
        decodeMs: outcome.decodeMs,
        executionProvider: ctx.model.executionProvider,
      };
    });
  }

  private chatEntry(s: Session, conversationId: string | undefined, question: string): ChatEntry {
    const ctx = this.context();
    if (conversationId) {
      const known = s.chats.get(conversationId);
      if (known) return known;
      if (!s.libraryId) throw new LongreadError('NOT_FOUND', `No conversation ${conversationId} for this document`);
      const conversation = ctx.library.getConversation(s.libraryId, conversationId);
      const entry = { chat: new DocumentChat(ctx.model, ctx.ops, conversation.turns.map((t) => ({ role: t.role, text: t.text }))), conversation };
      s.chats.set(conversationId, entry);
      return entry;
    }
    const now = new Date().toISOString();
    const conversation: StoredConversation = { id: randomUUID(), documentId: s.libraryId ?? s.opened.id, title: question.slice(0, 80), turns: [], createdAt: now, updatedAt: now };
    const entry = { chat: new DocumentChat(ctx.model, ctx.ops), conversation };
    s.chats.set(conversation.id, entry);
    return entry;
  }

  libraryList(modelFingerprint: string | null): LibraryEntry[] {
    const lib = this.contextLibrary();
    return lib
      .listDocuments()
      .filter((d) => d.state === 'ready')
      .map((d) => ({
        libraryId: d.id,
        name: d.name,
        title: d.title,
        format: d.format,
        fileBytes: d.fileBytes,
        tokenCount: d.tokenCount,
        modelName: d.modelName,
        matchesModel: d.modelFingerprint === modelFingerprint,
        method: d.method,
        ratio: d.ratio,
        diskBytes: lib.diskUsage(d.id),
        conversations: lib.listConversations(d.id).length,
        updatedAt: d.updatedAt,
      }));
  }

  private contextLibrary() {
    return this.context().library;
  }

  libraryOpen(r: ValidRequest<'libraryOpen'>): Promise<{ document: DocumentInfo; view: ViewInfo; conversations: Conversation[] }> {
    const ctx = this.context();
    return ctx.runner.run(r.operationId, 'libraryOpen', async (control) => {
      const record = ctx.library.getDocument(r.libraryId);
      if (record.modelFingerprint !== ctx.model.fingerprint) {
        throw new LongreadError('CACHE_FILE', `"${record.title}" was read with ${record.modelName}; load that model to open it, or open the file again to read it with this one.`);
      }
      control.progress('open', 0, 1, 'blocks');
      const saved = loadSavedDocument(ctx.library.documentDir(record.id), ctx.model, ctx.tokenizerFingerprint);
      const id = randomUUID();
      const s: Session = { opened: { ...saved.opened, id }, view: saved.view, store: saved.store, libraryId: record.id, chats: new Map(), activeChat: null, reading: null };
      const conversations = ctx.library.listConversations(record.id);
      for (const c of conversations) s.chats.set(c.id, { chat: new DocumentChat(ctx.model, ctx.ops, c.turns.map((t) => ({ role: t.role, text: t.text }))), conversation: c });
      this.sessions.set(id, s);
      this.active = id;
      control.progress('open', 1, 1, 'blocks');
      return { document: this.info(s), view: this.view(s as Session & { view: DocumentView }), conversations: conversations.map((c) => this.conversationOut(c, s)) };
    });
  }

  libraryDelete(r: ValidRequest<'libraryDelete'>): { freedBytes: number } {
    for (const s of this.sessions.values()) if (s.libraryId === r.libraryId) s.libraryId = null;
    return this.context().library.deleteDocument(r.libraryId);
  }

  /** A stored conversation as the contract has it: sources carry their text again (taken from the document). */
  conversationOut(c: StoredConversation, s?: Session): Conversation {
    const text = s?.opened.doc.text ?? this.textOfLibraryDocument(c.documentId);
    const source = (p: { start: number; end: number; label?: string; weight: number }): Source => ({
      start: p.start,
      end: p.end,
      label: p.label ?? null,
      weight: p.weight,
      text: text ? text.slice(p.start, Math.min(p.end, p.start + 240)) : '',
    });
    return {
      ...c,
      turns: c.turns.map((t) => ({ role: t.role, text: t.text, createdAt: t.createdAt, ...(t.kind ? { kind: t.kind } : {}), ...(t.sources ? { sources: t.sources.map((ss) => ss.map(source)) } : {}) })),
    };
  }

  private textOfLibraryDocument(libraryId: string): string | null {
    for (const s of this.sessions.values()) if (s.libraryId === libraryId) return s.opened.doc.text;
    return null;
  }
}

function fileFingerprint(file: string, range: { start: number; end: number } | null): string {
  const h = createHash('sha256');
  const fd = fs.openSync(file, 'r');
  try {
    const buf = Buffer.allocUnsafe(1 << 20);
    let at = 0;
    for (;;) {
      const n = fs.readSync(fd, buf, 0, buf.length, at);
      if (n === 0) break;
      h.update(buf.subarray(0, n));
      at += n;
    }
  } finally {
    fs.closeSync(fd);
  }
  if (range) h.update(`\0range:${range.start}-${range.end}`);
  return h.digest('hex');
}
