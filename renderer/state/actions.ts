import type { ChatTurn, RequestPayload } from '../../main/ipc-contract.js';
import { host } from '../api/host.js';
import { useCacheStore } from './cache-store.js';
import { updateMessage, useChatStore, type ChatMessage } from './chat-store.js';
import { useModelStore } from './model-store.js';

/** Everything the UI asks of the host goes through these; components only read stores and call actions. */

let nextId = 0;
const newId = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${(nextId++).toString(36)}`;

export async function initHost(): Promise<void> {
  const reply = await host().request('hostInfo', {});
  if (!reply.ok) return;
  const { canOpenFolder, defaultModelDir } = reply.value;
  useModelStore.setState((s) => ({ canOpenFolder, modelDir: s.modelDir || defaultModelDir || '' }));
}

export async function openModelFolder(): Promise<void> {
  const reply = await host().request('openModelFolder', {});
  if (reply.ok && reply.value.path) useModelStore.getState().setModelDir(reply.value.path);
  else if (!reply.ok) useModelStore.setState({ error: reply.error });
}

export async function loadModel(): Promise<void> {
  const { modelDir, device, weights, phase } = useModelStore.getState();
  if (phase === 'loading') return;
  useModelStore.setState({ phase: 'loading', progress: null, error: null, info: null });
  const reply = await host().request('load', { modelDir: modelDir.trim(), device, weights });
  if (reply.ok) {
    useModelStore.setState({ phase: 'ready', info: reply.value, progress: null });
    useChatStore.setState({ mode: reply.value.hasChatTemplate ? 'chat' : 'prompt' });
  } else {
    useModelStore.setState({ phase: 'failed', error: reply.error, progress: null });
  }
  await refreshStatus();
}

export async function refreshStatus(): Promise<void> {
  const reply = await host().request('status', {});
  if (reply.ok) useCacheStore.setState({ status: reply.value, streamedSinceStatus: 0 });
}

export async function send(text: string): Promise<void> {
  const chat = useChatStore.getState();
  if (chat.generationId || !text.trim()) return;
  const user: ChatMessage = { id: newId('m'), role: 'user', text, state: 'done' };
  const assistant: ChatMessage = { id: newId('m'), role: 'assistant', text: '', state: 'streaming' };
  const generationId = newId('g');
  const history = chat.messages.filter((m) => m.state !== 'failed' && m.text);
  useChatStore.setState({ messages: [...chat.messages, user, assistant], generationId });

  const request: RequestPayload<'generate'> = {
    generationId,
    maxTokens: chat.maxTokens,
    sampling: { temperature: chat.temperature },
    ...(chat.mode === 'prompt' ? { prompt: text } : { messages: toTurns([...history, user]) }),
  };
  const reply = await host().request('generate', request);
  useChatStore.setState({ generationId: null });
  if (reply.ok) {
    // The reply's text is authoritative: over HTTP the last token events may arrive after it.
    const state = reply.value.stopReason === 'cancelled' ? 'stopped' : 'done';
    updateMessage(assistant.id, () => ({ text: reply.value.text, state, result: reply.value }));
  } else {
    updateMessage(assistant.id, () => ({ state: 'failed', error: reply.error.message }));
  }
  await refreshStatus();
}

export async function stop(): Promise<void> {
  const { generationId } = useChatStore.getState();
  if (generationId) await host().request('cancel', { generationId });
}

export async function clearConversation(): Promise<void> {
  if (useChatStore.getState().generationId) return;
  useChatStore.setState({ messages: [] });
  const reply = await host().request('reset', {});
  if (!reply.ok) useModelStore.setState({ error: reply.error });
  await refreshStatus();
}

function toTurns(messages: ChatMessage[]): ChatTurn[] {
  return messages.map((m) => ({ role: m.role, content: m.text }));
}
