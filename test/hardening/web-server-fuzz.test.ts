import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BINARY_CONTENT_TYPE } from '../../common/channels.js';
import { HostBridge } from '../../main/host-bridge.js';
import { UploadStore } from '../../main/uploads.js';
import { startWebServer, type WebServer } from '../../main/web-server.js';
import { FakeEngine } from '../main/fake-engine.js';
import { random } from '../robustness/mutate.js';
import { FuzzTally, prototypeSnapshot } from './fuzz-tally.js';
import { httpCase, rawCase, type HostFacts } from './http-cases.js';
import { sendCase, sendRaw, type HttpCase, type HttpOutcome } from './http-client.js';

/**
 * The browser host (main/web-server.ts with main/uploads.ts) under thousands of malformed and adversarial HTTP
 * requests: wrong and forged tokens, wrong hosts, methods and content types, broken, binary, deeply nested and
 * oversized bodies, hostile upload names, uploads too large or cut off, traversal paths, and raw bytes no client
 * sends. Every request must end in a clear reply (a JSON error with a code on the API) within its deadline, the
 * server must keep serving, and nothing of a failed upload may stay on disk.
 */

const HTTP_CASES = 2000;
const RAW_CASES = 200;
const CONCURRENCY = 8;
const DEADLINE_MS = 10_000;
const MAX_UPLOAD_BYTES = 64 * 1024;
const MAX_BODY_BYTES = 4 * 1024 * 1024; // main/web-server.ts
const SECRET = 'TOP-SECRET-NOT-SERVED';
/** 431: Node's own refusal of oversized headers (a 10 000-character request name, an 8 000-character token). */
const API_STATUSES = new Set([200, 400, 401, 404, 405, 413, 415, 421, 431]);
const STATIC_STATUSES = new Set([200, 400, 404, 405, 421, 431]);

const rendererDir = fs.mkdtempSync(path.join(os.tmpdir(), 'longread-fuzz-renderer-'));
let server: WebServer;
let uploads: UploadStore;
let facts: HostFacts;
const processErrors: string[] = [];
const onProcessError = (e: unknown) => processErrors.push(e instanceof Error ? e.stack ?? e.message : String(e));

beforeAll(async () => {
  fs.writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html><title>Longread</title>');
  fs.mkdirSync(path.join(rendererDir, 'assets'));
  fs.writeFileSync(path.join(rendererDir, 'assets', 'app.js'), 'console.log(1)');
  fs.writeFileSync(`${rendererDir}-secret`, SECRET);
  const engine = new FakeEngine();
  engine.tokenDelayMs = 0;
  uploads = new UploadStore(MAX_UPLOAD_BYTES);
  const bridge = new HostBridge(engine, { transport: 'http', version: '0', maxUploadBytes: uploads.maxBytes, resolveUpload: (id) => uploads.resolve(id) });
  server = await startWebServer({ port: 0, rendererDir, bridge, uploads });
  facts = { port: server.port, token: server.token, maxUploadBytes: MAX_UPLOAD_BYTES, maxBodyBytes: MAX_BODY_BYTES, besideRenderer: `${path.basename(rendererDir)}-secret` };
  process.on('uncaughtException', onProcessError);
  process.on('unhandledRejection', onProcessError);
});

afterAll(async () => {
  process.off('uncaughtException', onProcessError);
  process.off('unhandledRejection', onProcessError);
  await server?.close();
  uploads?.close();
  fs.rmSync(rendererDir, { recursive: true, force: true });
  fs.rmSync(`${rendererDir}-secret`, { force: true });
});

