import { host } from '../../api/host.js';
import { read, update } from '../store.js';
import { loadCatalog } from './catalog.js';
import { refreshLibrary } from './library.js';
import { loadModel } from './model.js';
import { loadSettings } from './settings.js';
import { refreshStatus } from './status.js';

/** First thing the page does: learn the host, its settings and the engine's state, then make a model ready. */
export async function start(): Promise<void> {
  const info = await host().request('hostInfo', {});
  if (info.ok) update('session', { hostInfo: info.value });
  else update('session', { notice: { kind: 'error', message: info.error.message } });
  await Promise.all([loadSettings(), refreshStatus()]);
  // A page reloaded beside a running engine finds its model already loaded.
  const loaded = read('engine').status?.model;
  if (loaded) update('model', { phase: 'ready', info: loaded });
  await Promise.all([loaded ? refreshLibrary() : loadModel(info.ok ? (info.value.defaultModelDir ?? undefined) : undefined), loadCatalog()]);
}
