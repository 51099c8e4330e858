import type { AnyReply, EngineEvent } from '../../common/contract.js';
import type { ServeSession } from '../soak/serve-session.js';

/** The moment of an operation to kill the engine at: a progress stage, or the first streamed token. */
export type KillPoint = { stage: Extract<EngineEvent, { type: 'progress' }>['stage'] } | { token: true };

export interface KillOutcome {
  reply: AnyReply;
  /** Whether the engine was killed (it is not when the operation ended before the point was seen). */
  killed: boolean;
  /** Whether the operation was still running when the engine was killed: killed, and no successful reply. */
  midOperation: boolean;
  /** Events from just before the kill on, to look for what the app said. */
  since: number;
}

/**
 * Starts an operation, waits for the point given (its progress reaching a stage, or its first token), and kills the
 * engine process with SIGKILL there, as a native crash or the out-of-memory killer would.
 */
export async function killEngineDuring(serve: ServeSession, operationId: string, at: KillPoint, start: () => Promise<AnyReply>): Promise<KillOutcome> {
  const since = serve.eventCount;
  let answered = false;
  const pending = start().then((reply) => {
    answered = true;
    return reply;
  });
  const reached = (e: EngineEvent): e is EngineEvent =>
    'stage' in at ? e.type === 'progress' && e.operationId === operationId && e.stage === at.stage : e.type === 'token' && e.operationId === operationId;
  await Promise.race([serve.waitForEvent(reached, 60_000, since), pending]);
  const pid = serve.enginePid();
  const killed = !answered && pid !== null;
  if (killed) process.kill(pid, 'SIGKILL');
  const reply = await pending;
  return { reply, killed, midOperation: killed && !reply.ok, since };
}

/** A message a person can read: one line, no stack frames. */
export function isPlainMessage(message: string): boolean {
  return message.length > 0 && !message.includes('\n') && !/\bat \S+ \(|\bat \/|node:internal/.test(message);
}
