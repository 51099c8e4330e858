import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { SUPPORTED_EXTENSIONS } from '../../engine/documents/ingest/formats.js';
import { LINUX_SIZES, linuxIconPath } from '../../scripts/icons/icon-files.js';
import { builderRequire, builderSchema, loadBuilderConfig, PROJECT_ROOT, validateLikeElectronBuilder } from './electron-builder-lib.js';

/** electron-builder.yml, judged by electron-builder's own loader, schema and validation, without building. */

interface AjvLike {
  compile(schema: object): ((data: unknown) => boolean) & { errors?: { instancePath: string; message?: string }[] | null };
}
type Config = Record<string, unknown> & {
  linux: { target: { target: string; arch: string[] }[]; icon: string };
  win: { target: { target: string; arch: string[] }[]; icon: string };
  mac: { target: { target: string; arch: string[] }[]; icon: string };
  nsis: Record<string, unknown>;
  fileAssociations: { ext: string | string[]; name: string; mimeType?: string; rank?: string; role?: string }[];
  asarUnpack: string[];
};

let config: Config;
let validate: ReturnType<AjvLike['compile']>;

beforeAll(async () => {
  config = (await loadBuilderConfig()) as Config;
  const Ajv = (builderRequire('ajv') as { default: new (options: object) => AjvLike }).default;
  // As electron-builder compiles it, but without coercing types: "true" is not a boolean here.
  validate = new Ajv({ allErrors: true, strict: false }).compile(builderSchema());
});

describe('electron-builder.yml', () => {
  it("validates against electron-builder's configuration schema", () => {
    const valid = validate(config);
    expect(validate.errors ?? [], JSON.stringify(validate.errors, null, 2)).toEqual([]);
    expect(valid).toBe(true);
  });

  it('is judged by a schema that does refuse broken configurations', () => {
    expect(validate({ ...config, linux: { ...config.linux, target: 42 } })).toBe(false);
    expect(validate({ ...config, nsis: { ...config.nsis, oneClick: 'no' } })).toBe(false);
    expect(validate({ ...config, installerLanguage: 'en' })).toBe(false);
  });

  it('passes the check electron-builder itself runs before every build', async () => {
    await expect(validateLikeElectronBuilder(config)).resolves.toBeUndefined();
  });

  it('builds AppImage and deb for Linux, NSIS for Windows x64, dmg for macOS arm64 and x64', () => {
    expect(config.linux.target).toEqual([
      { target: 'AppImage', arch: ['x64'] },
      { target: 'deb', arch: ['x64'] },
    ]);
    expect(config.win.target).toEqual([{ target: 'nsis', arch: ['x64'] }]);
    expect(config.mac.target).toEqual([{ target: 'dmg', arch: ['arm64', 'x64'] }]);
  });

  it('gives every platform an icon from assets/icons/ that electron-builder takes as it is (no conversion tool)', async () => {
    expect(config.win.icon).toBe('assets/icons/icon.ico');
    expect(config.mac.icon).toBe('assets/icons/icon.icns');
    expect(config.linux.icon).toBe('assets/icons/png');
    const { convertIcon } = builderRequire('./out/util/iconConverter.js') as {
      convertIcon(options: { sources: string[]; fallbackSources: string[]; roots: string[]; format: 'ico' | 'icns' | 'set'; outDir: string }): Promise<{ icons: { file: string; size: number }[]; isFallback: boolean }>;
    };
    const roots = [path.join(PROJECT_ROOT, 'assets', 'icons'), PROJECT_ROOT];
    // A conversion would write here (and first download electron-builder's icon tool); none may happen.
    const outDir = path.join(os.tmpdir(), 'longread-icon-conversion-must-not-happen');
    const resolve = (icon: string, format: 'ico' | 'icns' | 'set') => convertIcon({ sources: [icon], fallbackSources: [], roots, format, outDir });
    expect(await resolve(config.win.icon, 'ico')).toEqual({ icons: [{ file: path.join(PROJECT_ROOT, config.win.icon), size: 256 }], isFallback: false });
    expect(await resolve(config.mac.icon, 'icns')).toEqual({ icons: [{ file: path.join(PROJECT_ROOT, config.mac.icon), size: 0 }], isFallback: false });
    const linux = await resolve(config.linux.icon, 'set');
    expect(linux.isFallback).toBe(false);
    expect(linux.icons.map((i) => i.size)).toEqual([...LINUX_SIZES]);
    expect(linux.icons.map((i) => i.file)).toEqual(LINUX_SIZES.map((s) => path.join(PROJECT_ROOT, 'assets', 'icons', linuxIconPath(s))));
    expect(fs.existsSync(outDir)).toBe(false);
  });

  it('offers "Open with Longread" for every extension the reader takes, never claiming the default on macOS', () => {
    const extensions = config.fileAssociations.flatMap((a) => [a.ext].flat()).map((e) => `.${e}`);
    expect(extensions.sort()).toEqual([...SUPPORTED_EXTENSIONS].sort());
    for (const association of config.fileAssociations) {
      expect(association).toMatchObject({ role: 'Viewer', rank: 'Alternate', mimeType: expect.stringMatching(/^[a-z]+\/[\w.+-]+$/) });
      expect(association.name).toMatch(/^Longread\./);
    }
  });

  it("unpacks onnxruntime's native binaries, the demo model and the samples from the archive", () => {
    expect(config.asarUnpack).toEqual(expect.arrayContaining(['node_modules/onnxruntime-node/bin/**', 'assets/models/stories260K/**', 'assets/documents/samples/**']));
  });

  it('leaves the library in place on uninstall and publishes nothing', () => {
    expect(config.nsis).toMatchObject({ deleteAppDataOnUninstall: false, perMachine: false });
    expect(config.publish).toBeNull();
  });
});
