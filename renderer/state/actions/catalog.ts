import { host } from '../../api/host.js';
import { newOperationId } from '../../api/operation-id.js';
import { track } from '../operations.js';
import { progressOf } from '../progress.js';
import type { Download } from '../slices/catalog.js';
import { read, update } from '../store.js';

export async function loadCatalog(): Promise<void> {
  const reply = await host().request('catalog', {});
  if (reply.ok) update('catalog', { entries: reply.value, error: null });
  else update('catalog', { error: reply.error });
}

function setDownload(repo: string, change: Partial<Download>): void {
  update('catalog', (c) => {
    const current: Download = c.downloads[repo] ?? { operationId: null, state: 'running', progress: null, error: null, modelDir: null };
    return { downloads: { ...c.downloads, [repo]: { ...current, ...change } } };
  });
}

/** Downloads a catalog model; starting again after a cancel or a failure resumes where it stopped. */
export async function downloadModel(repo: string): Promise<void> {
  if (read('catalog').downloads[repo]?.state === 'running') return;
  const operationId = newOperationId('download');
  setDownload(repo, { operationId, state: 'running', progress: null, error: null });
  const untrack = track(operationId, { progress: (e) => setDownload(repo, { progress: progressOf(e) }) });
  const reply = await host().request('downloadModel', { operationId, repo });
  untrack();
  if (reply.ok) {
    setDownload(repo, { operationId: null, state: 'done', modelDir: reply.value.modelDir });
    await loadCatalog();
  } else if (reply.error.code === 'CANCELLED') {
    setDownload(repo, { operationId: null, state: 'cancelled' });
  } else {
    setDownload(repo, { operationId: null, state: 'failed', error: reply.error });
  }
}

export async function cancelDownload(repo: string): Promise<void> {
  const operationId = read('catalog').downloads[repo]?.operationId;
  if (operationId) await host().request('cancel', { operationId });
}
