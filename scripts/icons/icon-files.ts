import { downscale } from './downscale.js';
import { encodeIcns, ICNS_TYPES, type IcnsType } from './icns.js';
import { encodeIco } from './ico.js';
import { encodePng } from './png.js';
import type { RgbaImage } from './rgba-image.js';

/** The one source every platform's icon is made from: icon.svg rendered at this size to icon.png. */
export const SOURCE_SIZE = 1024;
/** Sizes in the Windows .ico (Explorer, taskbar, installer). */
export const ICO_SIZES = [16, 24, 32, 48, 64, 128, 256] as const;
/** Linux: one PNG per size in png/, installed into the hicolor theme by the AppImage and deb targets. */
export const LINUX_SIZES = [16, 24, 32, 48, 64, 128, 256, 512] as const;

export const linuxIconPath = (size: number) => `png/${size}x${size}.png`;

/** Every derived icon file, by its path under assets/icons/, made from the 1024px source image. */
export function makeIconFiles(source: RgbaImage): Map<string, Buffer> {
  if (source.width !== SOURCE_SIZE || source.height !== SOURCE_SIZE) throw new Error(`icon.png must be ${SOURCE_SIZE}×${SOURCE_SIZE}, not ${source.width}×${source.height}`);
  const sized = new Map<number, RgbaImage>([[SOURCE_SIZE, source]]);
  const at = (size: number) => {
    let image = sized.get(size);
    if (!image) sized.set(size, (image = downscale(source, size)));
    return image;
  };
  const files = new Map<string, Buffer>();
  files.set('icon.ico', encodeIco(ICO_SIZES.map(at)));
  files.set('icon.icns', encodeIcns((Object.keys(ICNS_TYPES) as IcnsType[]).map((type) => ({ type, png: encodePng(at(ICNS_TYPES[type])) }))));
  for (const size of LINUX_SIZES) files.set(linuxIconPath(size), encodePng(at(size)));
  return files;
}
