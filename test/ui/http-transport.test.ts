import { afterEach, describe, expect, it, vi } from 'vitest';
import { encodeBinaryFrame } from '../../common/binary-frame.js';
import { BINARY_CONTENT_TYPE } from '../../common/channels.js';
import { HttpTransport } from '../../renderer/api/http-transport.js';
import { retention } from './support/fixtures.js';

const calls: { url: string; init: RequestInit }[] = [];

function answerWith(response: () => Response): void {
  vi.stubGlobal(
    'fetch',
    vi.fn((url: string, init: RequestInit) => {
      calls.push({ url, init });
      return Promise.resolve(response());
    }),
  );
}

afterEach(() => {
  vi.unstubAllGlobals();
  calls.length = 0;
});

describe('the HTTP transport', () => {
  it('POSTs JSON with the launch token and returns the JSON reply', async () => {
    answerWith(() => Response.json({ ok: true, value: { cancelled: true } }));
    const reply = await new HttpTransport('tok', './').request('cancel', { operationId: 'op-1' });
    expect(reply).toEqual({ ok: true, value: { cancelled: true } });
    expect(calls[0].url).toBe('./api/cancel');
    expect(calls[0].init.headers).toMatchObject({ 'Content-Type': 'application/json', Authorization: 'Bearer tok' });
    expect(calls[0].init.body).toBe('{"operationId":"op-1"}');
  });

  it('decodes a binary frame into typed arrays', async () => {
    const value = retention(1, 0);
    answerWith(() => new Response(encodeBinaryFrame({ ok: true, value }), { headers: { 'Content-Type': BINARY_CONTENT_TYPE } }));
    const reply = await new HttpTransport('tok').request('retention', { documentId: 'doc1', layer: 1, head: 0 });
    if (!reply.ok) throw new Error(reply.error.message);
    expect(reply.value.counts).toBeInstanceOf(Uint16Array);
    expect([...reply.value.counts]).toEqual([...value.counts]);
    expect(reply.value.head?.tokens).toBeInstanceOf(Int32Array);
    expect([...reply.value.headMeanBeta]).toEqual([...value.headMeanBeta]);
  });

  it('uploads a file as raw bytes, named in the query, and returns its upload id as the source', async () => {
    answerWith(() => Response.json({ ok: true, value: { uploadId: 'u42' } }));
    const source = await new HttpTransport('tok', './').sourceForFile(new File(['hello'], 'my notes.md'));
    expect(source).toEqual({ ok: true, value: { uploadId: 'u42' } });
    expect(calls[0].url).toBe('./api/upload?name=my%20notes.md');
    expect(calls[0].init.method).toBe('POST');
    expect(calls[0].init.headers).toMatchObject({ 'Content-Type': 'application/octet-stream', Authorization: 'Bearer tok' });
    expect(calls[0].init.body).toBeInstanceOf(File);
  });

  it('passes an upload refusal on as the reply error', async () => {
    answerWith(() => Response.json({ ok: false, error: { code: 'DOCUMENT_TOO_LARGE', message: 'too large' } }, { status: 413 }));
    expect(await new HttpTransport('tok').sourceForFile(new File(['x'], 'a.txt'))).toEqual({ ok: false, error: { code: 'DOCUMENT_TOO_LARGE', message: 'too large' } });
  });

  it('turns an unreachable server or a non-reply body into HOST_UNREACHABLE', async () => {
    vi.stubGlobal('fetch', vi.fn(() => Promise.reject(new TypeError('fetch failed'))));
    const down = await new HttpTransport('tok').request('status', {});
    expect(down).toMatchObject({ ok: false, error: { code: 'HOST_UNREACHABLE' } });
    answerWith(() => new Response('Bad gateway', { status: 502, headers: { 'Content-Type': 'text/plain' } }));
    const proxy = await new HttpTransport('tok').request('status', {});
    expect(proxy).toMatchObject({ ok: false, error: { code: 'HOST_UNREACHABLE' } });
  });
});
