import { describe, expect, it } from 'vitest';
import { REQUEST_NAMES } from '../../common/contract.js';
import { HostBridge } from '../../main/host-bridge.js';
import { FakeEngine } from './fake-engine.js';

function bridge(engine = new FakeEngine(), extra: Partial<ConstructorParameters<typeof HostBridge>[1]> = {}) {
  return { engine, host: new HostBridge(engine, { transport: 'http', version: '1.2.3', maxUploadBytes: 1000, ...extra }) };
}

describe('host bridge', () => {
  it('answers hostInfo itself', async () => {
    const { host, engine } = bridge(undefined, { defaultModelDir: '/m' });
    expect(await host.handle('hostInfo', {})).toEqual({ ok: true, value: { transport: 'http', canOpenDialogs: false, defaultModelDir: '/m', maxUploadBytes: 1000, version: '1.2.3' } });
    expect(engine.requests).toEqual([]);
  });

  it('refuses unknown requests and payloads that break the contract, before the engine sees them', async () => {
    const { host, engine } = bridge();
    expect(await host.handle('formatDisk', {})).toMatchObject({ ok: false, error: { code: 'UNKNOWN_REQUEST' } });
    expect(await host.handle('__crash', {})).toMatchObject({ ok: false, error: { code: 'UNKNOWN_REQUEST' } });
    expect(await host.handle('toString', {})).toMatchObject({ ok: false, error: { code: 'UNKNOWN_REQUEST' } });
    for (const [name, payload, field] of [
      ['loadModel', { operationId: 'a', modelDir: 42 }, 'modelDir'],
      ['loadModel', { operationId: 'bad id!' }, 'operationId'],
      ['readDocument', { operationId: 'a', documentId: 'd', ratio: 0 }, 'ratio'],
      ['readDocument', { operationId: 'a', documentId: 'd', ratio: 0.5, method: 'magic' }, 'method'],
      ['ask', { operationId: 'a', documentId: 'd', question: '' }, 'question'],
      ['ask', { operationId: 'a', documentId: 'd', question: 'q', extra: 1 }, 'extra'],
      ['openDocument', { operationId: 'a', source: { path: 'x\u0000y' } }, 'source'],
      ['retention', { documentId: 'd', layer: -1 }, 'layer'],
    ] as const) {
      const reply = await host.handle(name, payload);
      expect(reply, `${name} ${JSON.stringify(payload)}`).toMatchObject({ ok: false, error: { code: 'INVALID_REQUEST', message: expect.stringContaining(field) } });
    }
    expect(engine.requests).toEqual([]);
  });

  it('fills in the default model folder and forwards engine requests', async () => {
    const { host, engine } = bridge(undefined, { defaultModelDir: '/models/x' });
    const reply = await host.handle('loadModel', { operationId: 'load-1' });
    expect(reply).toMatchObject({ ok: true, value: { dir: '/models/x' } });
    expect(engine.requests[0]).toEqual({ name: 'loadModel', payload: { operationId: 'load-1', modelDir: '/models/x', device: 'auto', weights: 'q4' } });
  });

  it('turns an upload into the path the engine reads, and refuses unknown uploads', async () => {
    const { host, engine } = bridge(undefined, { resolveUpload: (id) => (id === 'u1' ? { path: '/tmp/u1/a.pdf', name: 'a.pdf' } : null) });
    engine.replies.openDocument = undefined;
    await host.handle('openDocument', { operationId: 'o', source: { uploadId: 'u1' } });
    expect(engine.requests.at(-1)).toEqual({ name: 'openDocument', payload: { operationId: 'o', source: { path: '/tmp/u1/a.pdf' }, name: 'a.pdf' } });
    expect(await host.handle('openDocument', { operationId: 'o', source: { uploadId: 'nope' } })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
  });

  it("refuses an engine reply that breaks the contract (the two sides cannot drift apart silently)", async () => {
    const { host, engine } = bridge();
    engine.replies.loadModel = { dir: '/m' };
    expect(await host.handle('loadModel', { operationId: 'x' })).toMatchObject({ ok: false, error: { code: 'INTERNAL', message: expect.stringMatching(/loadModel reply broke the contract/) } });
    engine.replies.retention = { documentId: 'd', numLayers: 1, numKvHeads: 1, documentTokens: 2, counts: [1, 2], charOffsets: new Int32Array(4), headSlots: new Int32Array(1), headMeanBeta: new Float32Array(1), head: null, allHeads: null };
    expect(await host.handle('retention', { documentId: 'd' })).toMatchObject({ ok: false, error: { code: 'INTERNAL', message: expect.stringMatching(/counts/) } });
  });

  it('says where dialogs are missing', async () => {
    const { host } = bridge();
    expect(await host.handle('openDocumentDialog', {})).toMatchObject({ ok: false, error: { code: 'UNSUPPORTED' } });
  });

  it('has a schema for every request and reply', () => {
    expect(REQUEST_NAMES.length).toBeGreaterThan(20);
  });
});
