import type { ProgressEvent } from '../../common/contract.js';

/** A long operation's latest progress, as its events report it. */
export type Progress = Omit<ProgressEvent, 'type' | 'operationId'>;

export function progressOf(event: ProgressEvent): Progress {
  const { stage, done, total, unit, rate, etaMs } = event;
  return { stage, done, total, unit, rate, etaMs };
}
