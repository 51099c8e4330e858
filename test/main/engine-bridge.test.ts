import { describe, expect, it } from 'vitest';
import { EngineBridge, type BridgeOptions } from '../../main/engine-bridge.js';
import type { EngineEvent } from '../../main/ipc-contract.js';
import { FakeEngine } from './fake-engine.js';

function setup(options: Partial<BridgeOptions> = {}) {
  const engine = new FakeEngine();
  const events: EngineEvent[] = [];
  const bridge = new EngineBridge(engine, (e) => events.push(e), { transport: 'http', cacheRoot: '/tmp/cache', ...options });
  return { engine, events, bridge };
}

const generate = (generationId = 'g1', extra: Record<string, unknown> = {}) => ({
  generationId,
  messages: [{ role: 'user', content: 'Hello' }],
  maxTokens: 8,
  ...extra,
});

describe('EngineBridge: validation', () => {
  it('loads a model with defaults filled in and the host-chosen cache folder, forwarding progress', async () => {
    const { bridge, engine, events } = setup();
    const reply = await bridge.handle('load', { modelDir: '/models/a' });
    expect(reply).toMatchObject({ ok: true, value: { dir: '/models/a', executionProvider: 'cpu' } });
    expect(engine.loads).toEqual([{ modelDir: '/models/a', device: 'auto', weights: 'q4', cacheRoot: '/tmp/cache' }]);
    expect(events).toEqual([
      { type: 'progress', stage: 'convert', done: 1, total: 2 },
      { type: 'progress', stage: 'convert', done: 2, total: 2 },
    ]);
  });

  it.each([
    ['no model folder', 'load', {}, /modelDir/],
    ['an empty model folder', 'load', { modelDir: '' }, /choose a model folder/],
    ['an unknown device', 'load', { modelDir: '/m', device: 'tpu' }, /device/],
    ['a cacheRoot from the UI', 'load', { modelDir: '/m', cacheRoot: '/etc' }, /cacheRoot/],
    ['a NUL in a path', 'load', { modelDir: '/m\0/x' }, /NUL/],
    ['both messages and prompt', 'generate', generate('g1', { prompt: 'x' }), /exactly one of messages or prompt/],
    ['neither messages nor prompt', 'generate', { generationId: 'g1', maxTokens: 4 }, /exactly one of messages or prompt/],
    ['a fractional maxTokens', 'generate', generate('g1', { maxTokens: 1.5 }), /maxTokens/],
    ['a bad role', 'generate', generate('g1', { messages: [{ role: 'tool', content: 'x' }] }), /messages\.0\.role/],
    ['a negative temperature', 'generate', generate('g1', { sampling: { temperature: -1 } }), /sampling\.temperature/],
    ['a generation id with spaces', 'generate', generate('has space'), /generationId/],
    ['a cancel without id', 'cancel', {}, /generationId/],
    ['a payload on status', 'status', { extra: 1 }, /extra/],
    ['a string payload', 'reset', 'reset please', /expected object/],
  ])('refuses %s with INVALID_REQUEST and never calls the engine', async (_what, name, payload, message) => {
    const { bridge, engine } = setup();
    const reply = await bridge.handle(name, payload);
    expect(reply.ok).toBe(false);
    if (reply.ok) return;
    expect(reply.error.code).toBe('INVALID_REQUEST');
    expect(reply.error.message).toMatch(message);
    expect(engine.loads).toEqual([]);
    expect(engine.generations).toEqual([]);
  });

  it('refuses an unknown request name', async () => {
    const { bridge } = setup();
    expect(await bridge.handle('constructor', {})).toMatchObject({ ok: false, error: { code: 'UNKNOWN_REQUEST' } });
  });

  it("passes the engine's own errors through with their code", async () => {
    const { bridge, engine } = setup();
    const { LongreadError } = await import('../../engine/errors.js');
    engine.loadError = new LongreadError('NOT_A_MODEL_FOLDER', '/nope has no config.json');
    expect(await bridge.handle('load', { modelDir: '/nope' })).toEqual({
      ok: false,
      error: { code: 'NOT_A_MODEL_FOLDER', message: '/nope has no config.json' },
    });
  });

  it('reports host capabilities', async () => {
    const { bridge } = setup({ defaultModelDir: '/models/default' });
    expect(await bridge.handle('hostInfo', {})).toEqual({
      ok: true,
      value: { transport: 'http', canOpenFolder: false, defaultModelDir: '/models/default' },
    });
    expect(await bridge.handle('openModelFolder', {})).toMatchObject({ ok: false, error: { code: 'UNSUPPORTED' } });
    const withPicker = setup({ transport: 'electron', pickModelFolder: async () => '/picked' });
    expect(await withPicker.bridge.handle('openModelFolder', {})).toEqual({ ok: true, value: { path: '/picked' } });
  });
});

