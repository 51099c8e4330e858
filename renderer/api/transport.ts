import type { EngineEvent, LongreadBridge, RequestName, RequestPayload, Reply } from '../../main/ipc-contract.js';

/** How the UI reaches its host: Electron's preload bridge or the localhost HTTP server. Same contract either way. */
export interface Transport extends LongreadBridge {
  request<N extends RequestName>(name: N, payload: RequestPayload<N>): Promise<Reply<N>>;
  onEvent(listener: (event: EngineEvent) => void): () => void;
}