/** Why an outcome is not acceptable for its request, or null. */
function judge(c: HttpCase, outcome: HttpOutcome): string | null {
  if (outcome.kind === 'timeout') return `no reply within ${DEADLINE_MS} ms`;
  if (outcome.kind === 'cut') return c.cutAfterBytes !== undefined ? null : 'cut without being asked to';
  if (outcome.kind === 'closed') {
    // The server may answer (401, 413) before a large body is through, and the client's write then fails.
    return c.cutAfterBytes !== undefined || (c.body?.length ?? 0) > 65_536 ? null : `connection failed: ${outcome.error}`;
  }
  const text = outcome.body.toString('utf8');
  if (text.includes(SECRET)) return 'served a file outside the renderer folder';
  if (!c.path.startsWith('/api/')) return STATIC_STATUSES.has(outcome.status) ? null : `status ${outcome.status} for ${c.method} ${c.path}`;
  if (!API_STATUSES.has(outcome.status)) return `status ${outcome.status}: ${text.slice(0, 200)}`;
  if (outcome.status === 421 || outcome.status === 431) return null; // plain text or empty, before the API is reached
  if (outcome.contentType === BINARY_CONTENT_TYPE) return outcome.status === 200 ? null : 'binary error reply';
  if (c.method === 'HEAD') return null;
  let reply: { ok?: unknown; error?: { code?: unknown; message?: unknown } };
  try {
    reply = JSON.parse(text) as typeof reply;
  } catch {
    return `API reply is not JSON (${outcome.status}): ${text.slice(0, 200)}`;
  }
  if (reply.ok === true) return outcome.status === 200 ? null : `ok reply with status ${outcome.status}`;
  if (reply.ok !== false || typeof reply.error?.code !== 'string' || !reply.error.code || typeof reply.error.message !== 'string') return `malformed error reply: ${text.slice(0, 200)}`;
  return null;
}

describe('the web host under fuzzing', () => {
  it(`answers ${HTTP_CASES} adversarial HTTP requests clearly and in time`, async () => {
    const polluted = prototypeSnapshot();
    const tally = new FuzzTally('web host, HTTP requests');
    let next = 0;
    const worker = async () => {
      while (next < HTTP_CASES) {
        const seed = 5_000_000 + next++;
        const c = httpCase(random(seed), facts);
        const outcome = await sendCase(facts.port, c, DEADLINE_MS);
        const problem = judge(c, outcome);
        if (problem) tally.fail(seed, `${c.method} ${c.path.slice(0, 80)}: ${problem}`);
        else tally.count(outcome.kind === 'reply' ? String(outcome.status) : outcome.kind);
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    console.log(tally.summary());
    expect(tally.failures).toEqual([]);
    expect(processErrors).toEqual([]);
    expect(polluted()).toEqual([]);
    for (const status of ['200', '400', '401', '404', '413', '415']) expect(tally.outcomes.get(status), status).toBeGreaterThan(0);
  });

  it(`survives ${RAW_CASES} raw malformed requests`, async () => {
    const tally = new FuzzTally('web host, raw bytes');
    for (let i = 0; i < RAW_CASES; i++) {
      const seed = 6_000_000 + i;
      const { reply, timedOut } = await sendRaw(facts.port, rawCase(random(seed), facts), DEADLINE_MS);
      const status = /^HTTP\/1\.[01] (\d{3})/.exec(reply)?.[1];
      if (timedOut) tally.fail(seed, 'no reply and no close within the deadline');
      else if (reply && !status) tally.fail(seed, `not an HTTP reply: ${reply.slice(0, 80)}`);
      else if (status?.startsWith('5')) tally.fail(seed, `server error: ${reply.slice(0, 300)}`);
      else tally.count(status ?? 'closed');
    }
    console.log(tally.summary());
    expect(tally.failures).toEqual([]);
    expect(processErrors).toEqual([]);
  });

  it('still serves afterwards, and keeps no trace of failed uploads', async () => {
    const reply = await fetch(`http://127.0.0.1:${facts.port}/api/hostInfo`, { method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${facts.token}` }, body: '{}' });
    expect(await reply.json()).toMatchObject({ ok: true, value: { transport: 'http' } });
    // Every folder left is a finished upload the host can hand on; cut and refused ones are gone.
    await new Promise((r) => setTimeout(r, 200));
    for (const folder of fs.readdirSync(uploads.dir)) {
      const upload = uploads.resolve(folder);
      expect(upload, `leftover ${folder}`).not.toBeNull();
      expect(fs.statSync(upload!.path).size).toBeLessThanOrEqual(MAX_UPLOAD_BYTES);
    }
  });
});
