import { create } from 'zustand';
import type { Device, ModelInfo, ReplyError, Weights } from '../../main/ipc-contract.js';

export interface LoadProgress {
  stage: string;
  done: number;
  total: number;
}

export type ModelPhase = 'empty' | 'loading' | 'ready' | 'failed';

export interface ModelState {
  modelDir: string;
  device: Device;
  weights: Weights;
  phase: ModelPhase;
  progress: LoadProgress | null;
  info: ModelInfo | null;
  error: ReplyError | null;
  canOpenFolder: boolean;
  setModelDir(dir: string): void;
  setDevice(device: Device): void;
  setWeights(weights: Weights): void;
}

export const useModelStore = create<ModelState>()((set) => ({
  modelDir: '',
  device: 'auto',
  weights: 'q4',
  phase: 'empty',
  progress: null,
  info: null,
  error: null,
  canOpenFolder: false,
  setModelDir: (modelDir) => set({ modelDir }),
  setDevice: (device) => set({ device }),
  setWeights: (weights) => set({ weights }),
}));
