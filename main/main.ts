import '../engine/runtime/no-telemetry.js';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { app, BrowserWindow, dialog, ipcMain, Menu } from 'electron';
import { IPC_EVENT_CHANNEL, ipcRequestChannel } from '../common/channels.js';
import { REQUEST_NAMES, type EngineEvent } from '../common/contract.js';
import { EngineClient } from '../engine/host/client.js';
import { SUPPORTED_EXTENSIONS } from '../engine/documents/ingest/formats.js';
import { defaultDataDir } from '../engine/util/paths.js';
import { HostBridge } from './host-bridge.js';
import { buildAppMenu } from './menu.js';
import { rendererDistDir } from './paths.js';
import { DEFAULT_MAX_UPLOAD_BYTES } from './uploads.js';
import { utilityProcessLauncher } from './utility-channel.js';
import { createMainWindow, hardenSession } from './window.js';

/** The Electron shell: one window; the engine runs in a utility process; all request handling lives in HostBridge. */
const here = path.dirname(fileURLToPath(import.meta.url));
const indexHtmlPath = path.join(rendererDistDir(), 'index.html');
const indexUrl = pathToFileURL(indexHtmlPath).href;
const engine = new EngineClient(
  // The same library as the CLI and the web host (defaultDataDir), not Electron's per-app config folder.
  utilityProcessLauncher(path.join(here, '../engine/host/engine-process.js'), { LONGREAD_DATA: defaultDataDir() }),
);
let window: BrowserWindow | null = null;

const sendEvent = (event: EngineEvent) => {
  if (window && !window.isDestroyed()) window.webContents.send(IPC_EVENT_CHANNEL, event);
};

async function pick(options: Electron.OpenDialogOptions): Promise<string | null> {
  const result = window ? await dialog.showOpenDialog(window, options) : await dialog.showOpenDialog(options);
  return result.canceled ? null : (result.filePaths[0] ?? null);
}

const pickModelFolder = () => pick({ title: 'Open Model Folder', properties: ['openDirectory'] });
const pickDocument = () =>
  pick({ title: 'Open Document', properties: ['openFile'], filters: [{ name: 'Documents', extensions: SUPPORTED_EXTENSIONS.map((e) => e.slice(1)) }] });

const bridge = new HostBridge(engine, { transport: 'electron', version: app.getVersion(), maxUploadBytes: DEFAULT_MAX_UPLOAD_BYTES, pickModelFolder, pickDocument });
bridge.onEvent(sendEvent);

/** A document given on the command line or through "Open with" (the first instance handles the second's). */
function documentArgument(argv: readonly string[]): string | null {
  return argv.slice(1).find((a) => SUPPORTED_EXTENSIONS.some((e) => a.toLowerCase().endsWith(e))) ?? null;
}

// A second instance would start a second engine and double the memory; focus the first one instead.
const isFirstInstance = app.requestSingleInstanceLock();
if (!isFirstInstance) app.quit();
app.on('second-instance', (_event, argv) => {
  if (window?.isMinimized()) window.restore();
  window?.focus();
  const file = documentArgument(argv);
  if (file) sendEvent({ type: 'documentChosen', path: file });
});
app.on('open-file', (event, file) => {
  event.preventDefault();
  sendEvent({ type: 'documentChosen', path: file });
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
        openModelFolder: () => void pickModelFolder().then((folder) => folder && sendEvent({ type: 'modelFolderChosen', path: folder })),
        openDocument: () => void pickDocument().then((file) => file && sendEvent({ type: 'documentChosen', path: file })),
        showAbout: () => {
          void dialog.showMessageBox({ title: 'About Longread', message: `Longread ${app.getVersion()}`, detail: 'Read a long document once, keep it in mind.' });
        },
      },
      isMac,
    ),
  );
  openWindow();
  const file = documentArgument(process.argv);
  if (file) window?.webContents.once('did-finish-load', () => sendEvent({ type: 'documentChosen', path: file }));
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
