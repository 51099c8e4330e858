import fs from 'node:fs';
import path from 'node:path';
import { LongreadError } from '../errors.js';
import type { FidelityDocument } from './fidelity.js';

/** Reads documents from files, or from every .txt/.md file of a folder (sorted by name). */
export function readDocuments(paths: readonly string[]): FidelityDocument[] {
  const files: string[] = [];
  for (const p of paths) {
    if (!fs.existsSync(p)) throw new LongreadError('MISSING_FILE', `document ${p} does not exist`);
    if (fs.statSync(p).isDirectory()) {
      files.push(...fs.readdirSync(p).filter((f) => /\.(txt|md)$/.test(f)).sort().map((f) => path.join(p, f)));
    } else {
      files.push(p);
    }
  }
  if (!files.length) throw new LongreadError('BAD_ARGUMENT', `no documents found in ${paths.join(', ')}`);
  return files.map((f) => ({ name: path.basename(f).replace(/\.(txt|md)$/, ''), text: fs.readFileSync(f, 'utf8').trim() }));
}
