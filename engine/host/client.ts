import { Worker } from 'node:worker_threads';
import { LongreadError } from '../errors.js';
import type { CacheStatus, GenerateRequest, GenerateResult, HostEvent, HostRequest, LoadRequest, ModelInfo } from './protocol.js';

type Pending = {
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  onToken?: (text: string, tokenId: number) => void;
  onProgress?: (stage: string, done: number, total: number) => void;
};

type RequestBody = HostRequest extends infer R ? (R extends { id: number } ? Omit<R, 'id'> : never) : never;

/** Starts the engine thread: the sibling worker.js when built; from TypeScript sources (tests) through tsx. */
function startWorker(workerData: unknown): Worker {
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL('./worker.js', import.meta.url), { workerData });
  const entry = JSON.stringify(new URL('./worker.ts', import.meta.url).href);
  const boot = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${entry}); })`;
  return new Worker(boot, { eval: true, workerData });
}

/**
 * The async face of the engine: runs the engine in a worker thread and forwards calls to it. If the worker dies,
 * pending calls fail with WORKER_CRASHED and the next call starts a fresh worker (the model must be loaded again).
 */
export class EngineClient {
  private worker: Worker | null = null;
  private readonly cancel = new SharedArrayBuffer(4);
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private closing = false;
  /** Called when the worker dies unexpectedly. */
  onCrash?: (message: string) => void;

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const worker = startWorker({ cancel: this.cancel });
    worker.on('message', (e: HostEvent) => this.onEvent(e));
    worker.on('error', (err) => this.onDeath(worker, `the engine thread failed: ${err.message}`));
    worker.on('exit', (code) => this.onDeath(worker, `the engine thread exited with code ${code}`));
    this.worker = worker;
    return worker;
  }

  private onEvent(e: HostEvent): void {
    const p = this.pending.get(e.id);
    if (!p) return;
    switch (e.type) {
      case 'token':
        p.onToken?.(e.text, e.tokenId);
        break;
      case 'progress':
        p.onProgress?.(e.stage, e.done, e.total);
        break;
      case 'result':
        this.pending.delete(e.id);
        p.resolve(e.value);
        break;
      case 'error':
        this.pending.delete(e.id);
        p.reject(new LongreadError(e.code, e.message));
        break;
    }
  }

  private onDeath(worker: Worker, message: string): void {
    if (this.worker !== worker) return;
    this.worker = null;
    const err = new LongreadError('WORKER_CRASHED', `${message}; the model must be loaded again`);
    for (const p of this.pending.values()) p.reject(err);
    const hadWork = this.pending.size > 0;
    this.pending.clear();
    if (hadWork || !this.closing) this.onCrash?.(err.message);
  }

  private call<T>(body: RequestBody, hooks: Omit<Pending, 'resolve' | 'reject'> = {}): { id: number; done: Promise<T> } {
    const worker = this.ensureWorker();
    const id = this.nextId++;
    const done = new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, ...hooks });
    });
    worker.postMessage({ ...body, id } as HostRequest);
    return { id, done };
  }

  load(req: LoadRequest, onProgress?: Pending['onProgress']): Promise<ModelInfo> {
    return this.call<ModelInfo>({ type: 'load', req }, { onProgress }).done;
  }

  /** Starts a generation; `cancel()` stops it at the next token (the result then has stopReason 'cancelled'). */
  generate(req: GenerateRequest, onToken?: Pending['onToken']): { result: Promise<GenerateResult>; cancel: () => void } {
    const { id, done } = this.call<GenerateResult>({ type: 'generate', req }, { onToken });
    return { result: done, cancel: () => Atomics.store(new Int32Array(this.cancel), 0, id) };
  }

  status(): Promise<CacheStatus | null> {
    return this.call<CacheStatus | null>({ type: 'status' }).done;
  }

  reset(): Promise<void> {
    return this.call<void>({ type: 'reset' }).done;
  }

  unload(): Promise<void> {
    return this.call<void>({ type: 'unload' }).done;
  }

  /** Test hook: makes the worker exit abruptly. */
  crashForTest(): Promise<void> {
    return this.call<void>({ type: 'crash' }).done;
  }

  async close(): Promise<void> {
    this.closing = true;
    const w = this.worker;
    this.worker = null;
    for (const p of this.pending.values()) p.reject(new LongreadError('CANCELLED', 'the engine was closed'));
    this.pending.clear();
    await w?.terminate();
  }
}
