import fs from 'node:fs';
import { builtinModules } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ICO_SIZES } from '../../scripts/icons/icon-files.js';
import { builderRequire, PROJECT_ROOT } from './electron-builder-lib.js';
import { importSpecifiers, packageName, resolveRelative } from './import-specifiers.js';
import { isPackageManifest, productionPackages } from './lockfile-packages.js';
import { packApp, type PackedApp } from './pack-app.js';
import { stageApp } from './stage-app.js';
import { standInElectronDist } from './stand-in-electron.js';

/**
 * What the installers would contain, computed by electron-builder itself: a fresh build of the app is packaged with
 * the `dir` target for Linux and Windows (x64, as shipped) around a stand-in Electron, and the resulting app.asar is
 * read back. macOS cannot be packaged off a Mac; its file selection is checked in platform-file-selection.test.ts.
 */

const ONNX_BIN = 'node_modules/onnxruntime-node/bin/napi-v6';
/** Imported by the engine only when it runs from TypeScript sources (tests, development), never from dist/. */
const SOURCE_ONLY_IMPORTS = new Set(['tsx']);
/** What the archive holds at its top level, and nothing else. */
const TOP_LEVEL = ['dist/', 'renderer/dist/', 'assets/models/stories260K/', 'assets/documents/samples/', 'node_modules/', 'package.json'];

const temporary: string[] = [];
const packed: Record<'linux' | 'win', PackedApp> = {} as Record<'linux' | 'win', PackedApp>;

beforeAll(async () => {
  const stageDir = stageApp();
  const electronDist = standInElectronDist();
  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'longread-packed-'));
  temporary.push(stageDir, electronDist, outDir);
  packed.linux = await packApp({ stageDir, electronDist, outDir, platform: 'linux', arch: 'x64' });
  packed.win = await packApp({ stageDir, electronDist, outDir, platform: 'win', arch: 'x64' });
});

afterAll(() => {
  for (const dir of temporary) fs.rmSync(dir, { recursive: true, force: true });
});

function filesUnder(dir: string): string[] {
  return fs.readdirSync(path.join(PROJECT_ROOT, dir), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.posix.join(dir, path.relative(path.join(PROJECT_ROOT, dir), path.join(e.parentPath, e.name)).replaceAll('\\', '/')));
}

describe.each(['linux', 'win'] as const)('the %s x64 package', (platform) => {
  const app = () => packed[platform];

  it('holds the main process, the preload, the renderer, the engine process and its parse worker', () => {
    const files = new Set(app().files);
    const manifest = JSON.parse(app().read('package.json').toString('utf8')) as { main: string };
    expect(files).toContain(manifest.main);
    for (const file of [
      'dist/main/main.js',
      'dist/main/preload.cjs',
      'renderer/dist/index.html',
      'dist/engine/host/engine-process.js',
      'dist/engine/documents/ingest/parse-worker.js',
      'dist/common/contract.js',
    ]) {
      expect(files, file).toContain(file);
    }
    const html = app().read('renderer/dist/index.html').toString('utf8');
    const assets = Array.from(html.matchAll(/(?:src|href)="\.\/([^"]+)"/g), (m) => `renderer/dist/${m[1]}`);
    expect(assets.some((a) => a.endsWith('.js'))).toBe(true);
    for (const asset of assets) expect(files, `index.html loads ${asset}`).toContain(asset);
  });

  it('holds every module the packed code imports', () => {
    const files = new Set(app().files);
    const missing: string[] = [];
    for (const file of app().files.filter((f) => f.startsWith('dist/') && /\.[cm]?js$/.test(f))) {
      for (const specifier of importSpecifiers(app().read(file).toString('utf8'))) {
        if (specifier.startsWith('.')) {
          if (!files.has(resolveRelative(file, specifier))) missing.push(`${file} → ${specifier}`);
        } else if (!specifier.startsWith('node:') && !builtinModules.includes(specifier) && specifier !== 'electron') {
          const name = packageName(specifier);
          if (!SOURCE_ONLY_IMPORTS.has(name) && !files.has(`node_modules/${name}/package.json`)) missing.push(`${file} → ${specifier}`);
        }
      }
    }
    expect(missing).toEqual([]);
  });

  it('ships the demo model and the sample documents as real files beside the archive', () => {
    for (const file of [...filesUnder('assets/models/stories260K'), ...filesUnder('assets/documents/samples')]) {
      expect(app().unpacked, file).toContain(file);
    }
  });

  it("ships onnxruntime's native binding for its own OS and architecture only, as real files", () => {
    const own = platform === 'linux' ? `${ONNX_BIN}/linux/x64` : `${ONNX_BIN}/win32/x64`;
    const binaries = app().files.filter((f) => f.startsWith(`${ONNX_BIN}/`));
    expect(binaries).toContain(`${own}/onnxruntime_binding.node`);
    expect(binaries).toContain(platform === 'linux' ? `${own}/libonnxruntime.so.1` : `${own}/onnxruntime.dll`);
    expect(binaries.filter((f) => !f.startsWith(`${own}/`))).toEqual([]);
    for (const file of binaries) expect(app().unpacked, file).toContain(file);
  });

  it('packs no tests, source maps, TypeScript or project sources', () => {
    const files = app().files;
    expect(files.filter((f) => !TOP_LEVEL.some((top) => f === top || f.startsWith(top)))).toEqual([]);
    expect(files.filter((f) => /\.(map|[cm]?ts|tsx)$/.test(f))).toEqual([]);
    expect(files.filter((f) => /(^|\/)(test|tests|__tests__)\//.test(f) || /\.(test|spec)\.[cm]?[jt]sx?$/.test(f))).toEqual([]);
  });

  it('packs production dependencies only, and all of them', () => {
    const production = productionPackages(PROJECT_ROOT);
    const packages = app()
      .files.filter(isPackageManifest)
      .map((file) => JSON.parse(app().read(file).toString('utf8')) as { name: string; version: string })
      .map((m) => `${m.name}@${m.version}`);
    expect(packages.length).toBeGreaterThan(10);
    expect(packages.filter((p) => !production.has(p))).toEqual([]);
    const manifest = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    for (const name of Object.keys(manifest.dependencies)) expect(app().files, name).toContain(`node_modules/${name}/package.json`);
  });
});

describe('the Windows executable', () => {
  it('carries the icon from assets/icons/icon.ico, every size of it', () => {
    interface Resedit {
      NtExecutable: { from(bytes: Buffer): unknown };
      NtExecutableResource: { from(exe: unknown): { entries: unknown[] } };
      Resource: { IconGroupEntry: { fromEntries(entries: unknown[]): { icons: { width: number }[] }[] } };
    }
    const resedit = builderRequire('resedit') as Resedit;
    const exe = resedit.NtExecutable.from(fs.readFileSync(path.join(packed.win.appDir, 'Longread.exe')));
    const groups = resedit.Resource.IconGroupEntry.fromEntries(resedit.NtExecutableResource.from(exe).entries);
    expect(groups).toHaveLength(1);
    expect(groups[0].icons.map((i) => i.width || 256)).toEqual([...ICO_SIZES]);
  });
});
