import type { AnyReply, EngineEvent, Reply, RequestName, RequestPayload } from '../../../common/contract.js';
import type { SourceResult, Transport } from '../../../renderer/api/transport.js';

type Handler = (payload: never) => AnyReply | Promise<AnyReply>;

/**
 * A host for the renderer's state tests: records every request, answers from per-request handlers (a value, or a
 * promise the test settles), and pushes events to whoever listens.
 */
export class FakeHost implements Transport {
  readonly kind = 'http';
  readonly requests: { name: RequestName; payload: Record<string, unknown> }[] = [];
  readonly uploads: string[] = [];
  private readonly handlers = new Map<RequestName, Handler>();
  private readonly listeners = new Set<(event: EngineEvent) => void>();
  private readonly waiting = new Map<string, (reply: AnyReply) => void>();

  /** Answers `name` with `reply` (or what `reply` returns for the payload). */
  on<N extends RequestName>(name: N, reply: AnyReply | ((payload: RequestPayload<N>) => AnyReply | Promise<AnyReply>)): this {
    this.handlers.set(name, (typeof reply === 'function' ? reply : () => reply) as Handler);
    return this;
  }

  /** Leaves `name` unanswered until `settle(operationId or name, reply)`. */
  hold<N extends RequestName>(name: N): this {
    this.handlers.set(name, ((payload: { operationId?: string }) => new Promise<AnyReply>((resolve) => this.waiting.set(payload.operationId ?? name, resolve))) as Handler);
    return this;
  }

  settle(key: string, reply: AnyReply): void {
    const resolve = this.waiting.get(key);
    if (!resolve) throw new Error(`nothing waits for ${key}; waiting: ${[...this.waiting.keys()].join(', ')}`);
    this.waiting.delete(key);
    resolve(reply);
  }

  request<N extends RequestName>(name: N, payload: RequestPayload<N>): Promise<Reply<N>> {
    this.requests.push({ name, payload: payload as Record<string, unknown> });
    const handler = this.handlers.get(name);
    if (!handler) return Promise.resolve({ ok: false, error: { code: 'UNKNOWN_REQUEST', message: `the fake host does not answer ${name}` } });
    return Promise.resolve(handler(payload as never)) as Promise<Reply<N>>;
  }

  onEvent(listener: (event: EngineEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  sourceForFile(file: File): Promise<SourceResult> {
    this.uploads.push(file.name);
    return Promise.resolve({ ok: true, value: { uploadId: `up-${this.uploads.length}` } });
  }

  emit(event: EngineEvent): void {
    for (const listener of this.listeners) listener(event);
  }

  named(name: RequestName): Record<string, unknown>[] {
    return this.requests.filter((r) => r.name === name).map((r) => r.payload);
  }

  last(name: RequestName): Record<string, unknown> {
    const all = this.named(name);
    if (all.length === 0) throw new Error(`no ${name} request was made`);
    return all[all.length - 1];
  }
}

export const ok = <T>(value: T) => ({ ok: true as const, value });
export const fail = (code: string, message = code) => ({ ok: false as const, error: { code, message } });

/** Lets pending promise chains (the actions' awaits) run. */
export async function flush(times = 5): Promise<void> {
  for (let i = 0; i < times; i++) await new Promise((r) => setTimeout(r, 0));
}
