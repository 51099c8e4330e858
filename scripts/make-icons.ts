/**
 * Makes every platform's icon from assets/icons/icon.svg:
 *   icon.png   1024px, rendered by Chromium (skipped with --from-png: the committed icon.png is used as it is)
 *   icon.ico   Windows, 16–256px
 *   icon.icns  macOS, 16–1024px
 *   png/NxN.png Linux, 16–512px
 * Run: npx tsx scripts/make-icons.ts [--from-png]
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeIconFiles, SOURCE_SIZE } from './icons/icon-files.js';
import { decodePng } from './icons/png.js';
import { renderSvgToPng } from './icons/render-svg.js';

const iconsDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../assets/icons');
const sourcePng = path.join(iconsDir, 'icon.png');

if (!process.argv.includes('--from-png')) {
  fs.writeFileSync(sourcePng, await renderSvgToPng(fs.readFileSync(path.join(iconsDir, 'icon.svg'), 'utf8'), SOURCE_SIZE));
  console.log(`wrote ${path.relative(process.cwd(), sourcePng)}`);
}
for (const [name, bytes] of makeIconFiles(decodePng(fs.readFileSync(sourcePng)))) {
  const file = path.join(iconsDir, name);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, bytes);
  console.log(`wrote ${path.relative(process.cwd(), file)} (${bytes.length} bytes)`);
}
