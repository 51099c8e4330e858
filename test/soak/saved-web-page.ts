import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

const BAKERY = fs.readFileSync(path.resolve(import.meta.dirname, '../../assets/documents/samples/the-little-bakery.html'), 'utf8');

/**
 * A page saved from a browser: the bakery story with a photo inlined as a data URL, so the file is `megabytes` large
 * while its text stays short. Uploading, parsing and reading it in every round of a soak would show any copy of the
 * file that the server or the engine keeps.
 */
export function savedWebPage(megabytes: number): Buffer {
  const photo = randomBytes(Math.floor((megabytes * 2 ** 20 * 3) / 4)).toString('base64');
  return Buffer.from(BAKERY.replace('<h1>', `<figure><img alt="the bakery" src="data:image/jpeg;base64,${photo}"></figure>\n<h1>`));
}
