import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeBinaryFrame } from '../../common/binary-frame.js';
import { BINARY_CONTENT_TYPE } from '../../common/channels.js';
import { HostBridge } from '../../main/host-bridge.js';
import { CONTENT_SECURITY_POLICY } from '../../main/security.js';
import { UploadStore } from '../../main/uploads.js';
import { startWebServer, type WebServer } from '../../main/web-server.js';
import { FakeEngine } from './fake-engine.js';

const rendererDir = fs.mkdtempSync(path.join(os.tmpdir(), 'longread-renderer-'));
const secretFile = path.join(path.dirname(rendererDir), `${path.basename(rendererDir)}-secret.txt`);
let server: WebServer;
let engine: FakeEngine;
let uploads: UploadStore;

beforeAll(async () => {
  fs.writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html><title>Longread</title>');
  fs.mkdirSync(path.join(rendererDir, 'assets'));
  fs.writeFileSync(path.join(rendererDir, 'assets', 'app.js'), 'console.log(1)');
  fs.writeFileSync(secretFile, 'secret');
  engine = new FakeEngine();
  uploads = new UploadStore(64 * 1024);
  const bridge = new HostBridge(engine, { transport: 'http', version: '0', maxUploadBytes: uploads.maxBytes, resolveUpload: (id) => uploads.resolve(id) });
  server = await startWebServer({ port: 0, rendererDir, bridge, uploads });
});

afterAll(async () => {
  await server.close();
  uploads.close();
  fs.rmSync(rendererDir, { recursive: true, force: true });
  fs.rmSync(secretFile, { force: true });
});

const api = (name: string, body: unknown, headers: Record<string, string> = {}, signal?: AbortSignal) =>
  fetch(`http://127.0.0.1:${server.port}/api/${name}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${server.token}`, ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    signal,
  });

