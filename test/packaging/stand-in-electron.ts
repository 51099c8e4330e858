import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { builderRequire } from './electron-builder-lib.js';

interface Resedit {
  NtExecutable: { createEmpty(is32Bit: boolean, isDll: boolean): { generate(): ArrayBuffer } };
  NtExecutableResource: { from(exe: unknown): { entries: unknown[]; outputResource(exe: unknown): void } };
  Resource: { VersionInfo: { createEmpty(): { setStringValues(lang: { lang: number; codepage: number }, values: Record<string, string>): void; outputToResourceEntries(entries: unknown[]): void } } };
}

/**
 * An Electron distribution folder for electron-builder's `electronDist`, standing in for the real one, which cannot
 * be downloaded here: the Linux launcher is a script, the Windows one a minimal PE executable with the version
 * resource electron-builder edits (icon, version, asar integrity). electron-builder packages the app around it
 * exactly as around the real binaries.
 */
export function standInElectronDist(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'longread-electron-'));
  fs.writeFileSync(path.join(dir, 'electron'), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
  fs.writeFileSync(path.join(dir, 'electron.exe'), windowsExecutable());
  fs.writeFileSync(path.join(dir, 'LICENSE'), '');
  fs.writeFileSync(path.join(dir, 'LICENSES.chromium.html'), '');
  fs.mkdirSync(path.join(dir, 'resources'));
  return dir;
}

function windowsExecutable(): Buffer {
  const resedit = builderRequire('resedit') as Resedit;
  const exe = resedit.NtExecutable.createEmpty(false, false);
  const resources = resedit.NtExecutableResource.from(exe);
  const version = resedit.Resource.VersionInfo.createEmpty();
  version.setStringValues({ lang: 1033, codepage: 1200 }, { ProductName: 'Electron' });
  version.outputToResourceEntries(resources.entries);
  resources.outputResource(exe);
  return Buffer.from(exe.generate());
}
