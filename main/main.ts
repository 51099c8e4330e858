import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { app, BrowserWindow, dialog, ipcMain, Menu } from 'electron';
import { EngineClient } from '../engine/host/client.js';
import { EngineBridge } from './engine-bridge.js';
import { IPC_EVENT_CHANNEL, ipcRequestChannel, REQUEST_NAMES, type EngineEvent } from './ipc-contract.js';
import { buildAppMenu } from './menu.js';
import { rendererDistDir } from './paths.js';
import { createMainWindow, hardenSession } from './window.js';

/** The Electron shell: one window, one engine. All request handling lives in EngineBridge. */
const here = path.dirname(fileURLToPath(import.meta.url));
const indexHtmlPath = path.join(rendererDistDir(), 'index.html');
const indexUrl = pathToFileURL(indexHtmlPath).href;
const engine = new EngineClient();
let window: BrowserWindow | null = null;

const sendEvent = (event: EngineEvent) => {
  if (window && !window.isDestroyed()) window.webContents.send(IPC_EVENT_CHANNEL, event);
};

async function pickModelFolder(): Promise<string | null> {
  const options = { title: 'Open Model Folder', properties: ['openDirectory' as const] };
  const result = window ? await dialog.showOpenDialog(window, options) : await dialog.showOpenDialog(options);
  return result.canceled ? null : (result.filePaths[0] ?? null);
}

const bridge = new EngineBridge(engine, sendEvent, { transport: 'electron', pickModelFolder });

// A second instance would start a second engine and double the memory; focus the first one instead.
const isFirstInstance = app.requestSingleInstanceLock();
if (!isFirstInstance) app.quit();
app.on('second-instance', () => {
  if (window?.isMinimized()) window.restore();
  window?.focus();
});

app.whenReady().then(() => {
  if (!isFirstInstance) return;
  hardenSession();
  for (const name of REQUEST_NAMES) {
    ipcMain.handle(ipcRequestChannel(name), (event, payload: unknown) => {
      // Only our own page may talk to the engine.
      if (event.senderFrame?.url !== indexUrl) return { ok: false, error: { code: 'FORBIDDEN', message: 'Unknown sender' } };
      return bridge.handle(name, payload);
    });
  }
  const isMac = process.platform === 'darwin';
  Menu.setApplicationMenu(
    buildAppMenu(
      {
        openModelFolder: () => {
          void pickModelFolder().then((folder) => folder && sendEvent({ type: 'modelFolderChosen', path: folder }));
        },
        showAbout: () => {
          void dialog.showMessageBox({ title: 'About Longread', message: `Longread ${app.getVersion()}`, detail: 'Read a long document once, keep it in mind.' });
        },
      },
      isMac,
    ),
  );
  openWindow();
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) openWindow();
  });
});

function openWindow(): void {
  const opened = createMainWindow({ preloadPath: path.join(here, 'preload.cjs'), indexHtmlPath });
  opened.on('closed', () => {
    if (window === opened) window = null;
  });
  window = opened;
}

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});

app.on('will-quit', () => {
  void engine.close();
});
