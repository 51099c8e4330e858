import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DocumentChat } from '../../engine/documents/document-chat.js';
import { openDocument, readView, textMap } from '../../engine/documents/document-session.js';
import { jsAttentionOps as ops } from '../../engine/compaction/js-attention-ops.js';
import { NO_CONTROL } from '../../engine/util/operation.js';
import { sharedAvailable, STORIES_DIR, useStoriesModel } from '../helpers/shared.js';

const storeDir = fs.mkdtempSync(path.join(os.tmpdir(), 'longread-chat-'));
afterAll(async () => {
  fs.rmSync(storeDir, { recursive: true, force: true });
});

const TEXT = fs.readFileSync(path.resolve(import.meta.dirname, '../../assets/documents/samples/tom-and-the-kite.txt'), 'utf8');
const file = { name: 'kite.txt', fileBytes: TEXT.length, fileFingerprint: 'f'.repeat(64) };
const GEN = { maxTokens: 24, sampling: { temperature: 0 } };

describe.skipIf(!sharedAvailable(STORIES_DIR, 'the document chat test'))('a conversation about a compacted document', () => {
  const stories = useStoriesModel({ attentionSummary: 'reduced' });

  async function compacted() {
    const opened = openDocument(stories.model, 'doc', file, { title: 'Kite', format: 'txt', text: TEXT, parts: [] }, null);
    const { view } = await readView(stories.model, opened, { method: 'am', ratio: 0.25, dir: fs.mkdtempSync(path.join(storeDir, 'r-')), ops, kvBudgetBytes: 2 ** 30 }, NO_CONTROL);
    return { opened, view };
  }

  it('prefills only the new turn after the first, and streams sources on the document', async () => {
    const { opened, view } = await compacted();
    const chat = new DocumentChat(stories.model, ops);
    const pieces: string[] = [];
    const first = await chat.ask(view.base, opened.prompt.suffixIds, 'Who had a kite?', GEN, textMap(opened), NO_CONTROL, (t) => pieces.push(t));
    expect(pieces.join('')).toBe(first.text);
    expect(first.sources.flat().every((s) => s.end <= TEXT.length && s.start < s.end)).toBe(true);
    const second = await chat.ask(view.base, opened.prompt.suffixIds, 'Where was it?', GEN, textMap(opened), NO_CONTROL, () => {});
    // The second turn feeds the end of the first answer and the new question only.
    expect(second.prefilledTokens).toBeLessThan(first.prefilledTokens + 5);
    expect(second.promptTokens).toBeGreaterThan(first.promptTokens + first.tokens);
    // The document's compacted cache is untouched: the chat works on its own copy.
    expect(view.base.logicalLength).toBe(opened.prompt.span.end);
  });

  it('rebuilds from its turns after the compaction changes, with the same prompt length', async () => {
    const { opened, view } = await compacted();
    const chat = new DocumentChat(stories.model, ops);
    await chat.ask(view.base, opened.prompt.suffixIds, 'Who had a kite?', GEN, textMap(opened), NO_CONTROL, () => {});
    const lengthBefore = chat.currentCache!.logicalLength;
    chat.invalidate();
    expect(chat.currentCache).toBeNull();
    const again = await chat.ask(view.base, opened.prompt.suffixIds, 'Where was it?', GEN, textMap(opened), NO_CONTROL, () => {});
    expect(again.prefilledTokens).toBeGreaterThan(lengthBefore - opened.prompt.span.end - 2);
  });

  it('compacts older turns online once the conversation outgrows its slots', async () => {
    const { opened, view } = await compacted();
    const chat = new DocumentChat(stories.model, ops, [], 24);
    for (const q of ['Who had a kite?', 'What broke?', 'Who helped?']) {
      await chat.ask(view.base, opened.prompt.suffixIds, q, GEN, textMap(opened), NO_CONTROL, () => {});
    }
    expect(chat.compactions).toBeGreaterThan(0);
    const cache = chat.currentCache!;
    const start = opened.prompt.span.end;
    const chatSlots = Math.max(...cache.layers.flatMap((l) => Array.from({ length: l.kvHeads }, (_, h) => Array.from(l.sources.subarray(h * l.capacity, h * l.capacity + l.used[h])).filter((s) => s >= start).length)));
    expect(chatSlots).toBeLessThan(cache.logicalLength - start);
  });
});
