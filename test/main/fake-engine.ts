import { LongreadError } from '../../engine/errors.js';
import type { CacheStatus, GenerateRequest, GenerateResult, LoadRequest, ModelInfo } from '../../engine/host/protocol.js';
import type { EngineHost } from '../../main/engine-bridge.js';

export const FAKE_MODEL_INFO: ModelInfo = {
  dir: '/models/fake',
  architecture: 'LlamaForCausalLM',
  family: 'llama',
  numLayers: 2,
  numHeads: 4,
  numKvHeads: 2,
  headDim: 16,
  vocabSize: 100,
  maxPositions: 512,
  kvBytesPerToken: 512,
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
 * Stands in for EngineClient. `generate` streams `tokens` one per tick until they run out or it is cancelled;
 * `crash()` behaves like a dead worker: pending calls fail with WORKER_CRASHED and onCrash fires.
 */
export class FakeEngine implements EngineHost {
  onCrash?: (message: string) => void;
  readonly loads: LoadRequest[] = [];
  readonly generations: GenerateRequest[] = [];
  tokens = ['Once', ' upon', ' a', ' time'];
  /** Generation waits this many ms between tokens. */
  tokenDelayMs = 1;
  loadError: LongreadError | null = null;
  private status_: CacheStatus | null = null;
  private rejectPending: ((e: Error) => void)[] = [];
  /** Bumped by crash(), so generations from before it stop streaming. */
  private epoch = 0;

  async load(req: LoadRequest, onProgress?: (stage: string, done: number, total: number) => void): Promise<ModelInfo> {
    this.loads.push(req);
    if (this.loadError) throw this.loadError;
    onProgress?.('convert', 1, 2);
    onProgress?.('convert', 2, 2);
    this.status_ = { logicalLength: 0, slots: 0, usedBytes: 0, allocatedBytes: 4096 };
    return { ...FAKE_MODEL_INFO, dir: req.modelDir, weights: req.weights ?? 'q4' };
  }

  generate(req: GenerateRequest, onToken?: (text: string, tokenId: number) => void): { result: Promise<GenerateResult>; cancel: () => void } {
    this.generations.push(req);
    let cancelled = false;
    const epoch = this.epoch;
    const result = new Promise<GenerateResult>((resolve, reject) => {
      this.rejectPending.push(reject);
      const sent: string[] = [];
      const step = () => {
        if (epoch !== this.epoch) return;
        if (cancelled || sent.length === this.tokens.length) {
          const text = sent.join('');
          this.status_ = { logicalLength: 3 + sent.length, slots: 1, usedBytes: 512 * (3 + sent.length), allocatedBytes: 4096 };
          return resolve({
            text,
            tokens: sent.length,
            stopReason: cancelled ? 'cancelled' : 'max-tokens',
            promptTokens: 3,
            prefilledTokens: 3,
            prefillMs: 1,
            decodeMs: 1,
            executionProvider: 'cpu',
          });
        }
        const piece = this.tokens[sent.length];
        sent.push(piece);
        onToken?.(piece, sent.length);
        setTimeout(step, this.tokenDelayMs);
      };
      setTimeout(step, this.tokenDelayMs);
    });
    return { result, cancel: () => (cancelled = true) };
  }

  async status(): Promise<CacheStatus | null> {
    return this.status_;
  }

  async reset(): Promise<void> {
    if (this.status_) this.status_ = { ...this.status_, logicalLength: 0, slots: 0, usedBytes: 0 };
  }

  crash(): void {
    this.epoch++;
    const err = new LongreadError('WORKER_CRASHED', 'the engine thread exited with code 70; the model must be loaded again');
    for (const reject of this.rejectPending) reject(err);
    this.rejectPending = [];
    this.status_ = null;
    this.onCrash?.(err.message);
  }
}
