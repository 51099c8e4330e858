import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { replyValueSchemas, type EngineEvent, type ReplyValue, type RequestName, type RequestPayload } from '../../common/contract.js';
import { buildPdf } from '../documents/build-inputs.js';
import { listenToEvents, startServe, type Served } from '../helpers/serve-process.js';

/**
 * The acceptance path of the documents workflow, driven the way a UI drives it: `longread serve` on the demo model, a
 * scripted client over HTTP and the event stream. Upload a PDF → read with progress → ask with sources → move the
 * ratio → restart the server → the document opens from the library without reading, its conversation back.
 */
const home = fs.mkdtempSync(path.join(os.tmpdir(), 'longread-serve-flow-'));

interface Server {
  served: Served;
  events: EngineEvent[];
  stop(): Promise<void>;
}

async function startServer(): Promise<Server> {
  const served = await startServe({ home });
  const listening = listenToEvents(served);
  return {
    served,
    events: listening.events,
    stop: async () => {
      await listening.stop();
      await served.stop();
    },
  };
}

/** A request whose reply is checked against the contract here, as the UI's side of the boundary. */
async function call<N extends RequestName>(s: Server, name: N, payload: RequestPayload<N>): Promise<ReplyValue<N>> {
  const reply = await s.served.request(name, payload);
  if (!reply.ok) throw new Error(`${name}: ${reply.error.code}: ${reply.error.message}`);
  return replyValueSchemas[name].parse(reply.value) as ReplyValue<N>;
}

const STORY_PAGES = [
  { lines: ['Tom had a big blue kite. He loved to fly it', 'in the park with his sister Sue.', 'One day the string broke and the kite flew away.'] },
  { lines: ['They walked to the pond and saw the kite', 'in a tall tree. A kind boy named Sam', 'climbed the tree and brought the kite down.'] },
];

let server: Server | null = null;
afterAll(async () => {
  await server?.stop();
  fs.rmSync(home, { recursive: true, force: true });
});

describe('longread serve: a document from upload to a reopened conversation', () => {
  it('reads, answers with sources, moves the ratio, and reopens from the library after a restart', async () => {
    server = await startServer();
    const model = await call(server, 'loadModel', { operationId: 'load-1' });
    expect(model.isDemo).toBe(true);

    const pdf = await buildPdf(STORY_PAGES, { title: 'The Kite' });
    const up = await fetch(`${server.served.base}/api/upload?name=kite.pdf`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/octet-stream', Authorization: `Bearer ${server.served.token}` },
      body: Buffer.from(pdf),
    });
    const uploadId = ((await up.json()) as { value: { uploadId: string } }).value.uploadId;
    const doc = await call(server, 'openDocument', { operationId: 'open-1', source: { uploadId } });
    expect(doc).toMatchObject({ title: 'The Kite', format: 'pdf', fits: true, state: 'opened', libraryId: null });
    expect(doc.parts.map((p) => p.label)).toEqual(['1', '2']);
    expect(doc.estimate.kvBytesAtRatio).toBeLessThan(doc.estimate.kvBytesFull);

    const view = await call(server, 'readDocument', { operationId: 'read-1', documentId: doc.documentId, ratio: 0.3 });
    const readProgress = server.events.filter((e): e is Extract<EngineEvent, { type: 'progress' }> => e.type === 'progress' && e.operationId === 'read-1');
    expect(new Set(readProgress.map((e) => e.stage))).toEqual(new Set(['read', 'reference-queries', 'compact', 'save']));
    expect(readProgress.find((e) => e.stage === 'read' && e.done === e.total)?.total).toBe(doc.tokens);
    expect(view.documentSlots).toBeLessThan(view.documentTokens * model.numLayers * model.numKvHeads * 0.35);
    expect(view.libraryId).not.toBeNull();
    expect(server.events.some((e) => e.type === 'status' && e.status.documentId === doc.documentId)).toBe(true);

    const answer = await call(server, 'ask', { operationId: 'ask-1', documentId: doc.documentId, question: 'Who found the kite?', generation: { maxTokens: 40 } });
    const streamed = server.events.filter((e): e is Extract<EngineEvent, { type: 'token' }> => e.type === 'token' && e.operationId === 'ask-1');
    expect(streamed.length).toBeGreaterThan(5);
    expect(streamed.map((e) => e.text).join('')).toBe(answer.text);
    const sources = answer.sources.flat();
    expect(sources.length).toBeGreaterThan(0);
    const text = (await call(server, 'documentText', { documentId: doc.documentId })).text;
    for (const s of sources) {
      expect(['1', '2']).toContain(s.label);
      expect(text.slice(s.start, s.end).startsWith(s.text.replace(/…$/, ''))).toBe(true);
    }
    expect(server.events.some((e) => e.type === 'status' && e.status.cache && e.status.cache.logicalLength > doc.tokens)).toBe(true);

    const before = await call(server, 'retention', { documentId: doc.documentId });
    const moved = await call(server, 'setRatio', { operationId: 'ratio-1', documentId: doc.documentId, ratio: 0.1 });
    expect(moved.documentSlots).toBeLessThan(view.documentSlots);
    expect(moved.cache.usedBytes).toBeLessThan(view.cache.usedBytes);
    expect(moved.fidelity.outputError).toBeGreaterThan(view.fidelity.outputError);
    const after = await call(server, 'retention', { documentId: doc.documentId, layer: 0, head: 0 });
    expect(after.counts).toBeInstanceOf(Uint16Array);
    expect(Array.from(after.counts)).not.toEqual(Array.from(before.counts));
    expect(after.head!.tokens.length).toBe(after.headSlots[0]);
    const follow = await call(server, 'ask', { operationId: 'ask-2', documentId: doc.documentId, conversationId: answer.conversationId!, question: 'What color was it?', generation: { maxTokens: 20 } });
    expect(follow.conversationId).toBe(answer.conversationId);

    await server.stop();
    server = await startServer();
    await call(server, 'loadModel', { operationId: 'load-2' });
    const library = await call(server, 'libraryList', {});
    expect(library).toHaveLength(1);
    expect(library[0]).toMatchObject({ title: 'The Kite', matchesModel: true, ratio: 0.1, conversations: 1 });
    const t0 = performance.now();
    const reopened = await call(server, 'libraryOpen', { operationId: 'reopen-1', libraryId: library[0].libraryId });
    const reopenMs = performance.now() - t0;
    expect(server.events.filter((e) => e.type === 'progress' && e.operationId === 'reopen-1' && (e.stage === 'read' || e.stage === 'reference-queries'))).toEqual([]);
    expect(reopened.view.documentSlots).toBe(moved.documentSlots);
    expect(reopened.view.canRecompact).toBe(true);
    expect(reopened.conversations).toHaveLength(1);
    expect(reopened.conversations[0].turns.map((t) => t.text)).toEqual(['Who found the kite?', answer.text, 'What color was it?', follow.text]);
    console.log(`reopened from the library in ${reopenMs.toFixed(0)} ms, without reading`);
    const again = await call(server, 'ask', { operationId: 'ask-3', documentId: reopened.document.documentId, conversationId: answer.conversationId!, question: 'Where was the kite?', generation: { maxTokens: 10 } });
    expect(again.text.length).toBeGreaterThan(0);
  });
});
