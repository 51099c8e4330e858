import type { EngineEvent, Reply, ReplyError, RequestName, RequestPayload } from '../../common/contract.js';

/** What `openDocument` reads: a path (Electron) or an upload the web host keeps (browser). */
export type DocumentSource = RequestPayload<'openDocument'>['source'];

export type SourceResult = { ok: true; value: DocumentSource } | { ok: false; error: ReplyError };

/** How the UI reaches its host: Electron's preload bridge or the localhost HTTP server. Same contract either way. */
export interface Transport {
  readonly kind: 'electron' | 'http';
  request<N extends RequestName>(name: N, payload: RequestPayload<N>): Promise<Reply<N>>;
  /** Returns a function that stops listening. */
  onEvent(listener: (event: EngineEvent) => void): () => void;
  /** Turns a dropped or picked file into something the engine can open (a path, or an upload). */
  sourceForFile(file: File): Promise<SourceResult>;
}
