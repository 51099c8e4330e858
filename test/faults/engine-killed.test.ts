import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AnyReply } from '../../common/contract.js';
import { SAMPLE_DOCUMENTS } from '../soak/reader-workload.js';
import { ServeSession } from '../soak/serve-session.js';
import { isPlainMessage, killEngineDuring, type KillOutcome, type KillPoint } from './kill-engine.js';
import { expectCrashReportedAndRecovered, expectSavedIntact, saveDocumentWithConversation, type SavedDocument } from './saved-document.js';

/**
 * `longread serve` on the demo model with a document and a conversation saved; then the engine process is killed
 * (SIGKILL) in the middle of a read, of a compaction and of a generation. Each time the request in flight gets a plain
 * error, a crash event says what happened, the engine restarts with the model, and what was saved is all there.
 */
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'longread-faults-kill-data-'));
const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'longread-faults-kill-cache-'));
const BAKERY = SAMPLE_DOCUMENTS.find((d) => d.name === 'the-little-bakery.html')!;
let serve: ServeSession;
let saved: SavedDocument;

beforeAll(async () => {
  serve = await ServeSession.start({ dataDir, cacheDir });
  await serve.value('loadModel', { operationId: 'load' });
  saved = await saveDocumentWithConversation(serve, 'saved');
});
afterAll(async () => {
  await serve?.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
  fs.rmSync(cacheDir, { recursive: true, force: true });
});

/**
 * Kills the engine at `at` of the operation `start` begins. An operation can end between the moment seen and the
 * kill; then it is tried again with fresh ids (up to three times) so that the kill lands in its middle.
 */
async function killMidway(tag: string, at: KillPoint, start: (attempt: number) => Promise<{ operationId: string; run: () => Promise<AnyReply> }>): Promise<KillOutcome> {
  for (let attempt = 1; attempt <= 3; attempt++) {
    const { operationId, run } = await start(attempt);
    const outcome = await killEngineDuring(serve, operationId, at, run);
    if (outcome.killed) await expectCrashReportedAndRecovered(serve, outcome.since);
    if (outcome.midOperation) {
      console.log(`${tag}: killed the engine mid-operation on attempt ${attempt}`);
      return outcome;
    }
  }
  throw new Error(`${tag}: the operation always ended before the engine could be killed`);
}

function expectPlainCrashReply(reply: AnyReply): void {
  expect(reply).toMatchObject({ ok: false, error: { code: 'WORKER_CRASHED', message: expect.stringMatching(/^The engine stopped unexpectedly \(the engine process was killed \(SIGKILL\); the engine was restarted\)$/) } });
  if (!reply.ok) expect(isPlainMessage(reply.error.message)).toBe(true);
}

async function readOf(name: string, bytes: Buffer, tag: string) {
  const doc = await serve.value('openDocument', { operationId: `open-${tag}`, source: { uploadId: await serve.upload(name, bytes) } });
  const operationId = `read-${tag}`;
  return { operationId, run: () => serve.call('readDocument', { operationId, documentId: doc.documentId }) };
}

describe.skipIf(process.platform !== 'linux')('the engine process killed in the middle of an operation', () => {
  it('mid-read: the half-read document is dropped, the saved one is intact', async () => {
    const outcome = await killMidway('mid-read', { stage: 'read' }, (attempt) => readOf(BAKERY.name, BAKERY.bytes, `mid-read-${attempt}`));
    expectPlainCrashReply(outcome.reply);
    const documentId = await expectSavedIntact(serve, saved, 'after-mid-read');
    expect((await serve.value('libraryList', {})).map((e) => e.name)).toEqual([saved.name]);
    await serve.value('closeDocument', { documentId });
  });

  it("mid-compaction of a read: nothing half-compacted is kept", async () => {
    const outcome = await killMidway('mid-compaction (read)', { stage: 'compact' }, (attempt) => readOf(BAKERY.name, BAKERY.bytes, `mid-compact-${attempt}`));
    expectPlainCrashReply(outcome.reply);
    const documentId = await expectSavedIntact(serve, saved, 'after-mid-compact');
    expect((await serve.value('libraryList', {})).map((e) => e.name)).toEqual([saved.name]);
    await serve.value('closeDocument', { documentId });
  });

  it('mid-compaction while the slider moves: the document keeps its saved ratio and cache', async () => {
    const outcome = await killMidway('mid-compaction (slider)', { stage: 'recompact' }, async (attempt) => {
      const documentId = await expectSavedIntact(serve, saved, `before-slider-${attempt}`);
      const operationId = `slider-${attempt}`;
      return { operationId, run: () => serve.call('setRatio', { operationId, documentId, ratio: 0.05 }) };
    });
    expectPlainCrashReply(outcome.reply);
    await expectSavedIntact(serve, saved, 'after-slider');
  });

  it('mid-generation: the unfinished answer is not saved, the conversation is intact and goes on', async () => {
    const outcome = await killMidway('mid-generation', { token: true }, async (attempt) => {
      const documentId = await expectSavedIntact(serve, saved, `before-ask-${attempt}`);
      const operationId = `ask-long-${attempt}`;
      return {
        operationId,
        run: () => serve.call('ask', { operationId, documentId, conversationId: saved.conversationId, question: 'Tell me the whole story again.', generation: { maxTokens: 400 } }),
      };
    });
    expectPlainCrashReply(outcome.reply);
    const documentId = await expectSavedIntact(serve, saved, 'after-ask');
    const answer = await serve.value('ask', { operationId: 'ask-after', documentId, conversationId: saved.conversationId, question: 'Who helped?', generation: { maxTokens: 8 } });
    expect(answer.text.length).toBeGreaterThan(0);
    const [conversation] = await serve.value('conversations', { libraryId: saved.libraryId });
    expect(conversation.turns.map((t) => t.text)).toEqual([...saved.turns, 'Who helped?', answer.text]);
  });
});
