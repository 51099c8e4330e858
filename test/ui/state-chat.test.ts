import { beforeEach, describe, expect, it } from 'vitest';
import type { Answer, Source } from '../../common/contract.js';
import { ask, regenerate, showConversation, stop, summarize } from '../../renderer/state/actions/chat.js';
import { openFile, readDocument } from '../../renderer/state/actions/document.js';
import { start } from '../../renderer/state/actions/startup.js';
import { read } from '../../renderer/state/store.js';
import { fail, flush, ok, type FakeHost } from './support/fake-host.js';
import { happyHost } from './support/setup-host.js';

let host: FakeHost;
beforeEach(async () => {
  host = happyHost();
  await start();
});

async function readADocument(): Promise<void> {
  await openFile(new File(['x'], 'notes.txt'));
  await readDocument();
  await flush();
}

const SOURCE: Source = { start: 0, end: 17, label: 'p. 1', weight: 0.7, text: 'Alpha beta gamma.' };

function answer(operationId: string, text: string, change: Partial<Answer> = {}): Answer {
  return {
    operationId,
    conversationId: 'conv1',
    text,
    sources: [[SOURCE]],
    tokens: 5,
    stopReason: 'stop-token',
    promptTokens: 40,
    prefilledTokens: 8,
    prefillMs: 10,
    decodeMs: 50,
    executionProvider: 'cpu',
    ...change,
  };
}

const messages = () => read('chat').order.map((id) => read('chat').byId[id]);
const lastMessage = () => messages().at(-1)!;

describe('the chat slice', () => {
  it('streams the tokens of its own operation with sources on sentence ends, then settles on the answer', async () => {
    await readADocument();
    host.hold('ask');
    const asking = ask('What is alpha?');
    const request = host.last('ask');
    expect(request).toMatchObject({ documentId: 'doc1', question: 'What is alpha?', generation: { maxTokens: 256, sampling: { temperature: 0.7 } } });
    expect(request).not.toHaveProperty('conversationId', expect.anything());
    const operationId = request.operationId as string;
    host.emit({ type: 'token', operationId, text: 'Alpha' });
    host.emit({ type: 'token', operationId: 'an-old-one', text: 'XX' });
    host.emit({ type: 'token', operationId, text: ' is first.', sources: [SOURCE] });
    expect(lastMessage()).toMatchObject({ role: 'assistant', text: 'Alpha is first.', state: 'streaming', sources: [[SOURCE]] });
    expect(read('chat').operationId).toBe(operationId);
    host.settle(operationId, ok(answer(operationId, 'Alpha is first.')));
    await asking;
    expect(lastMessage()).toMatchObject({ state: 'done', stats: { tokens: 5, stopReason: 'stop-token' } });
    expect(read('chat')).toMatchObject({ operationId: null, conversationId: 'conv1' });

    host.on('ask', (p) => ok(answer(p.operationId, 'More.')));
    await ask('And beta?');
    expect(host.last('ask')).toMatchObject({ conversationId: 'conv1' });
    expect(messages().map((m) => m.role)).toEqual(['user', 'assistant', 'user', 'assistant']);
  });

  it('stops by cancelling the running operation and keeps what was written', async () => {
    await readADocument();
    host.hold('ask');
    const asking = ask('Tell me everything');
    const operationId = host.last('ask').operationId as string;
    host.emit({ type: 'token', operationId, text: 'Once' });
    await stop();
    expect(host.last('cancel')).toEqual({ operationId });
    host.settle(operationId, ok(answer(operationId, 'Once', { stopReason: 'cancelled' })));
    await asking;
    expect(lastMessage()).toMatchObject({ text: 'Once', state: 'stopped' });
  });

  it('regenerates an answer in place with the same question', async () => {
    await readADocument();
    host.on('ask', (p) => ok(answer(p.operationId, 'First.')));
    await ask('Why?');
    const id = read('chat').order[1];
    host.on('ask', (p) => ok(answer(p.operationId, 'Second.')));
    await regenerate(id);
    expect(host.named('ask').map((p) => p.question)).toEqual(['Why?', 'Why?']);
    expect(messages()).toHaveLength(2);
    expect(read('chat').byId[id].text).toBe('Second.');
  });

  it('regenerates a summary from a reopened conversation as a summary, not as a question', async () => {
    await readADocument();
    showConversation('conv1', [
      { role: 'user', text: 'Summarize the document.', kind: 'summarize' },
      { role: 'assistant', text: 'Old summary.' },
      { role: 'user', text: 'Why?', kind: 'ask' },
      { role: 'assistant', text: 'Because.' },
    ]);
    const [, summaryId, , answerId] = read('chat').order;
    host.on('summarize', (p) => ok(answer(p.operationId, 'New summary.')));
    host.on('ask', (p) => ok(answer(p.operationId, 'Again.')));
    await regenerate(summaryId);
    await regenerate(answerId);
    expect(host.named('summarize')).toHaveLength(1);
    expect(host.named('ask').map((p) => p.question)).toEqual(['Why?']);
    expect(read('chat').byId[summaryId].text).toBe('New summary.');
  });

  it('summarizes the document into the same conversation', async () => {
    await readADocument();
    host.on('summarize', (p) => ok(answer(p.operationId, 'A summary.')));
    await summarize();
    expect(host.last('summarize')).toMatchObject({ documentId: 'doc1' });
    expect(lastMessage()).toMatchObject({ text: 'A summary.', prompt: { kind: 'summarize' } });
  });

  it('without a document, chats with the model: a raw prompt for a model without a chat template', async () => {
    host.on('generate', (p) => ok(answer(p.operationId, ' upon a time', { conversationId: null, sources: [] })));
    await ask('Once');
    expect(host.last('generate')).toMatchObject({ prompt: 'Once' });
    expect(host.last('generate')).not.toHaveProperty('messages');
    expect(lastMessage().text).toBe(' upon a time');
  });

  it('shows a failed answer inline with its message', async () => {
    await readADocument();
    host.on('ask', fail('CONTEXT_TOO_LONG', 'The question does not fit next to the document.'));
    await ask('Why?');
    expect(lastMessage()).toMatchObject({ state: 'failed', error: 'The question does not fit next to the document.' });
    expect(read('chat').operationId).toBeNull();
  });
});