/** A raw request, to send paths and Host headers that fetch would normalise or refuse. */
function raw(pathname: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: server.port, path: pathname, headers }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('web server', () => {
  it('listens on 127.0.0.1 only and prints a URL carrying the token in the fragment', () => {
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/#token=${server.token}`);
    expect(server.token.length).toBeGreaterThanOrEqual(32);
  });

  it('refuses API calls without the token, or with a wrong one, with 401', async () => {
    const none = await api('status', {}, { Authorization: '' });
    expect(none.status).toBe(401);
    expect(await none.json()).toMatchObject({ ok: false, error: { code: 'UNAUTHORIZED' } });
    expect((await api('status', {}, { Authorization: `Bearer ${server.token}x` })).status).toBe(401);
    expect((await raw('/api/events')).status).toBe(401);
    expect((await raw('/api/events?token=wrong')).status).toBe(401);
  });

  it('answers valid requests and refuses invalid ones with the validation message', async () => {
    const ok = await api('loadModel', { operationId: 'l1', modelDir: '/models/x', weights: 'fp32' });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ ok: true, value: { dir: '/models/x', weights: 'fp32' } });

    const bad = await api('loadModel', { operationId: 'l2', modelDir: 42 });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ ok: false, error: { code: 'INVALID_REQUEST', message: expect.stringMatching(/modelDir/) } });

    const notJson = await api('loadModel', '{"modelDir":');
    expect(notJson.status).toBe(400);
    expect((await notJson.json()).error.message).toMatch(/not valid JSON/);

    expect((await api('format-disk', {})).status).toBe(404);
    expect((await api('status', {}, { 'Content-Type': 'text/plain' })).status).toBe(415);
  });

  it('streams token events to an authorised event stream', async () => {
    const controller = new AbortController();
    const res = await fetch(`http://127.0.0.1:${server.port}/api/events?token=${server.token}`, { signal: controller.signal });
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    const reader = res.body!.getReader();
    const reply = await api('generate', { operationId: 'sse-1', prompt: 'Hi', generation: { maxTokens: 4 } });
    expect(await reply.json()).toMatchObject({ ok: true, value: { text: 'Once upon a time' } });
    let received = '';
    while (!received.includes(' time')) received += new TextDecoder().decode((await reader.read()).value);
    controller.abort();
    expect(received).toContain('event: token\ndata: {"type":"token","operationId":"sse-1","text":"Once"}\n\n');
  });

  it('cancels the operation of a request whose client goes away', async () => {
    engine.tokens = Array.from({ length: 500 }, (_, i) => ` t${i}`);
    engine.tokenDelayMs = 5;
    const controller = new AbortController();
    const pending = api('generate', { operationId: 'gone-1', prompt: 'Hi', generation: { maxTokens: 500 } }, {}, controller.signal).catch(() => null);
    await new Promise((r) => setTimeout(r, 100));
    controller.abort();
    await pending;
    await expect.poll(() => engine.cancelled.has('gone-1')).toBe(true);
    engine.tokens = ['Once', ' upon', ' a', ' time'];
    engine.tokenDelayMs = 1;
  });

  it('streams an upload to a file, bounded in size, and hands the engine its path', async () => {
    const bytes = Buffer.from('hello upload');
    const up = await fetch(`http://127.0.0.1:${server.port}/api/upload?name=${encodeURIComponent('../../notes.txt')}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/octet-stream', Authorization: `Bearer ${server.token}` },
      body: bytes,
    });
    const { value } = (await up.json()) as { value: { uploadId: string } };
    const stored = uploads.resolve(value.uploadId)!;
    expect(stored.name).toBe('notes.txt');
    expect(path.dirname(path.dirname(stored.path))).toBe(uploads.dir);
    expect(fs.readFileSync(stored.path, 'utf8')).toBe('hello upload');
    await api('openDocument', { operationId: 'o1', source: { uploadId: value.uploadId } });
    expect(engine.requests.at(-1)).toMatchObject({ name: 'openDocument', payload: { source: { path: stored.path }, name: 'notes.txt' } });

    const big = await fetch(`http://127.0.0.1:${server.port}/api/upload?name=big.txt`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/octet-stream', Authorization: `Bearer ${server.token}` },
      body: Buffer.alloc(200 * 1024, 65),
    });
    expect(big.status).toBe(413);
    expect(await big.json()).toMatchObject({ ok: false, error: { code: 'DOCUMENT_TOO_LARGE' } });
    expect(fs.readdirSync(uploads.dir)).toHaveLength(1);
    const noAuth = await fetch(`http://127.0.0.1:${server.port}/api/upload?name=a.txt`, { method: 'POST', headers: { 'Content-Type': 'application/octet-stream' }, body: bytes });
    expect(noAuth.status).toBe(401);
  });

  it('sends replies holding typed arrays as a binary frame', async () => {
    const retention = { documentId: 'd', numLayers: 1, numKvHeads: 2, documentTokens: 3, counts: Uint16Array.of(1, 0, 2), charOffsets: Int32Array.of(0, 1, 1, 2, 2, 3), headSlots: Int32Array.of(2, 1), headMeanBeta: Float32Array.of(0.5, -1), head: null, allHeads: null };
    engine.replies.retention = retention;
    const res = await api('retention', { documentId: 'd' });
    expect(res.headers.get('content-type')).toBe(BINARY_CONTENT_TYPE);
    const reply = decodeBinaryFrame(new Uint8Array(await res.arrayBuffer())) as { ok: true; value: typeof retention };
    expect(reply.ok).toBe(true);
    expect(Array.from(reply.value.counts)).toEqual([1, 0, 2]);
    expect(reply.value.headMeanBeta).toBeInstanceOf(Float32Array);
    delete engine.replies.retention;
  });

  it('serves the renderer with the CSP, and nothing outside its folder', async () => {
    const index = await fetch(`http://127.0.0.1:${server.port}/`);
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toMatch(/text\/html/);
    expect(index.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(await (await fetch(`http://127.0.0.1:${server.port}/assets/app.js`)).text()).toBe('console.log(1)');

    const escape = `/../${path.basename(secretFile)}`;
    for (const p of [escape, `/%2e%2e/${path.basename(secretFile)}`, `/assets/..%2f..%2f${path.basename(secretFile)}`]) {
      const res = await raw(p);
      expect(res.status, p).toBe(404);
      expect(res.body).not.toContain('secret');
    }
  });

  it('refuses requests addressed to another host name (DNS rebinding)', async () => {
    const res = await raw('/', { Host: `evil.example:${server.port}` });
    expect(res.status).toBe(421);
    const apiRes = await raw(`/api/events?token=${server.token}`, { Host: 'evil.example' });
    expect(apiRes.status).toBe(421);
  });
});
