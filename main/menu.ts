import { Menu, type MenuItemConstructorOptions } from 'electron';

export interface MenuActions {
  openModelFolder: () => void;
  openDocument: () => void;
  showAbout: () => void;
}

export function buildAppMenu(actions: MenuActions, isMac: boolean): Menu {
  const template: MenuItemConstructorOptions[] = [
    ...(isMac ? [{ role: 'appMenu' as const }] : []),
    {
      label: 'File',
      submenu: [
        { label: 'Open Document…', accelerator: 'CmdOrCtrl+O', click: actions.openDocument },
        { label: 'Open Model Folder…', accelerator: 'CmdOrCtrl+Shift+O', click: actions.openModelFolder },
        { type: 'separator' },
        isMac ? { role: 'close' } : { role: 'quit' },
      ],
    },
    { role: 'editMenu' },
    {
      label: 'View',
      submenu: [
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { type: 'separator' },
        { role: 'togglefullscreen' },
        { type: 'separator' },
        { role: 'toggleDevTools' },
      ],
    },
    { role: 'help', submenu: [{ label: 'About Longread', click: actions.showAbout }] },
  ];
  return Menu.buildFromTemplate(template);
}
