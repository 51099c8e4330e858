import type { EngineStatus } from '../../../common/contract.js';

/** The engine's live status as it pushes it (reading, generating) or answers it. */
export interface EngineSlice {
  status: EngineStatus | null;
}

export const initialEngine = (): EngineSlice => ({ status: null });
