import type { EngineEvent } from '../../common/contract.js';
import { LongreadError } from '../errors.js';
import type { OperationControl, ProgressStage, ProgressUnit } from '../util/operation.js';

/** Progress events of one operation at most this often (the last of a stage always goes out). */
const PROGRESS_INTERVAL_MS = 100;

const yieldToEvents = () => new Promise<void>((resolve) => setImmediate(resolve));

interface Running {
  operationId: string;
  kind: string;
  /** Operations that supersede each other share a key (e.g. the slider of one document). */
  supersedeKey?: string;
  cancelled: boolean;
  started: boolean;
  /** Rejects the caller's promise at once while the operation still waits for its turn. */
  dropQueued: () => void;
}

/**
 * Runs the engine's long operations one at a time (they share the model), each with its own cancellation and
 * progress, while quick requests (status, retention, library) are answered in between: every progress report and
 * cancellation check yields to the event loop, so a cancel message is seen at the next model call.
 */
export class OperationRunner {
  private queue: Promise<unknown> = Promise.resolve();
  private readonly live = new Map<string, Running>();
  private current: Running | null = null;

  constructor(private readonly emit: (event: EngineEvent) => void) {}

  get busy(): { operationId: string; kind: string } | null {
    return this.current ? { operationId: this.current.operationId, kind: this.current.kind } : null;
  }

  /** Marks an operation (queued or running) as cancelled; it stops at its next check. */
  cancel(operationId: string): boolean {
    const op = this.live.get(operationId);
    if (!op || op.cancelled) return false;
    this.markCancelled(op);
    return true;
  }

  private markCancelled(op: Running): void {
    op.cancelled = true;
    if (!op.started) op.dropQueued();
  }

  run<T>(operationId: string, kind: string, work: (control: OperationControl) => Promise<T>, options: { supersedeKey?: string } = {}): Promise<T> {
    if (this.live.has(operationId)) return Promise.reject(new LongreadError('BAD_ARGUMENT', `operation ${operationId} is already running`));
    let dropQueued = () => {};
    const dropped = new Promise<never>((_, reject) => (dropQueued = () => reject(new LongreadError('CANCELLED', 'Cancelled before it started'))));
    const op: Running = { operationId, kind, supersedeKey: options.supersedeKey, cancelled: false, started: false, dropQueued };
    if (op.supersedeKey) for (const other of this.live.values()) if (other.supersedeKey === op.supersedeKey && !other.cancelled) this.markCancelled(other);
    this.live.set(operationId, op);
    const result = this.queue.then(async () => {
      if (op.cancelled) throw new LongreadError('CANCELLED', 'Cancelled before it started');
      op.started = true;
      this.current = op;
      try {
        return await work(this.control(op));
      } finally {
        this.current = null;
      }
    });
    // The next operation waits for this one's work, not for its caller's early rejection.
    this.queue = result.catch(() => undefined);
    return Promise.race([result, dropped]).finally(() => this.live.delete(operationId));
  }

  private control(op: Running): OperationControl {
    let stage: { name: ProgressStage; t0: number; done0: number; lastSent: number } | null = null;
    return {
      progress: (name: ProgressStage, done: number, total: number, unit: ProgressUnit) => {
        const now = performance.now();
        if (!stage || stage.name !== name) stage = { name, t0: now, done0: done, lastSent: 0 };
        if (now - stage.lastSent < PROGRESS_INTERVAL_MS && done < total) return;
        stage.lastSent = now;
        const seconds = (now - stage.t0) / 1000;
        const rate = seconds > 0.05 && done > stage.done0 ? (done - stage.done0) / seconds : null;
        const etaMs = rate ? ((total - done) / rate) * 1000 : null;
        this.emit({ type: 'progress', operationId: op.operationId, stage: name, done, total, unit, rate, etaMs });
      },
      isCancelled: async () => {
        await yieldToEvents();
        return op.cancelled;
      },
    };
  }
}
