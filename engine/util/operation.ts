import type { ProgressEvent } from '../../common/contract.js';
import { LongreadError } from '../errors.js';

export type ProgressStage = ProgressEvent['stage'];
export type ProgressUnit = ProgressEvent['unit'];

/** What a long operation reports to, and asks whether to stop: given by the host, or a no-op. */
export interface OperationControl {
  progress(stage: ProgressStage, done: number, total: number, unit: ProgressUnit): void;
  /** Lets pending messages (a cancel) be handled, then says whether the operation should stop. */
  isCancelled(): Promise<boolean>;
}

export const NO_CONTROL: OperationControl = {
  progress: () => {},
  isCancelled: async () => false,
};

export async function throwIfCancelled(control: OperationControl, what: string): Promise<void> {
  if (await control.isCancelled()) throw new LongreadError('CANCELLED', `Cancelled while ${what}`);
}
