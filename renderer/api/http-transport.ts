import { HTTP_EVENTS_PATH, HTTP_TOKEN_QUERY, httpRequestPath } from '../../main/ipc-channels.js';
import type { EngineEvent, EngineEventType, Reply, RequestName, RequestPayload } from '../../main/ipc-contract.js';
import type { Transport } from './transport.js';

// Spelled out (and checked against the contract) because the renderer imports the contract for types only.
const EVENT_TYPES: Record<EngineEventType, true> = { progress: true, token: true, crash: true, modelFolderChosen: true };

/** Talks to main/web-server.ts: JSON POSTs with the launch token, events over one shared EventSource. */
export class HttpTransport implements Transport {
  private readonly listeners = new Set<(event: EngineEvent) => void>();
  private source: EventSource | null = null;

  constructor(
    private readonly token: string,
    private readonly baseUrl: string = '',
  ) {}

  async request<N extends RequestName>(name: N, payload: RequestPayload<N>): Promise<Reply<N>> {
    try {
      const res = await fetch(this.baseUrl + httpRequestPath(name).slice(1), {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${this.token}` },
        body: JSON.stringify(payload),
      });
      return (await res.json()) as Reply<N>;
    } catch (e) {
      return { ok: false, error: { code: 'HOST_UNREACHABLE', message: `The Longread server did not answer (${e instanceof Error ? e.message : String(e)})` } };
    }
  }

  onEvent(listener: (event: EngineEvent) => void): () => void {
    this.listeners.add(listener);
    this.source ??= this.openSource();
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) {
        this.source?.close();
        this.source = null;
      }
    };
  }

  private openSource(): EventSource {
    const source = new EventSource(`${this.baseUrl}${HTTP_EVENTS_PATH.slice(1)}?${HTTP_TOKEN_QUERY}=${encodeURIComponent(this.token)}`);
    for (const type of Object.keys(EVENT_TYPES)) {
      source.addEventListener(type, (message) => {
        const event = JSON.parse((message as MessageEvent<string>).data) as EngineEvent;
        for (const listener of this.listeners) listener(event);
      });
    }
    return source;
  }
}
