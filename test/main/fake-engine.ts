import type { AnyReply, EngineEvent, EngineRequestName, ModelInfo } from '../../common/contract.js';
import type { EngineLike } from '../../main/host-bridge.js';

export const FAKE_MODEL_INFO: ModelInfo = {
  dir: '/models/fake',
  name: 'fake',
  isDemo: false,
  architecture: 'LlamaForCausalLM',
  family: 'llama',
  numLayers: 2,
  numHeads: 4,
  numKvHeads: 2,
  headDim: 16,
  vocabSize: 100,
  maxPositions: 512,
  kvBytesPerToken: 512,
  weightsBytes: 1000,
  weights: 'q4',
  executionProvider: 'cpu',
  providerAttempts: [
    { provider: 'cuda', used: false, reason: 'CUDA provider libraries are not installed' },
    { provider: 'cpu', used: true },
  ],
  hasChatTemplate: true,
  convertedNow: false,
};

/**
 * Stands in for EngineClient: records requests; `generate` streams `tokens` as events one per tick until they run
 * out or its operation is cancelled; `replies` overrides the value of any request (to test contract checks).
 */
export class FakeEngine implements EngineLike {
  readonly requests: { name: string; payload: unknown }[] = [];
  readonly cancelled = new Set<string>();
  tokens = ['Once', ' upon', ' a', ' time'];
  tokenDelayMs = 1;
  replies: Partial<Record<EngineRequestName, unknown>> = {};
  private readonly listeners = new Set<(e: EngineEvent) => void>();

  onEvent(listener: (e: EngineEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(e: EngineEvent): void {
    for (const l of this.listeners) l(e);
  }

  async request(name: EngineRequestName, payload: unknown): Promise<AnyReply> {
    this.requests.push({ name, payload });
    if (name in this.replies) return { ok: true, value: this.replies[name] };
    const p = payload as Record<string, unknown>;
    switch (name) {
      case 'loadModel':
        return { ok: true, value: { ...FAKE_MODEL_INFO, dir: (p.modelDir as string) ?? '/demo', weights: p.weights ?? 'q4' } };
      case 'cancel':
        this.cancelled.add(p.operationId as string);
        return { ok: true, value: { cancelled: true } };
      case 'generate':
        return { ok: true, value: await this.stream(p.operationId as string) };
      default:
        return { ok: false, error: { code: 'UNSUPPORTED', message: `the fake engine does not do ${name}` } };
    }
  }

  private async stream(operationId: string): Promise<unknown> {
    const sent: string[] = [];
    while (sent.length < this.tokens.length && !this.cancelled.has(operationId)) {
      await new Promise((r) => setTimeout(r, this.tokenDelayMs));
      const piece = this.tokens[sent.length];
      sent.push(piece);
      this.emit({ type: 'token', operationId, text: piece });
    }
    return {
      operationId,
      conversationId: null,
      text: sent.join(''),
      sources: [],
      tokens: sent.length,
      stopReason: this.cancelled.has(operationId) ? 'cancelled' : 'max-tokens',
      promptTokens: 3,
      prefilledTokens: 3,
      prefillMs: 1,
      decodeMs: 1,
      executionProvider: 'cpu',
    };
  }
}
