import { engineEventSchema, type EngineEvent } from '../../common/contract.js';

/**
 * Reads a host's Server-Sent Events stream (`GET /api/events?token=…`) until it ends or `signal` aborts, handing each
 * event — checked against the contract — to `onEvent`. Resolves when the stream is over.
 */
export async function readEventStream(url: string, signal: AbortSignal, onEvent: (event: EngineEvent) => void): Promise<void> {
  const res = await fetch(url, { signal });
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const data = buffer
          .slice(0, end)
          .split('\n')
          .find((l) => l.startsWith('data: '));
        buffer = buffer.slice(end + 2);
        if (data) onEvent(engineEventSchema.parse(JSON.parse(data.slice(6))));
      }
    }
  } catch (e) {
    if (!signal.aborted) throw e;
  }
}
