import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

/** The built renderer: beside the project root both from sources (main/) and from the build (dist/main/). */
export function rendererDistDir(): string {
  const candidates = [path.resolve(here, '../renderer/dist'), path.resolve(here, '../../renderer/dist')];
  return candidates.find((dir) => fs.existsSync(path.join(dir, 'index.html'))) ?? candidates[candidates.length - 1];
}
