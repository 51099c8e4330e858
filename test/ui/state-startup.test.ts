import { beforeEach, describe, expect, it } from 'vitest';
import { loadModel } from '../../renderer/state/actions/model.js';
import { saveSettings } from '../../renderer/state/actions/settings.js';
import { start } from '../../renderer/state/actions/startup.js';
import { selectMeterCache } from '../../renderer/state/selectors.js';
import { read, useStore } from '../../renderer/state/store.js';
import { fail, flush, ok, type FakeHost } from './support/fake-host.js';
import { cache, MODEL, SETTINGS, status } from './support/fixtures.js';
import { happyHost } from './support/setup-host.js';

let host: FakeHost;
beforeEach(() => {
  host = happyHost();
});

describe('startup and the model slice', () => {
  it('learns the host and its settings, then loads the demo model (no modelDir) and the library and catalog', async () => {
    host.on('getSettings', ok({ ...SETTINGS, defaultMethod: 'snapkv', defaultRatio: 0.1 }));
    await start();
    expect(read('session').hostInfo?.transport).toBe('http');
    expect(read('compression')).toMatchObject({ method: 'snapkv', ratio: 0.1 });
    const load = host.last('loadModel');
    expect(load).not.toHaveProperty('modelDir');
    expect(load.operationId).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
    expect(read('model')).toMatchObject({ phase: 'ready', info: { name: 'stories260K' } });
    expect(host.named('libraryList').length).toBeGreaterThan(0);
    expect(host.named('catalog')).toHaveLength(1);
  });

  it('does not load again when the engine already holds a model (a reloaded page)', async () => {
    host.on('status', ok(status({ model: MODEL })));
    await start();
    expect(host.named('loadModel')).toHaveLength(0);
    expect(read('model').phase).toBe('ready');
  });

  it('shows load progress of its own operation only, and a failure with its message', async () => {
    host.hold('loadModel');
    const loading = loadModel('/models/qwen');
    const { operationId } = host.last('loadModel') as { operationId: string };
    host.emit({ type: 'progress', operationId, stage: 'convert', done: 3, total: 24, unit: 'layers', rate: 2, etaMs: 10_500 });
    host.emit({ type: 'progress', operationId: 'someone-else', stage: 'download', done: 1, total: 2, unit: 'bytes', rate: null, etaMs: null });
    expect(read('model')).toMatchObject({ phase: 'loading', progress: { stage: 'convert', done: 3, total: 24 } });
    host.settle(operationId, fail('NOT_A_MODEL_FOLDER', '/models/qwen has no config.json'));
    await loading;
    expect(read('model')).toMatchObject({ phase: 'failed', error: { message: '/models/qwen has no config.json' }, progress: null });
  });

  it('follows pushed status events; the meter reads their cache', async () => {
    host.emit({ type: 'status', status: status({ cache: cache(10), busy: { operationId: 'read-1', kind: 'read' } }) });
    expect(selectMeterCache(useStore.getState())?.slots).toBe(10);
    host.emit({ type: 'status', status: status({ cache: cache(12) }) });
    expect(selectMeterCache(useStore.getState())?.slots).toBe(12);
    await flush();
  });

  it('saves settings through the host and keeps what it answers', async () => {
    await start();
    expect(await saveSettings({ theme: 'dark' })).toBe(true);
    expect(host.last('putSettings')).toEqual({ theme: 'dark' });
    expect(read('session').settings?.theme).toBe('dark');
    host.on('putSettings', fail('INVALID_REQUEST', 'kvBudgetBytes is too small'));
    expect(await saveSettings({ kvBudgetBytes: 1 })).toBe(false);
    expect(read('session').settingsError?.message).toBe('kvBudgetBytes is too small');
  });
});
