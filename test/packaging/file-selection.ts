import fs from 'node:fs';
import path from 'node:path';
import { builderRequire, PROJECT_ROOT } from './electron-builder-lib.js';

/**
 * electron-builder's file selection for one platform and architecture, run on the project as it is, without
 * packaging: the matchers it builds from `files` (getMainFileMatchers, getNodeModuleFileMatcher), its macro expansion
 * and its file walker. Works for every platform, macOS included, which cannot be packaged off a Mac.
 */

export type BuildPlatform = 'linux' | 'win' | 'mac';

interface FileMatcher {
  createFilter(): (file: string, stat: fs.Stats & { moduleFullFilePath?: string }) => boolean;
}

const { getMainFileMatchers, getNodeModuleFileMatcher } = builderRequire('./out/fileMatcher.js') as {
  getMainFileMatchers(appDir: string, destination: string, expand: (p: string) => string, options: object, packager: object, outDir: string, isElectronCompile: boolean): FileMatcher[];
  getNodeModuleFileMatcher(appDir: string, destination: string, expand: (p: string) => string, options: object, info: object): FileMatcher;
};
const { computeFileSets } = builderRequire('./out/util/appFileCopier.js') as {
  computeFileSets(matchers: FileMatcher[], transformer: null, packager: object, isElectronCompile: boolean): Promise<{ files: string[]; metadata: Map<string, fs.Stats> }[]>;
};
const { expandMacro } = builderRequire('./out/util/macroExpander.js') as {
  expandMacro(pattern: string, arch: string | null, appInfo: object, extra: Record<string, string>): string;
};

function packagerFor(config: Record<string, unknown>) {
  const directories = config.directories as { buildResources: string; output: string };
  const info = {
    projectDir: PROJECT_ROOT,
    buildResourcesDir: path.resolve(PROJECT_ROOT, directories.buildResources),
    config,
    isPrepackedAppAsar: false,
    areNodeModulesHandledExternally: false,
    debugLogger: { isEnabled: false },
  };
  return { info, outDir: path.resolve(PROJECT_ROOT, directories.output) };
}

const expander = (platform: BuildPlatform, arch: string) => (pattern: string) => expandMacro(pattern, arch, { productName: 'Longread' }, { os: platform });

/** The project's own files (not node_modules) this platform would pack, relative to the project root. */
export async function selectAppFiles(config: Record<string, unknown>, platform: BuildPlatform, arch: string): Promise<string[]> {
  const { info, outDir } = packagerFor(config);
  const matchers = getMainFileMatchers(PROJECT_ROOT, '/app', expander(platform, arch), (config[platform] ?? {}) as object, { info }, outDir, false);
  const sets = await computeFileSets(matchers, null, { info }, false);
  return sets.flatMap((set) => set.files.filter((f) => set.metadata.get(f)?.isFile())).map((f) => path.relative(PROJECT_ROOT, f).replaceAll(path.sep, '/'));
}

/** Which files of one installed package (e.g. "onnxruntime-node") this platform's patterns keep. */
export function selectPackageFiles(config: Record<string, unknown>, platform: BuildPlatform, arch: string, packageName: string): string[] {
  const { info } = packagerFor(config);
  const filter = getNodeModuleFileMatcher(PROJECT_ROOT, '/app', expander(platform, arch), (config[platform] ?? {}) as object, info).createFilter();
  const root = path.join(PROJECT_ROOT, 'node_modules', packageName);
  const kept: string[] = [];
  const visit = (dir: string) => {
    for (const name of fs.readdirSync(dir)) {
      const file = path.join(dir, name);
      const stat = Object.assign(fs.lstatSync(file), { moduleFullFilePath: path.relative(PROJECT_ROOT, file).replaceAll(path.sep, '/') });
      if (!filter(file, stat)) continue;
      if (stat.isDirectory()) visit(file);
      else kept.push(stat.moduleFullFilePath);
    }
  };
  visit(root);
  return kept;
}
