import type { AnyReply, EngineEnvelope, EngineEvent, EngineRequestName, EngineStatus, Reply, RequestPayload } from '../../common/contract.js';
import type { EngineChannel, EngineLauncher } from './channels.js';

/** How long a cancelled operation may take to stop before the engine process is killed and restarted. */
export const DEFAULT_CANCEL_GRACE_MS = 4000;
/** How long a new engine process may take to say it is ready before it is killed (and started again). */
export const ENGINE_START_TIMEOUT_MS = 60_000;

interface Pending {
  resolve: (reply: AnyReply) => void;
  name: string;
  operationId?: string;
}

export interface EngineClientOptions {
  cancelGraceMs?: number;
}

/**
 * The host's side of the engine: starts the engine process, sends requests and matches replies, forwards events,
 * and keeps the engine alive. When the process dies, pending requests fail with WORKER_CRASHED, a `crash` event goes
 * out, the process is started again and the last model reloaded (`engineRestarted`). A cancelled operation that does
 * not stop within the grace period (a blocked read, a runaway template) gets the process killed the same way.
 * `status` is answered from the last pushed status, so it never waits behind a model call.
 */
export class EngineClient {
  private channel: EngineChannel | null = null;
  /** Messages for an engine that has not said `ready` yet; null once it has. */
  private unsent: EngineEnvelope[] | null = null;
  private startTimer: NodeJS.Timeout | null = null;
  private readonly pending = new Map<number, Pending>();
  private readonly listeners = new Set<(event: EngineEvent) => void>();
  private nextId = 1;
  private closing = false;
  private lastStatus: EngineStatus | null = null;
  private lastLoad: RequestPayload<'loadModel'> | null = null;
  private readonly watchdogs = new Map<string, NodeJS.Timeout>();
  private readonly graceMs: number;

  constructor(
    private readonly launch: EngineLauncher,
    options: EngineClientOptions = {},
  ) {
    this.graceMs = options.cancelGraceMs ?? DEFAULT_CANCEL_GRACE_MS;
  }

  onEvent(listener: (event: EngineEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(event: EngineEvent): void {
    if (event.type === 'status') this.lastStatus = event.status;
    for (const l of this.listeners) l(event);
  }

  private ensureChannel(): EngineChannel {
    if (this.channel) return this.channel;
    const channel = this.launch();
    channel.onMessage((m) => this.onMessage(m));
    channel.onExit((reason) => this.onExit(channel, reason));
    this.channel = channel;
    this.unsent = [];
    this.startTimer = setTimeout(() => {
      if (this.channel === channel && this.unsent !== null) channel.kill();
    }, ENGINE_START_TIMEOUT_MS);
    return channel;
  }

  /** Sends now, or as soon as the engine says it is ready. */
  private post(message: EngineEnvelope): void {
    const channel = this.ensureChannel();
    if (this.unsent) this.unsent.push(message);
    else channel.post(message);
  }

  private onMessage(m: EngineEnvelope): void {
    if (m.kind === 'ready') {
      const queued = this.unsent ?? [];
      this.unsent = null;
      if (this.startTimer) clearTimeout(this.startTimer);
      for (const q of queued) this.channel?.post(q);
    } else if (m.kind === 'event') this.emit(m.event as EngineEvent);
    else if (m.kind === 'reply') {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (p.operationId) this.clearWatchdog(p.operationId);
      p.resolve(m.reply);
    }
  }

  private onExit(channel: EngineChannel, reason: string): void {
    if (this.channel !== channel) return;
    this.channel = null;
    this.unsent = null;
    if (this.startTimer) clearTimeout(this.startTimer);
    for (const t of this.watchdogs.values()) clearTimeout(t);
    this.watchdogs.clear();
    const failed = [...this.pending.values()];
    this.pending.clear();
    this.lastStatus = null;
    if (this.closing) {
      for (const p of failed) p.resolve(fail('CANCELLED', 'The engine was closed'));
      return;
    }
    const message = `${reason}; the engine was restarted`;
    for (const p of failed) p.resolve(fail(this.killedOnPurpose ? 'CANCELLED' : 'WORKER_CRASHED', this.killedOnPurpose ? 'Stopped: the operation did not respond to cancel, so the engine was restarted' : `The engine stopped unexpectedly (${message})`));
    this.killedOnPurpose = false;
    this.emit({ type: 'crash', message });
    void this.restart();
  }

  private killedOnPurpose = false;

  private async restart(): Promise<void> {
    const load = this.lastLoad;
    if (!load) {
      this.ensureChannel();
      this.emit({ type: 'engineRestarted', modelReloaded: false });
      return;
    }
    const reply = await this.request('loadModel', { ...load, operationId: `reload-${Date.now().toString(36)}` });
    this.emit({ type: 'engineRestarted', modelReloaded: reply.ok });
  }

  /** Sends a request to the engine; never throws (failures are error replies). */
  request<N extends EngineRequestName>(name: N, payload: RequestPayload<N>): Promise<Reply<N>> {
    if (this.closing) return Promise.resolve(fail('CANCELLED', 'The engine was closed') as Reply<N>);
    if (name === 'status' && this.lastStatus) return Promise.resolve({ ok: true, value: this.lastStatus } as Reply<N>);
    if (name === 'cancel') this.armWatchdog((payload as RequestPayload<'cancel'>).operationId);
    const id = this.nextId++;
    const operationId = typeof payload === 'object' && payload !== null && 'operationId' in payload ? String(payload.operationId) : undefined;
    const done = new Promise<AnyReply>((resolve) => this.pending.set(id, { resolve, name, operationId: name === 'cancel' ? undefined : operationId }));
    this.post({ kind: 'request', id, name, payload });
    return done.then((reply) => {
      if (name === 'loadModel' && reply.ok) this.lastLoad = { ...(payload as RequestPayload<'loadModel'>) };
      return reply as Reply<N>;
    });
  }

  /** If the operation is still running after the grace period, kill the engine (it restarts). */
  private armWatchdog(operationId: string): void {
    if (this.watchdogs.has(operationId)) return;
    const running = [...this.pending.values()].some((p) => p.operationId === operationId);
    if (!running) return;
    this.watchdogs.set(
      operationId,
      setTimeout(() => {
        this.watchdogs.delete(operationId);
        if (![...this.pending.values()].some((p) => p.operationId === operationId)) return;
        this.killedOnPurpose = true;
        this.channel?.kill();
      }, this.graceMs),
    );
  }

  private clearWatchdog(operationId: string): void {
    const t = this.watchdogs.get(operationId);
    if (t) clearTimeout(t);
    this.watchdogs.delete(operationId);
  }

  /** Test hooks (the engine honours them only with LONGREAD_TEST_HOOKS=1). */
  crashForTest(): void {
    this.post({ kind: 'request', id: this.nextId++, name: '__crash', payload: {} });
  }

  hangForTest(operationId: string): Promise<AnyReply> {
    const id = this.nextId++;
    const done = new Promise<AnyReply>((resolve) => this.pending.set(id, { resolve, name: '__hang', operationId }));
    this.post({ kind: 'request', id, name: '__hang', payload: {} });
    return done;
  }

  async close(): Promise<void> {
    this.closing = true;
    const channel = this.channel;
    if (!channel) return;
    const exited = new Promise<void>((resolve) => channel.onExit(() => resolve()));
    channel.kill();
    await exited;
  }
}

function fail(code: string, message: string): AnyReply {
  return { ok: false, error: { code, message } };
}
