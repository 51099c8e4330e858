import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { builderRequire, PROJECT_ROOT } from './electron-builder-lib.js';

interface Asar {
  listPackage(archive: string, options: { isPack: boolean }): string[];
  statFile(archive: string, file: string): { unpacked?: boolean; files?: unknown };
  extractFile(archive: string, file: string): Buffer;
}

export interface PackedApp {
  /** The unpacked application folder (linux-unpacked, win-unpacked). */
  appDir: string;
  archive: string;
  /** Every file in the app, as paths relative to the archive root ("dist/main/main.js"), packed or not. */
  files: string[];
  /** The subset electron-builder put beside the archive (app.asar.unpacked) as real files. */
  unpacked: Set<string>;
  read(file: string): Buffer;
}

/**
 * Runs electron-builder's `dir` target on a staged app for one platform and architecture, with a stand-in Electron
 * distribution, and lists what it packed: the very file selection, node_modules collection and asar unpacking an
 * installer would contain.
 */
export async function packApp(options: { stageDir: string; electronDist: string; outDir: string; platform: 'linux' | 'win'; arch: 'x64' | 'arm64' }): Promise<PackedApp> {
  const cli = path.join(PROJECT_ROOT, 'node_modules', 'electron-builder', 'cli.js');
  const args = [cli, '--projectDir', options.stageDir, `--${options.platform}`, 'dir', `--${options.arch}`, `-c.electronDist=${options.electronDist}`, `-c.directories.output=${options.outDir}`];
  try {
    await promisify(execFile)(process.execPath, args, { cwd: options.stageDir, timeout: 240_000, maxBuffer: 64 * 2 ** 20 });
  } catch (e) {
    const out = e as { stdout?: string; stderr?: string };
    throw new Error(`electron-builder ${args.slice(1).join(' ')} failed:\n${out.stdout ?? ''}${out.stderr ?? ''}`);
  }
  const folder = `${options.platform === 'win' ? 'win' : 'linux'}${options.arch === 'x64' ? '' : `-${options.arch}`}-unpacked`;
  const appDir = path.join(options.outDir, folder);
  const archive = path.join(appDir, 'resources', 'app.asar');
  const asar = builderRequire('@electron/asar') as Asar;
  const files: string[] = [];
  const unpacked = new Set<string>();
  for (const entry of asar.listPackage(archive, { isPack: false })) {
    const file = entry.replace(/^[\\/]/, '').replaceAll('\\', '/');
    const stat = asar.statFile(archive, file);
    if (stat.files) continue; // a folder
    files.push(file);
    if (stat.unpacked) unpacked.add(file);
  }
  return {
    appDir,
    archive,
    files,
    unpacked,
    read: (file) => (unpacked.has(file) ? fs.readFileSync(path.join(`${archive}.unpacked`, file)) : asar.extractFile(archive, file)),
  };
}
