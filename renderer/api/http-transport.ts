import { decodeBinaryFrame } from '../../common/binary-frame.js';
import { BINARY_CONTENT_TYPE, HTTP_EVENTS_PATH, HTTP_TOKEN_QUERY, HTTP_UPLOAD_PATH, httpRequestPath } from '../../common/channels.js';
import type { AnyReply, EngineEvent, Reply, ReplyError, RequestName, RequestPayload } from '../../common/contract.js';
import { ENGINE_EVENT_TYPES } from './event-types.js';
import type { SourceResult, Transport } from './transport.js';

const unreachable = (e: unknown): ReplyError => ({
  code: 'HOST_UNREACHABLE',
  message: `The Longread server did not answer (${e instanceof Error ? e.message : String(e)}). Is it still running?`,
});

/** Talks to the web host: JSON POSTs with the launch token, binary frames for bulk replies, one shared EventSource. */
export class HttpTransport implements Transport {
  readonly kind = 'http';
  private readonly listeners = new Set<(event: EngineEvent) => void>();
  private source: EventSource | null = null;

  constructor(
    private readonly token: string,
    /** Where the API lives, relative to the page ('./' when served by the host). */
    private readonly baseUrl: string = './',
  ) {}

  async request<N extends RequestName>(name: N, payload: RequestPayload<N>): Promise<Reply<N>> {
    try {
      const res = await fetch(this.url(httpRequestPath(name)), {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${this.token}` },
        body: JSON.stringify(payload),
      });
      return (await readReply(res)) as Reply<N>;
    } catch (e) {
      return { ok: false, error: unreachable(e) };
    }
  }

  async sourceForFile(file: File): Promise<SourceResult> {
    try {
      const res = await fetch(`${this.url(HTTP_UPLOAD_PATH)}?name=${encodeURIComponent(file.name)}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/octet-stream', Authorization: `Bearer ${this.token}` },
        body: file,
      });
      const reply = await readReply(res);
      if (!reply.ok) return reply;
      return { ok: true, value: { uploadId: (reply.value as { uploadId: string }).uploadId } };
    } catch (e) {
      return { ok: false, error: unreachable(e) };
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

  private url(path: string): string {
    return this.baseUrl + path.replace(/^\//, '');
  }

  private openSource(): EventSource {
    const source = new EventSource(`${this.url(HTTP_EVENTS_PATH)}?${HTTP_TOKEN_QUERY}=${encodeURIComponent(this.token)}`);
    for (const type of ENGINE_EVENT_TYPES) {
      source.addEventListener(type, (message) => {
        const event = JSON.parse((message as MessageEvent<string>).data) as EngineEvent;
        for (const listener of this.listeners) listener(event);
      });
    }
    return source;
  }
}

/** A reply is JSON, or a binary frame where it carries typed arrays; a non-reply body (a proxy's error page) is an error. */
export async function readReply(res: Response): Promise<AnyReply> {
  const type = res.headers.get('Content-Type') ?? '';
  if (type.startsWith(BINARY_CONTENT_TYPE)) return decodeBinaryFrame(new Uint8Array(await res.arrayBuffer())) as AnyReply;
  if (type.startsWith('application/json')) return (await res.json()) as AnyReply;
  return { ok: false, error: { code: 'HOST_UNREACHABLE', message: `The server answered ${res.status} ${res.statusText} without a reply` } };
}
