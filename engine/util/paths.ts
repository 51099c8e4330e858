import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

/** The project root, from sources (engine/util) or from the build (dist/engine/util). */
function projectRoot(): string {
  const candidates = [path.resolve(here, '../..'), path.resolve(here, '../../..')];
  return candidates.find((dir) => fs.existsSync(path.join(dir, 'assets'))) ?? candidates[0];
}

/** The embedded demo model (stories260K), shipped in assets/. */
export function demoModelDir(): string {
  return process.env.LONGREAD_DEMO_MODEL ?? path.join(projectRoot(), 'assets', 'models', 'stories260K');
}

/** The sample documents shipped in assets/. */
export function sampleDocumentsDir(): string {
  return path.join(projectRoot(), 'assets', 'documents', 'samples');
}

/** Where the library and downloaded models live: $LONGREAD_DATA, else the platform's user data folder. */
export function defaultDataDir(): string {
  if (process.env.LONGREAD_DATA) return process.env.LONGREAD_DATA;
  if (process.platform === 'win32') return path.join(process.env.APPDATA ?? path.join(os.homedir(), 'AppData', 'Roaming'), 'Longread');
  if (process.platform === 'darwin') return path.join(os.homedir(), 'Library', 'Application Support', 'Longread');
  return path.join(process.env.XDG_DATA_HOME ?? path.join(os.homedir(), '.local', 'share'), 'longread');
}
