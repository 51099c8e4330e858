import { host } from '../../api/host.js';
import { newOperationId } from '../../api/operation-id.js';
import { track } from '../operations.js';
import { progressOf } from '../progress.js';
import { read, update } from '../store.js';
import { refreshLibrary } from './library.js';
import { refreshStatus } from './status.js';

/** Loads a model folder, or the embedded demo model when `modelDir` is absent. */
export async function loadModel(modelDir?: string): Promise<void> {
  if (read('model').phase === 'loading') return;
  const operationId = newOperationId('load');
  update('model', { phase: 'loading', operationId, progress: null, error: null });
  const untrack = track(operationId, { progress: (e) => update('model', { progress: progressOf(e) }) });
  const device = read('session').settings?.device ?? 'auto';
  const reply = await host().request('loadModel', { operationId, device, ...(modelDir ? { modelDir } : {}) });
  untrack();
  if (reply.ok) update('model', { phase: 'ready', operationId: null, progress: null, info: reply.value });
  else update('model', { phase: 'failed', operationId: null, progress: null, error: reply.error });
  // Which library entries open without reading again depends on the model.
  await Promise.all([refreshLibrary(), refreshStatus()]);
}

export async function cancelModelLoad(): Promise<void> {
  const { operationId } = read('model');
  if (operationId) await host().request('cancel', { operationId });
}

/** Electron: the host's folder picker, then load what was chosen. */
export async function chooseModelFolder(): Promise<void> {
  const reply = await host().request('openModelFolderDialog', {});
  if (!reply.ok) update('model', { error: reply.error });
  else if (reply.value.path) await loadModel(reply.value.path);
}
