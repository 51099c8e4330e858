/**
 * The only door between the page and the main process. Sandboxed preloads cannot load our other modules, so this
 * file is self-contained; the contract is imported for types only and the channel list is checked against it.
 */
import { contextBridge, ipcRenderer, webUtils, type IpcRendererEvent } from 'electron';
import type { EngineEvent, LongreadBridge, RequestName } from '../common/contract.js';

const REQUESTS = {
  hostInfo: 'longread:hostInfo',
  openModelFolderDialog: 'longread:openModelFolderDialog',
  openDocumentDialog: 'longread:openDocumentDialog',
  loadModel: 'longread:loadModel',
  catalog: 'longread:catalog',
  downloadModel: 'longread:downloadModel',
  openDocument: 'longread:openDocument',
  readDocument: 'longread:readDocument',
  setRatio: 'longread:setRatio',
  fidelityCurve: 'longread:fidelityCurve',
  retention: 'longread:retention',
  documentText: 'longread:documentText',
  closeDocument: 'longread:closeDocument',
  ask: 'longread:ask',
  summarize: 'longread:summarize',
  generate: 'longread:generate',
  cancel: 'longread:cancel',
  reset: 'longread:reset',
  status: 'longread:status',
  libraryList: 'longread:libraryList',
  libraryOpen: 'longread:libraryOpen',
  libraryDelete: 'longread:libraryDelete',
  conversations: 'longread:conversations',
  conversation: 'longread:conversation',
  getSettings: 'longread:getSettings',
  putSettings: 'longread:putSettings',
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
  // The page never reads files: main reads a dropped file by the path Electron knows for it.
  pathForFile: (file) => webUtils.getPathForFile(file),
};

contextBridge.exposeInMainWorld('longread', api);
