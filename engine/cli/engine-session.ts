import type { EngineEvent, EngineRequestName, ReplyValue, RequestPayload } from '../../common/contract.js';
import { LongreadError, type ErrorCode } from '../errors.js';
import { EngineService } from '../host/engine-service.js';
import { defaultDataDir } from '../util/paths.js';

/**
 * The engine for a CLI command, in this process: the same service the app's engine process runs, called directly.
 * Failures become LongreadErrors (the CLI prints them as one line with the code).
 */
export class CliEngine {
  private readonly service: EngineService;
  private readonly listeners = new Set<(e: EngineEvent) => void>();
  private nextOperation = 1;

  constructor(dataDir = defaultDataDir()) {
    this.service = new EngineService({ dataDir, cacheRoot: process.env.LONGREAD_CACHE, emit: (e) => this.listeners.forEach((l) => l(e)) });
  }

  onEvent(listener: (e: EngineEvent) => void): void {
    this.listeners.add(listener);
  }

  operationId(): string {
    return `cli-${process.pid}-${this.nextOperation++}`;
  }

  async call<N extends EngineRequestName>(name: N, payload: RequestPayload<N>): Promise<ReplyValue<N>> {
    const reply = await this.service.handle(name, payload);
    if (!reply.ok) throw new LongreadError(reply.error.code as ErrorCode, reply.error.message);
    return reply.value as ReplyValue<N>;
  }

  /** Cancels every running operation (Ctrl-C). */
  cancel(operationId: string): void {
    void this.service.handle('cancel', { operationId });
  }

  close(): Promise<void> {
    return this.service.close();
  }
}
