import fs from 'node:fs';
import path from 'node:path';

interface LockEntry {
  name?: string;
  version?: string;
  dev?: boolean;
  link?: boolean;
}

/**
 * "name@version" of every package package-lock.json installs for production (not marked `dev`). electron-builder
 * re-hoists the production tree when it packs, so a packed package is found by name and version, not by path.
 */
export function productionPackages(projectDir: string): Set<string> {
  const lock = JSON.parse(fs.readFileSync(path.join(projectDir, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockEntry> };
  const result = new Set<string>();
  for (const [installPath, entry] of Object.entries(lock.packages)) {
    if (!installPath || entry.dev || entry.link) continue;
    result.add(`${entry.name ?? nameFromInstallPath(installPath)}@${entry.version}`);
  }
  return result;
}

function nameFromInstallPath(installPath: string): string {
  return installPath.slice(installPath.lastIndexOf('node_modules/') + 'node_modules/'.length);
}

/** Whether a file is the package.json at the root of a package under node_modules ("node_modules/@a/b/package.json"). */
export function isPackageManifest(file: string): boolean {
  return /(^|\/)node_modules\/(@[^/]+\/)?[^/@][^/]*\/package\.json$/.test(file);
}
