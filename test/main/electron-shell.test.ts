import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it, vi } from 'vitest';

/**
 * Electron cannot run here, so its API is replaced by a recorder: these tests check what the shell asks of Electron
 * (window settings, handlers, menu, IPC wiring), and what those handlers do when Electron calls them.
 */
const electron = vi.hoisted(() => {
  type Handler = (...args: unknown[]) => unknown;
  const listeners = (): { on: Record<string, Handler>; add: (name: string, fn: Handler) => void } => {
    const on: Record<string, Handler> = {};
    return { on, add: (name, fn) => void (on[name] = fn) };
  };
  const windows: { options: Record<string, unknown>; contents: ReturnType<typeof listeners> & { openHandler?: Handler }; loaded?: string }[] = [];
  const ipcHandlers: Record<string, Handler> = {};
  const session: { permission?: Handler; check?: Handler; headers?: Handler } = {};
  const app = listeners();
  const menus: unknown[] = [];

  class BrowserWindow {
    readonly webContents: { on: (name: string, fn: Handler) => void; setWindowOpenHandler: (fn: Handler) => void; send: Handler };
    constructor(options: Record<string, unknown>) {
      const contents = listeners();
      const record: (typeof windows)[number] = { options, contents };
      windows.push(record);
      this.webContents = {
        on: contents.add,
        setWindowOpenHandler: (fn) => void ((record.contents as { openHandler?: Handler }).openHandler = fn),
        send: () => undefined,
      };
      this.loadFile = (file: string) => {
        record.loaded = file;
        return Promise.resolve();
      };
    }
    loadFile: (file: string) => Promise<void>;
    once() {}
    on() {}
    isDestroyed() {
      return false;
    }
    static getAllWindows() {
      return windows;
    }
  }

  const module = {
    BrowserWindow,
    app: {
      on: app.add,
      whenReady: () => Promise.resolve(),
      requestSingleInstanceLock: () => true,
      quit: () => undefined,
      getVersion: () => '0.1.0',
      getPath: () => '/tmp/longread-user-data',
    },
    utilityProcess: { fork: () => ({ once() {}, on() {}, postMessage() {}, kill() {} }) },
    ipcMain: { handle: (channel: string, fn: Handler) => void (ipcHandlers[channel] = fn) },
    dialog: { showOpenDialog: async () => ({ canceled: true, filePaths: [] }), showMessageBox: async () => ({}) },
    Menu: {
      buildFromTemplate: (template: unknown) => template,
      setApplicationMenu: (menu: unknown) => void menus.push(menu),
    },
    shell: { openExternal: async () => undefined },
    session: {
      defaultSession: {
        setPermissionRequestHandler: (fn: Handler) => void (session.permission = fn),
        setPermissionCheckHandler: (fn: Handler) => void (session.check = fn),
        webRequest: { onHeadersReceived: (fn: Handler) => void (session.headers = fn) },
      },
    },
  };
  return { module, windows, ipcHandlers, session, menus };
});

vi.mock('electron', () => ({ ...electron.module, default: electron.module }));

beforeAll(async () => {
  await import('../../main/main.js');
  await vi.waitFor(() => expect(electron.windows.length).toBe(1));
});

describe('Electron shell', () => {
  it('opens one window with Node off, isolation and sandbox on, and the built renderer loaded', () => {
    const [win] = electron.windows;
    expect(win.options.webPreferences).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      webviewTag: false,
      preload: expect.stringMatching(/main[/\\]preload\.cjs$/),
    });
    expect(win.loaded).toMatch(/renderer[/\\]dist[/\\]index\.html$/);
  });

  it('blocks navigation, webviews and new windows', () => {
    const { contents } = electron.windows[0];
    for (const name of ['will-navigate', 'will-redirect', 'will-attach-webview']) {
      const event = { preventDefault: vi.fn() };
      contents.on[name](event, 'https://example.com/');
      expect(event.preventDefault, name).toHaveBeenCalled();
    }
    expect(contents.openHandler?.({ url: 'https://example.com/' })).toEqual({ action: 'deny' });
  });

  it('denies every permission and sends the CSP header', () => {
    const granted = vi.fn();
    electron.session.permission?.({}, 'media', granted);
    expect(granted).toHaveBeenCalledWith(false);
    expect(electron.session.check?.({}, 'notifications')).toBe(false);
    const callback = vi.fn();
    electron.session.headers?.({ responseHeaders: { a: ['b'] } }, callback);
    expect(callback.mock.calls[0][0].responseHeaders['Content-Security-Policy'][0]).toContain("default-src 'self'");
  });

  it('has File (Open Document…, Open Model Folder…, Quit), Edit, View and Help menus', () => {
    const template = electron.menus[0] as { label?: string; role?: string; submenu?: { label?: string; role?: string }[] }[];
    const names = template.map((m) => m.label ?? m.role);
    expect(names).toEqual(expect.arrayContaining(['File', 'editMenu', 'View', 'help']));
    const file = template.find((m) => m.label === 'File');
    expect(file?.submenu?.map((i) => i.label ?? i.role)).toEqual(expect.arrayContaining(['Open Document…', 'Open Model Folder…', 'quit']));
  });

  it('answers requests from its own page only, validating them through the bridge', async () => {
    const handler = electron.ipcHandlers['longread:loadModel'];
    const index = pathToFileURL(electron.windows[0].loaded!).href;
    const stranger = await handler({ senderFrame: { url: 'https://evil.example/' } }, { operationId: 'a', modelDir: '/m' });
    expect(stranger).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    const invalid = await handler({ senderFrame: { url: index } }, { operationId: 'a', modelDir: 7 });
    expect(invalid).toMatchObject({ ok: false, error: { code: 'INVALID_REQUEST' } });
    const info = await electron.ipcHandlers['longread:hostInfo']({ senderFrame: { url: index } }, {});
    expect(info).toEqual({ ok: true, value: { transport: 'electron', canOpenDialogs: true, defaultModelDir: null, maxUploadBytes: 200 * 1024 * 1024, version: '0.1.0' } });
  });

  it('registers a handler for every request in the contract', async () => {
    const { REQUEST_NAMES } = await import('../../common/contract.js');
    expect(Object.keys(electron.ipcHandlers).sort()).toEqual(REQUEST_NAMES.map((n) => `longread:${n}`).sort());
  });
});
