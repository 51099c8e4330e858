import type { KvCache } from '../../engine/cache/kv-cache.js';
import { documentPrompt } from '../../engine/compaction/cache/document-prompt.js';
import { compactionMethod } from '../../engine/documents/methods.js';
import { compactFromStore, readDocument } from '../../engine/documents/read-document.js';
import type { AttentionOps } from '../../engine/compaction/attention-ops.js';
import type { LoadedModel } from '../../engine/load-model.js';

export interface DocumentPathOptions {
  /** Folder for the prepared blocks. */
  dir: string;
  /** Where compaction's heavy products run (the app: onnxruntime). */
  ops: AttentionOps;
  ratio: number;
  recompactRatio: number;
  /** Compaction chunk, in tokens: small, so a short document spans several chunks. */
  chunkSize: number;
  question: string;
  /** An answer fed one token at a time after the question (teacher-forced: every provider decodes the same tokens). */
  answer: string;
}

/** The logits the app's document path produces at each of its stages, for one model on one provider. */
export interface DocumentPathLogits {
  documentTokens: number;
  /** The question prefilled over the cache read and compacted to `ratio`. */
  afterCompaction: Float32Array;
  /** Single-token decode steps after it, attending to compacted slots with their β. */
  decodeSteps: Float32Array[];
  /** The question over the cache re-compacted to `recompactRatio` from the stored blocks (no model call). */
  afterRecompaction: Float32Array;
  /** Per (layer, KV head): the document positions the compaction kept. */
  kept: number[][];
}

/**
 * Reads `text` as the app does (`readDocument`: prefill with query capture, repeat pass, blocks to disk, compaction),
 * asks a question over the compacted cache and decodes, then moves the "slider" (`compactFromStore`) and asks again.
 */
export async function runDocumentPath(model: LoadedModel, text: string, o: DocumentPathOptions): Promise<DocumentPathLogits> {
  const method = compactionMethod('am');
  const prompt = documentPrompt(model.tokenizer, text);
  const question = [...prompt.suffixIds, ...model.tokenizer.encode(o.question, { addSpecialTokens: false })];
  const read = await readDocument(model, prompt, { method, ratio: o.ratio, dir: o.dir, ops: o.ops, kvBudgetBytes: 2 ** 30, chunkSize: o.chunkSize });
  const kept = keptPositions(read.cache);
  const afterCompaction = (await model.decoder.step(read.cache, question)).logits;
  const decodeSteps: Float32Array[] = [];
  for (const id of model.tokenizer.encode(o.answer, { addSpecialTokens: false })) decodeSteps.push((await model.decoder.step(read.cache, [id])).logits);
  const again = await compactFromStore(read.store, prompt.span, { method, ratio: o.recompactRatio, ops: o.ops });
  const afterRecompaction = (await model.decoder.step(again.cache, question)).logits;
  return { documentTokens: prompt.documentIds.length, afterCompaction, decodeSteps, afterRecompaction, kept };
}

function keptPositions(cache: KvCache): number[][] {
  return cache.layers.flatMap((layer) => Array.from({ length: layer.kvHeads }, (_, h) => Array.from(layer.readRun(h, 0, layer.used[h]).sources)));
}

/** Share of the positions kept by `a` that `b` kept too, over every (layer, KV head). */
export function keptAgreement(a: number[][], b: number[][]): number {
  let same = 0;
  let total = 0;
  a.forEach((positions, i) => {
    const other = new Set(b[i]);
    same += positions.filter((p) => other.has(p)).length;
    total += positions.length;
  });
  return total ? same / total : 1;
}
