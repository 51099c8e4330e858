import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { METHODS } from '../../common/contract.js';
import { documentFingerprint, encodeCompactedDocument, loadCompactedDocument } from '../cache/compacted-file.js';
import { LongreadError } from '../errors.js';
import { writeFileAtomic } from '../library/index.js';
import type { LoadedModel } from '../load-model.js';
import { BlockStore } from './block-store.js';
import type { FidelityTally } from './compact-stored.js';
import type { DocumentView, OpenedDocument } from './document-session.js';

/*
 * A read document in its library folder, beside the library's record.json:
 *   document.json  the text, parts, token ids and where the document lies in the prompt
 *   offsets.bin    [start, end) character offsets per document token (int32)
 *   cache.lrkv     the compacted cache at the current ratio (LRKV), opened without any prefill
 *   blocks.*       the prepared state that moves the slider (block-store.ts)
 */

export const SAVED_FILES = { document: 'document.json', offsets: 'offsets.bin', cache: 'cache.lrkv', blocks: 'blocks.bin', blocksIndex: 'blocks.json' } as const;

const savedDocumentSchema = z.strictObject({
  version: z.literal(1),
  name: z.string(),
  fileBytes: z.number().int().min(0),
  fileFingerprint: z.string(),
  title: z.string(),
  format: z.enum(['txt', 'md', 'pdf', 'docx', 'html']),
  text: z.string(),
  parts: z.array(z.strictObject({ kind: z.enum(['page', 'section']), label: z.string(), start: z.number().int(), end: z.number().int() })),
  pageCount: z.number().int().optional(),
  range: z.strictObject({ start: z.number().int(), end: z.number().int() }).nullable(),
  prefixIds: z.array(z.number().int()),
  documentIds: z.array(z.number().int()),
  suffixIds: z.array(z.number().int()),
  method: z.enum(METHODS),
  ratio: z.number(),
});

export function saveDocumentFiles(dir: string, opened: OpenedDocument): void {
  const { doc, prompt, file } = opened;
  const saved: z.input<typeof savedDocumentSchema> = {
    version: 1,
    name: file.name,
    fileBytes: file.fileBytes,
    fileFingerprint: file.fileFingerprint,
    title: doc.title,
    format: doc.format,
    text: doc.text,
    parts: doc.parts.map((p) => ({ ...p })),
    ...(doc.pageCount !== undefined ? { pageCount: doc.pageCount } : {}),
    range: opened.range,
    prefixIds: prompt.prefixIds,
    documentIds: prompt.documentIds,
    suffixIds: prompt.suffixIds,
    method: 'am',
    ratio: 1,
  };
  writeFileAtomic(path.join(dir, SAVED_FILES.document), JSON.stringify(saved), { errorCode: 'CACHE_FILE' });
  const o = opened.charOffsets;
  writeFileAtomic(path.join(dir, SAVED_FILES.offsets), new Uint8Array(o.buffer, o.byteOffset, o.byteLength), { errorCode: 'CACHE_FILE' });
}

/** Writes the compacted cache of the current view (replacing the previous one atomically). */
export function saveViewCache(dir: string, model: LoadedModel, opened: OpenedDocument, view: DocumentView, tokenizerFingerprint: string): void {
  const data = encodeCompactedDocument(view.base, {
    modelFingerprint: model.fingerprint,
    tokenizerFingerprint,
    documentFingerprint: documentFingerprint(opened.prompt.documentIds),
    prefixIds: opened.prompt.prefixIds,
    suffixIds: opened.prompt.suffixIds,
    compaction: { method: view.method, ratio: view.ratio, compactionMs: view.compactionMs, ...view.fidelity },
  });
  writeFileAtomic(path.join(dir, SAVED_FILES.cache), data, { errorCode: 'CACHE_FILE' });
}

export interface LoadedSavedDocument {
  opened: Omit<OpenedDocument, 'id'>;
  view: DocumentView;
  /** The prepared state, when it was kept: the slider can move without reading again. */
  store: BlockStore | null;
}

/** Opens a saved document with the loaded model: no prefill. Refuses files made with another model. */
export function loadSavedDocument(dir: string, model: LoadedModel, tokenizerFingerprint: string): LoadedSavedDocument {
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(path.join(dir, SAVED_FILES.document), 'utf8'));
  } catch (e) {
    throw new LongreadError('CACHE_FILE', `The saved document in ${dir} cannot be read (${(e as Error).message}); read the file again.`, { cause: e });
  }
  const parsed = savedDocumentSchema.safeParse(raw);
  if (!parsed.success) throw new LongreadError('CACHE_FILE', `The saved document in ${dir} is damaged; read the file again.`);
  const s = parsed.data;
  const offsetsBytes = fs.readFileSync(path.join(dir, SAVED_FILES.offsets));
  if (offsetsBytes.byteLength !== s.documentIds.length * 8) throw new LongreadError('CACHE_FILE', `The saved token offsets in ${dir} do not match the document; read the file again.`);
  const charOffsets = new Int32Array(offsetsBytes.byteLength / 4);
  new Uint8Array(charOffsets.buffer).set(offsetsBytes);
  const { numLayers, numKvHeads, headDim } = model.spec;
  const { cache, info } = loadCompactedDocument(path.join(dir, SAVED_FILES.cache), { modelFingerprint: model.fingerprint, tokenizerFingerprint, shape: { numLayers, numKvHeads, headDim } });
  if (info.documentFingerprint !== documentFingerprint(s.documentIds)) throw new LongreadError('CACHE_FILE', `The saved cache in ${dir} belongs to another document; read the file again.`);
  const start = s.prefixIds.length;
  const method = METHODS.find((m) => m === info.compaction?.method) ?? 'am';
  const ratio = typeof info.compaction?.ratio === 'number' ? info.compaction.ratio : s.ratio;
  let store: BlockStore | null = null;
  if (BlockStore.exists(dir)) {
    try {
      store = BlockStore.open(dir);
    } catch {
      store = null; // the slider then says that moving it needs a re-read
    }
  }
  return {
    opened: {
      file: { name: s.name, fileBytes: s.fileBytes, fileFingerprint: s.fileFingerprint },
      doc: { title: s.title, format: s.format, text: s.text, parts: s.parts, ...(s.pageCount !== undefined ? { pageCount: s.pageCount } : {}) },
      range: s.range,
      prompt: {
        ids: [...s.prefixIds, ...s.documentIds, ...s.suffixIds],
        span: { start, end: start + s.documentIds.length },
        prefixIds: s.prefixIds,
        documentIds: s.documentIds,
        suffixIds: s.suffixIds,
      },
      charOffsets,
    },
    view: { method, ratio, base: cache, fidelity: savedTally(info.compaction), compactionMs: num(info.compaction?.compactionMs) },
    store,
  };
}

const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

function savedTally(c: Record<string, string | number> | undefined): FidelityTally {
  return { errorSq: num(c?.errorSq), normSq: num(c?.normSq), cosine: num(c?.cosine), queries: num(c?.queries) };
}