describe('EngineBridge: generation', () => {
  it('streams tokens tagged with the generation id and strips it from the engine request', async () => {
    const { bridge, engine, events } = setup();
    const reply = await bridge.handle('generate', generate('chat-1', { sampling: { temperature: 0 } }));
    expect(reply).toMatchObject({ ok: true, value: { text: 'Once upon a time', stopReason: 'max-tokens' } });
    expect(events.filter((e) => e.type === 'token').map((e) => e.type === 'token' && [e.generationId, e.text])).toEqual([
      ['chat-1', 'Once'],
      ['chat-1', ' upon'],
      ['chat-1', ' a'],
      ['chat-1', ' time'],
    ]);
    expect(engine.generations[0]).toEqual({ messages: [{ role: 'user', content: 'Hello' }], maxTokens: 8, sampling: { temperature: 0 } });
  });

  it('cancels the running generation by id, and ignores a cancel for another id', async () => {
    const { bridge, engine, events } = setup();
    engine.tokens = Array.from({ length: 1000 }, (_, i) => `t${i}`);
    const running = bridge.handle('generate', generate('g-run'));
    await until(() => events.length >= 3);
    expect(await bridge.handle('cancel', { generationId: 'someone-else' })).toEqual({ ok: true, value: { cancelled: false } });
    expect(await bridge.handle('cancel', { generationId: 'g-run' })).toEqual({ ok: true, value: { cancelled: true } });
    const reply = await running;
    expect(reply).toMatchObject({ ok: true, value: { stopReason: 'cancelled' } });
    if (reply.ok) expect((reply.value as { tokens: number }).tokens).toBeLessThan(1000);
    // Once finished, the same id no longer cancels anything.
    expect(await bridge.handle('cancel', { generationId: 'g-run' })).toEqual({ ok: true, value: { cancelled: false } });
  });

  it('refuses a second generation, a load and a reset while one runs', async () => {
    const { bridge, engine, events } = setup();
    engine.tokens = Array.from({ length: 1000 }, (_, i) => `t${i}`);
    const running = bridge.handle('generate', generate('g1'));
    await until(() => events.length >= 1);
    expect(await bridge.handle('generate', generate('g2'))).toMatchObject({ ok: false, error: { code: 'BUSY' } });
    expect(await bridge.handle('load', { modelDir: '/m' })).toMatchObject({ ok: false, error: { code: 'BUSY' } });
    expect(await bridge.handle('reset', {})).toMatchObject({ ok: false, error: { code: 'BUSY' } });
    await bridge.handle('cancel', { generationId: 'g1' });
    await running;
    expect(await bridge.handle('reset', {})).toEqual({ ok: true, value: null });
  });
});

describe('EngineBridge: engine crash', () => {
  it('forwards the crash as an event, fails the pending generation, and accepts a reload afterwards', async () => {
    const { bridge, engine, events } = setup();
    await bridge.handle('load', { modelDir: '/m' });
    engine.tokens = Array.from({ length: 1000 }, (_, i) => `t${i}`);
    const running = bridge.handle('generate', generate('g1'));
    await until(() => events.some((e) => e.type === 'token'));
    engine.crash();
    expect(await running).toMatchObject({ ok: false, error: { code: 'WORKER_CRASHED' } });
    expect(events.at(-1)).toEqual({ type: 'crash', message: expect.stringMatching(/must be loaded again/) });
    expect(await bridge.handle('status', {})).toEqual({ ok: true, value: null });
    expect(await bridge.handle('load', { modelDir: '/m' })).toMatchObject({ ok: true });
    engine.tokens = ['again'];
    expect(await bridge.handle('generate', generate('g2'))).toMatchObject({ ok: true, value: { text: 'again' } });
  });
});

async function until(condition: () => boolean, timeoutMs = 2000): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeoutMs) throw new Error('timed out waiting for a condition');
    await new Promise((r) => setTimeout(r, 2));
  }
}
