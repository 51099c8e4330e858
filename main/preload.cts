/**
 * The only door between the page and the main process. Sandboxed preloads cannot load our other modules, so this
 * file is self-contained; the contract is imported for types only and the channel list is checked against it.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type { EngineEvent, LongreadBridge, RequestName } from './ipc-contract.js';

const REQUESTS = {
  hostInfo: 'longread:hostInfo',
  load: 'longread:load',
  generate: 'longread:generate',
  cancel: 'longread:cancel',
  status: 'longread:status',
  reset: 'longread:reset',
  openModelFolder: 'longread:openModelFolder',
} as const satisfies { [N in RequestName]: `longread:${N}` };
const EVENT_CHANNEL = 'longread:event';

const api: LongreadBridge = {
  request(name, payload) {
    if (!Object.hasOwn(REQUESTS, name)) return Promise.resolve({ ok: false, error: { code: 'UNKNOWN_REQUEST', message: `Unknown request "${String(name)}"` } });
    return ipcRenderer.invoke(REQUESTS[name], payload);
  },
  onEvent(listener) {
    // The page gets the payload only, never the IpcRendererEvent (which would expose ipcRenderer itself).
    const forward = (_event: IpcRendererEvent, payload: EngineEvent) => listener(payload);
    ipcRenderer.on(EVENT_CHANNEL, forward);
    return () => {
      ipcRenderer.removeListener(EVENT_CHANNEL, forward);
    };
  },
};

contextBridge.exposeInMainWorld('longread', api);
