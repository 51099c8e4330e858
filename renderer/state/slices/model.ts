import type { ModelInfo, ReplyError } from '../../../common/contract.js';
import type { Progress } from '../progress.js';

export type ModelPhase = 'idle' | 'loading' | 'ready' | 'failed';

export interface ModelSlice {
  phase: ModelPhase;
  operationId: string | null;
  progress: Progress | null;
  info: ModelInfo | null;
  error: ReplyError | null;
}

export const initialModel = (): ModelSlice => ({ phase: 'idle', operationId: null, progress: null, info: null, error: null });
