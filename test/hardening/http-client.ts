import http from 'node:http';
import net from 'node:net';

export interface HttpCase {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
  /** Send this many bytes of the body, then cut the connection (an interrupted upload). */
  cutAfterBytes?: number;
}

export type HttpOutcome = { kind: 'reply'; status: number; contentType: string; body: Buffer } | { kind: 'cut' } | { kind: 'closed'; error: string } | { kind: 'timeout' };

/** One request on its own connection (the server must survive broken ones), bounded in time. */
export function sendCase(port: number, c: HttpCase, timeoutMs: number): Promise<HttpOutcome> {
  return new Promise((resolve) => {
    let settled = false;
    const settle = (outcome: HttpOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      resolve(outcome);
    };
    const timer = setTimeout(() => settle({ kind: 'timeout' }), timeoutMs);
    const req = http.request({ host: '127.0.0.1', port, method: c.method, path: c.path, headers: c.headers, agent: false, setHost: !('Host' in c.headers) }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => settle({ kind: 'reply', status: res.statusCode ?? 0, contentType: String(res.headers['content-type'] ?? ''), body: Buffer.concat(chunks) }));
      res.on('error', (e) => settle({ kind: 'closed', error: e.message }));
    });
    req.on('error', (e) => settle({ kind: 'closed', error: e.message }));
    if (c.cutAfterBytes !== undefined) {
      req.write(c.body?.subarray(0, c.cutAfterBytes) ?? Buffer.alloc(0), () => setTimeout(() => settle({ kind: 'cut' }), 5));
      return;
    }
    req.end(c.body);
  });
}

/** Raw bytes on a socket, for requests no HTTP client would send; resolves with what came back before the close. */
export function sendRaw(port: number, bytes: Buffer, timeoutMs: number): Promise<{ reply: string; timedOut: boolean }> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => finish(true), timeoutMs);
    const finish = (timedOut: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ reply: Buffer.concat(chunks).toString('latin1'), timedOut });
    };
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      // One reply is enough: a keep-alive connection would otherwise wait for more.
      if (/\r\n\r\n/.test(Buffer.concat(chunks).toString('latin1'))) setTimeout(() => finish(false), 20);
    });
    socket.on('error', () => finish(false));
    socket.on('close', () => finish(false));
    socket.end(bytes);
  });
}
