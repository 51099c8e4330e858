import type { Answer, ChatTurn, Reply, ReplyError, TokenEvent } from '../../../common/contract.js';
import { host } from '../../api/host.js';
import { newOperationId } from '../../api/operation-id.js';
import { track } from '../operations.js';
import { emptyConversation, type ChatMessage, type Prompt } from '../slices/chat.js';
import { read, update } from '../store.js';
import { refreshStatus } from './status.js';

let messageCounter = 0;
const newMessageId = () => `m${++messageCounter}`;

function message(role: ChatMessage['role'], text: string, change: Partial<ChatMessage> = {}): ChatMessage {
  return { id: newMessageId(), role, text, state: 'done', sources: [], prompt: null, stats: null, error: null, ...change };
}

function changeMessage(id: string, change: (m: ChatMessage) => Partial<ChatMessage>): void {
  update('chat', (c) => {
    const m = c.byId[id];
    return m ? { byId: { ...c.byId, [id]: { ...m, ...change(m) } } } : {};
  });
}

function appendMessages(...messages: ChatMessage[]): void {
  update('chat', (c) => ({
    order: [...c.order, ...messages.map((m) => m.id)],
    byId: { ...c.byId, ...Object.fromEntries(messages.map((m) => [m.id, m])) },
  }));
}

/** A question about the open document, or a plain chat turn when no document is ready. */
export async function ask(question: string): Promise<void> {
  const text = question.trim();
  if (!text || read('chat').operationId) return;
  const prompt: Prompt = read('document').phase === 'ready' ? { kind: 'ask', question: text } : { kind: 'generate', text };
  const assistant = message('assistant', '', { state: 'streaming', prompt });
  appendMessages(message('user', text), assistant);
  await generateInto(assistant.id, prompt);
}

export async function summarize(): Promise<void> {
  if (read('chat').operationId || read('document').phase !== 'ready') return;
  const prompt: Prompt = { kind: 'summarize' };
  const assistant = message('assistant', '', { state: 'streaming', prompt });
  appendMessages(message('user', 'Summarize this document.'), assistant);
  await generateInto(assistant.id, prompt);
}

/** Asks again for an answer, replacing it in place. */
export async function regenerate(messageId: string): Promise<void> {
  const m = read('chat').byId[messageId];
  if (!m?.prompt || read('chat').operationId) return;
  changeMessage(messageId, () => ({ text: '', sources: [], stats: null, error: null, state: 'streaming' }));
  await generateInto(messageId, m.prompt);
}

export async function stop(): Promise<void> {
  const { operationId } = read('chat');
  if (operationId) await host().request('cancel', { operationId });
}

export function newConversation(): void {
  if (read('chat').operationId) return;
  update('chat', emptyConversation());
}

async function generateInto(messageId: string, prompt: Prompt): Promise<void> {
  const operationId = newOperationId(prompt.kind);
  update('chat', { operationId, streamingId: messageId });
  const untrack = track(operationId, { token: (e) => appendToken(messageId, e) });
  const reply = await request(prompt, operationId, messageId);
  untrack();
  update('chat', (c) => ({ operationId: null, streamingId: null, conversationId: reply.ok ? (reply.value.conversationId ?? c.conversationId) : c.conversationId }));
  if (reply.ok) changeMessage(messageId, () => settled(reply.value));
  else changeMessage(messageId, () => failed(reply.error));
  await refreshStatus();
}

function appendToken(messageId: string, event: TokenEvent): void {
  changeMessage(messageId, (m) => ({ text: m.text + event.text, sources: event.sources ? [...m.sources, event.sources] : m.sources }));
}

/** The reply's text is authoritative: over HTTP the last token events may arrive after it. */
function settled(answer: Answer): Partial<ChatMessage> {
  const { tokens, decodeMs, prefillMs, stopReason, promptTokens, prefilledTokens } = answer;
  return {
    text: answer.text,
    sources: answer.sources,
    state: stopReason === 'cancelled' ? 'stopped' : 'done',
    stats: { tokens, decodeMs, prefillMs, stopReason, promptTokens, prefilledTokens },
  };
}

function failed(error: ReplyError): Partial<ChatMessage> {
  if (error.code === 'CANCELLED') return { state: 'stopped' };
  // A long conversation fills the model's context; a new one starts again from the document alone.
  const hint = error.code === 'CONTEXT_TOO_LONG' && read('chat').conversationId ? ' Start a new conversation to make room.' : '';
  return { state: 'failed', error: error.message + hint };
}

function request(prompt: Prompt, operationId: string, messageId: string): Promise<Reply<'ask'>> {
  const { maxTokens, temperature } = read('chat');
  const generation = { maxTokens, sampling: { temperature } };
  const documentId = read('document').info?.documentId;
  const conversationId = read('chat').conversationId ?? undefined;
  if (prompt.kind !== 'generate' && !documentId) {
    return Promise.resolve({ ok: false, error: { code: 'NOT_FOUND', message: 'Open and read a document first.' } });
  }
  if (prompt.kind === 'ask') return host().request('ask', { operationId, documentId: documentId!, conversationId, question: prompt.question, generation });
  if (prompt.kind === 'summarize') return host().request('summarize', { operationId, documentId: documentId!, conversationId, generation });
  // A model without a chat template continues raw text; one with a template gets the conversation so far.
  if (!read('model').info?.hasChatTemplate) return host().request('generate', { operationId, prompt: prompt.text, generation });
  return host().request('generate', { operationId, messages: historyBefore(messageId), generation });
}

function historyBefore(messageId: string): ChatTurn[] {
  const { order, byId } = read('chat');
  const turns: ChatTurn[] = [];
  for (const id of order) {
    if (id === messageId) break;
    const m = byId[id];
    if (m.state !== 'failed' && m.text) turns.push({ role: m.role, content: m.text });
  }
  return turns;
}

/** A saved conversation as chat messages (library reopen). */
export function showConversation(conversationId: string | null, turns: { role: 'user' | 'assistant'; text: string; kind?: 'ask' | 'summarize'; sources?: ChatMessage['sources'] }[]): void {
  const messages: ChatMessage[] = [];
  for (const [i, turn] of turns.entries()) {
    const previous = messages[messages.length - 1];
    const asked = turns[i - 1];
    const prompt: Prompt | null =
      turn.role === 'assistant' && previous?.role === 'user' ? (asked?.kind === 'summarize' ? { kind: 'summarize' } : { kind: 'ask', question: previous.text }) : null;
    messages.push(message(turn.role, turn.text, { sources: turn.sources ?? [], prompt }));
  }
  update('chat', { ...emptyConversation(), conversationId, order: messages.map((m) => m.id), byId: Object.fromEntries(messages.map((m) => [m.id, m])) });
}
