import type { EngineEventType } from '../../common/contract.js';

/** Every event type the host pushes; spelled out here (checked against the contract) because zod is not bundled. */
const EVENT_TYPES: Record<EngineEventType, true> = {
  progress: true,
  token: true,
  status: true,
  crash: true,
  engineRestarted: true,
  modelFolderChosen: true,
  documentChosen: true,
};

export const ENGINE_EVENT_TYPES = Object.keys(EVENT_TYPES) as EngineEventType[];
