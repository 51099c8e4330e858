import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { EngineEvent } from '../../common/contract.js';
import { childProcessLauncher, workerThreadLauncher } from '../../engine/host/channels.js';
import { EngineClient } from '../../engine/host/client.js';

/**
 * The engine process as the hosts use it: requests and replies across the process boundary, status that never waits
 * behind a model call, a crash that is reported and recovered from, and a cancel that an operation ignores.
 */
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'longread-client-data-'));
const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'longread-client-cache-'));
const env = { LONGREAD_DATA: dataDir, LONGREAD_CACHE: cacheDir, LONGREAD_TEST_HOOKS: '1' };
afterAll(() => {
  fs.rmSync(dataDir, { recursive: true, force: true });
  fs.rmSync(cacheDir, { recursive: true, force: true });
});

let client: EngineClient | null = null;
afterEach(async () => {
  await client?.close();
  client = null;
});

function collect(c: EngineClient): EngineEvent[] {
  const events: EngineEvent[] = [];
  c.onEvent((e) => events.push(e));
  return events;
}

describe('EngineClient with the engine in a child process', () => {
  it('loads the demo model, streams a generation and pushes status while it runs', async () => {
    client = new EngineClient(childProcessLauncher(env));
    const events = collect(client);
    const model = await client.request('loadModel', { operationId: 'load' });
    expect(model).toMatchObject({ ok: true, value: { isDemo: true, architecture: 'LlamaForCausalLM' } });
    const pending = client.request('generate', { operationId: 'gen', prompt: 'Once upon a time', generation: { maxTokens: 4000, sampling: { temperature: 1, seed: 3 } } });
    // Status events arrive while tokens stream, not only after the generation.
    await expect.poll(() => events.some((e) => e.type === 'status' && e.status.busy?.operationId === 'gen' && (e.status.cache?.logicalLength ?? 0) > 10), { timeout: 20_000 }).toBe(true);
    await client.request('cancel', { operationId: 'gen' });
    const reply = await pending;
    expect(reply.ok).toBe(true);
    expect(events.filter((e) => e.type === 'token' && e.operationId === 'gen').length).toBeGreaterThan(10);
    const status = await client.request('status', {});
    expect(status).toMatchObject({ ok: true, value: { model: { isDemo: true } } });
  });

  it('answers status from the last pushed state at once, even while the engine is blocked', async () => {
    client = new EngineClient(childProcessLauncher(env), { cancelGraceMs: 60_000 });
    await client.request('loadModel', { operationId: 'load' });
    await client.request('status', {});
    void client.hangForTest('hang-1');
    const t0 = performance.now();
    const status = await client.request('status', {});
    expect(status.ok).toBe(true);
    expect(performance.now() - t0).toBeLessThan(100);
  });

  it('reports a crash, restarts the engine and reloads the model', async () => {
    client = new EngineClient(childProcessLauncher(env));
    const events = collect(client);
    await client.request('loadModel', { operationId: 'load' });
    const pending = client.request('generate', { operationId: 'gen', prompt: 'Once', generation: { maxTokens: 400 } });
    client.crashForTest();
    const failed = await pending;
    expect(failed).toMatchObject({ ok: false, error: { code: expect.stringMatching(/WORKER_CRASHED|CANCELLED/) } });
    await expect.poll(() => events.find((e) => e.type === 'engineRestarted'), { timeout: 30_000 }).toEqual({ type: 'engineRestarted', modelReloaded: true });
    expect(events.some((e) => e.type === 'crash')).toBe(true);
    const after = await client.request('generate', { operationId: 'gen-2', prompt: 'Once', generation: { maxTokens: 5 } });
    expect(after.ok).toBe(true);
  });

  it('kills and restarts an engine whose operation ignores its cancel', async () => {
    client = new EngineClient(childProcessLauncher(env), { cancelGraceMs: 500 });
    const events = collect(client);
    await client.request('loadModel', { operationId: 'load' });
    const hung = client.hangForTest('stuck-1');
    await new Promise((r) => setTimeout(r, 100));
    const t0 = performance.now();
    await client.request('cancel', { operationId: 'stuck-1' }).catch(() => null);
    expect(await hung).toMatchObject({ ok: false, error: { code: 'CANCELLED', message: expect.stringMatching(/restarted/) } });
    expect(performance.now() - t0).toBeLessThan(5000);
    await expect.poll(() => events.find((e) => e.type === 'engineRestarted'), { timeout: 30_000 }).toEqual({ type: 'engineRestarted', modelReloaded: true });
    expect((await client.request('status', {})).ok).toBe(true);
  });

  it('cancels a generation at the next token', async () => {
    client = new EngineClient(childProcessLauncher(env));
    const events = collect(client);
    await client.request('loadModel', { operationId: 'load' });
    const pending = client.request('generate', { operationId: 'long', prompt: 'Once', generation: { maxTokens: 2000 } });
    await expect.poll(() => events.filter((e) => e.type === 'token').length).toBeGreaterThan(3);
    expect(await client.request('cancel', { operationId: 'long' })).toEqual({ ok: true, value: { cancelled: true } });
    const reply = await pending;
    expect(reply).toMatchObject({ ok: true, value: { stopReason: 'cancelled' } });
  });
});

describe('EngineClient with the engine in a worker thread', () => {
  it('speaks the same envelope', async () => {
    process.env.LONGREAD_DATA = dataDir;
    process.env.LONGREAD_CACHE = cacheDir;
    client = new EngineClient(workerThreadLauncher());
    const info = await client.request('loadModel', { operationId: 'load' });
    expect(info).toMatchObject({ ok: true, value: { isDemo: true } });
    expect(await client.request('formatDisk' as 'status', {})).toMatchObject({ ok: false, error: { code: 'UNKNOWN_REQUEST' } });
  });
});
