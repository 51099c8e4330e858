import type { ProgressEvent, TokenEvent } from '../../common/contract.js';

/** What a running operation does with its own events. */
export interface OperationHandlers {
  progress?(event: ProgressEvent): void;
  token?(event: TokenEvent): void;
}

const running = new Map<string, OperationHandlers>();

/**
 * Routes the events that carry `operationId` to `handlers` until the returned function is called. Events of
 * operations nobody tracks (finished, stopped, someone else's) are dropped.
 */
export function track(operationId: string, handlers: OperationHandlers): () => void {
  running.set(operationId, handlers);
  return () => {
    if (running.get(operationId) === handlers) running.delete(operationId);
  };
}

export function dispatchOperationEvent(event: ProgressEvent | TokenEvent): void {
  const handlers = running.get(event.operationId);
  if (event.type === 'progress') handlers?.progress?.(event);
  else handlers?.token?.(event);
}
