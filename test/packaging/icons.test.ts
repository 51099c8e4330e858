import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readIcns, ICNS_TYPES } from '../../scripts/icons/icns.js';
import { readIco } from '../../scripts/icons/ico.js';
import { ICO_SIZES, LINUX_SIZES, linuxIconPath, makeIconFiles, SOURCE_SIZE } from '../../scripts/icons/icon-files.js';
import { decodePng, pngSize } from '../../scripts/icons/png.js';
import { CHROMIUM, renderSvgToPng } from '../../scripts/icons/render-svg.js';
import type { RgbaImage } from '../../scripts/icons/rgba-image.js';
import { PROJECT_ROOT } from './electron-builder-lib.js';

/** The committed icons (assets/icons/), made by scripts/make-icons.ts from the one source image, icon.svg. */

const iconsDir = path.join(PROJECT_ROOT, 'assets', 'icons');
const read = (name: string) => fs.readFileSync(path.join(iconsDir, name));
const alphaAt = (image: RgbaImage, x: number, y: number) => image.data[(y * image.width + x) * 4 + 3];

/** Largest difference of any channel of any pixel. */
function maxDifference(a: RgbaImage, b: RgbaImage): number {
  expect([a.width, a.height]).toEqual([b.width, b.height]);
  let max = 0;
  for (let i = 0; i < a.data.length; i++) max = Math.max(max, Math.abs(a.data[i] - b.data[i]));
  return max;
}

describe('icons', () => {
  it('icon.png is the 1024px source: transparent corners, an opaque middle', () => {
    const png = decodePng(read('icon.png'));
    expect([png.width, png.height]).toEqual([SOURCE_SIZE, SOURCE_SIZE]);
    expect(alphaAt(png, 0, 0)).toBe(0);
    expect(alphaAt(png, SOURCE_SIZE - 1, SOURCE_SIZE - 1)).toBe(0);
    expect(alphaAt(png, SOURCE_SIZE / 2, SOURCE_SIZE / 2)).toBe(255);
  });

  it('icon.ico holds every Windows size, each decoding to its size', () => {
    const images = readIco(read('icon.ico'));
    expect(images.map((i) => [i.width, i.height])).toEqual(ICO_SIZES.map((s) => [s, s]));
    for (const image of images) {
      expect(alphaAt(image, 0, 0)).toBe(0);
      expect(alphaAt(image, image.width >> 1, image.height >> 1)).toBe(255);
    }
  });

  it('icon.icns holds every macOS size, each a PNG of the size its type stands for', () => {
    const elements = readIcns(read('icon.icns'));
    expect(elements.map((e) => e.type).sort()).toEqual(Object.keys(ICNS_TYPES).sort());
    for (const { type, data } of elements) {
      const size = ICNS_TYPES[type as keyof typeof ICNS_TYPES];
      expect(pngSize(data), type).toEqual({ width: size, height: size });
      expect(decodePng(data).width, type).toBe(size);
    }
  });

  it('png/ holds every Linux size', () => {
    for (const size of LINUX_SIZES) {
      const image = decodePng(read(linuxIconPath(size)));
      expect([image.width, image.height]).toEqual([size, size]);
    }
  });

  it('are what scripts/make-icons.ts makes from icon.png now (pixel for pixel)', () => {
    const made = makeIconFiles(decodePng(read('icon.png')));
    const committed = fs.readdirSync(path.join(iconsDir, 'png')).map((f) => `png/${f}`).concat(['icon.ico', 'icon.icns']);
    expect(committed.sort()).toEqual([...made.keys()].sort());
    for (const [name, bytes] of made) {
      if (name.endsWith('.png')) expect(maxDifference(decodePng(read(name)), decodePng(bytes)), name).toBe(0);
      else if (name.endsWith('.ico')) readIco(read(name)).forEach((image, i) => expect(maxDifference(image, readIco(bytes)[i]), `${name} #${i}`).toBe(0));
      else readIcns(read(name)).forEach((e, i) => expect(maxDifference(decodePng(e.data), decodePng(readIcns(bytes)[i].data)), `${name} ${e.type}`).toBe(0));
    }
  });

  it.skipIf(!fs.existsSync(CHROMIUM))('icon.png is icon.svg rendered at 1024px (Chromium)', async () => {
    const rendered = decodePng(await renderSvgToPng(read('icon.svg').toString('utf8'), SOURCE_SIZE));
    // Anti-aliased edges may differ by a step between Chromium versions; the picture may not.
    const committed = decodePng(read('icon.png'));
    let differing = 0;
    for (let i = 0; i < rendered.data.length; i++) if (Math.abs(rendered.data[i] - committed.data[i]) > 8) differing++;
    expect(differing / rendered.data.length).toBeLessThan(0.001);
  });
});
