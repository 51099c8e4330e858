import { create } from 'zustand';
import type { CacheStatus } from '../../main/ipc-contract.js';

export interface CacheState {
  /** The engine's last answer to `status`; null when no model is loaded. */
  status: CacheStatus | null;
  /** Tokens streamed since that answer: the engine answers `status` only between generations. */
  streamedSinceStatus: number;
}

export const useCacheStore = create<CacheState>()(() => ({ status: null, streamedSinceStatus: 0 }));
