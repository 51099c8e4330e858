import { beforeEach, describe, expect, it } from 'vitest';
import type { AnyReply, EngineEvent, Reply, RequestName, RequestPayload } from '../../main/ipc-contract.js';
import { setHost } from '../../renderer/api/host.js';
import type { Transport } from '../../renderer/api/transport.js';
import { loadModel, send, stop } from '../../renderer/state/actions.js';
import { useCacheStore } from '../../renderer/state/cache-store.js';
import { useChatStore } from '../../renderer/state/chat-store.js';
import { applyEvent } from '../../renderer/state/events.js';
import { useModelStore } from '../../renderer/state/model-store.js';
import { FAKE_MODEL_INFO } from '../main/fake-engine.js';

/** A host that records requests and answers from a table; `generate` replies when the test says so. */
class ScriptedHost implements Transport {
  readonly requests: { name: RequestName; payload: unknown }[] = [];
  replies: Partial<Record<RequestName, AnyReply>> = {};
  private finishGenerate: ((reply: AnyReply) => void) | null = null;

  request<N extends RequestName>(name: N, payload: RequestPayload<N>): Promise<Reply<N>> {
    this.requests.push({ name, payload });
    if (name === 'generate') return new Promise<AnyReply>((resolve) => (this.finishGenerate = resolve)) as Promise<Reply<N>>;
    return Promise.resolve(this.replies[name] ?? { ok: true, value: null }) as Promise<Reply<N>>;
  }

  onEvent(_listener: (event: EngineEvent) => void): () => void {
    return () => undefined;
  }

  finish(reply: AnyReply): void {
    this.finishGenerate?.(reply);
  }
}

const result = (text: string, stopReason = 'max-tokens') => ({
  ok: true as const,
  value: { text, tokens: 2, stopReason, promptTokens: 1, prefilledTokens: 1, prefillMs: 1, decodeMs: 1, executionProvider: 'cpu' },
});

let host: ScriptedHost;
beforeEach(() => {
  host = new ScriptedHost();
  setHost(host);
  useChatStore.setState({ messages: [], generationId: null, mode: 'chat', maxTokens: 16, temperature: 0 });
  useModelStore.setState({ modelDir: '/models/m', phase: 'empty', info: null, error: null });
  useCacheStore.setState({ status: null, streamedSinceStatus: 0 });
});

const generationRequest = () => host.requests.find((r) => r.name === 'generate')?.payload as Record<string, unknown>;
const lastMessage = () => useChatStore.getState().messages.at(-1)!;

describe('renderer state', () => {
  it('loads a model and picks prompt mode for a model without a chat template', async () => {
    host.replies.load = { ok: true, value: { ...FAKE_MODEL_INFO, hasChatTemplate: false } };
    await loadModel();
    expect(host.requests[0]).toEqual({ name: 'load', payload: { modelDir: '/models/m', device: 'auto', weights: 'q4' } });
    expect(useModelStore.getState().phase).toBe('ready');
    expect(useChatStore.getState().mode).toBe('prompt');
  });

  it('shows a load failure with its message', async () => {
    host.replies.load = { ok: false, error: { code: 'NOT_A_MODEL_FOLDER', message: 'no config.json' } };
    await loadModel();
    expect(useModelStore.getState()).toMatchObject({ phase: 'failed', error: { message: 'no config.json' } });
  });

  it('sends the conversation in chat mode and the bare text in prompt mode', async () => {
    const first = send('Hi');
    expect(generationRequest()).toMatchObject({ messages: [{ role: 'user', content: 'Hi' }], maxTokens: 16, sampling: { temperature: 0 } });
    host.finish(result('Hello!'));
    await first;
    host.requests.length = 0;
    const second = send('More');
    expect(generationRequest().messages).toEqual([
      { role: 'user', content: 'Hi' },
      { role: 'assistant', content: 'Hello!' },
      { role: 'user', content: 'More' },
    ]);
    host.finish(result('ok'));
    await second;

    host.requests.length = 0;
    useChatStore.setState({ mode: 'prompt' });
    const third = send('Zoo');
    expect(generationRequest()).toMatchObject({ prompt: 'Zoo' });
    expect(generationRequest()).not.toHaveProperty('messages');
    host.finish(result(' was'));
    await third;
  });

  it('streams tokens of the current generation only, then settles on the reply text', async () => {
    const pending = send('Hi');
    const { generationId } = useChatStore.getState();
    applyEvent({ type: 'token', generationId: generationId!, text: 'Hel', tokenId: 1 });
    applyEvent({ type: 'token', generationId: 'an-old-one', text: 'XX', tokenId: 2 });
    applyEvent({ type: 'token', generationId: generationId!, text: 'lo', tokenId: 3 });
    expect(lastMessage()).toMatchObject({ role: 'assistant', text: 'Hello', state: 'streaming' });
    expect(useCacheStore.getState().streamedSinceStatus).toBe(2);
    host.finish(result('Hello!'));
    await pending;
    expect(lastMessage()).toMatchObject({ text: 'Hello!', state: 'done' });
    expect(useChatStore.getState().generationId).toBeNull();
  });

  it('stops by cancelling the running generation, and marks the reply stopped', async () => {
    const pending = send('Hi');
    const { generationId } = useChatStore.getState();
    await stop();
    expect(host.requests.at(-1)).toEqual({ name: 'cancel', payload: { generationId } });
    host.finish(result('Hel', 'cancelled'));
    await pending;
    expect(lastMessage().state).toBe('stopped');
  });

  it('shows a failed generation inline and a crash in the model panel', async () => {
    const pending = send('Hi');
    applyEvent({ type: 'crash', message: 'the engine thread exited with code 70' });
    host.finish({ ok: false, error: { code: 'WORKER_CRASHED', message: 'the model must be loaded again' } });
    await pending;
    expect(lastMessage()).toMatchObject({ state: 'failed', error: 'the model must be loaded again' });
    expect(useModelStore.getState()).toMatchObject({ phase: 'failed', info: null, error: { code: 'WORKER_CRASHED' } });
  });
});
