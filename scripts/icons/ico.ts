import { decodePng, encodePng } from './png.js';
import type { RgbaImage } from './rgba-image.js';

/**
 * The Windows .ico container: a directory of images. Sizes below 256 are stored as 32-bit bitmaps (what every
 * consumer, NSIS and resource editors included, reads); 256 as PNG, as Windows itself stores it.
 */

const DIRECTORY_HEADER_BYTES = 6;
const ENTRY_BYTES = 16;
const BITMAP_INFO_HEADER_BYTES = 40;
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** A 32-bit BGRA bitmap as stored in an .ico: the header says twice the height (colour rows, then the AND mask). */
function bitmapEntry(image: RgbaImage): Buffer {
  const { width, height, data } = image;
  const maskStride = Math.ceil(width / 32) * 4;
  const header = Buffer.alloc(BITMAP_INFO_HEADER_BYTES);
  header.writeUInt32LE(BITMAP_INFO_HEADER_BYTES, 0);
  header.writeInt32LE(width, 4);
  header.writeInt32LE(height * 2, 8);
  header.writeUInt16LE(1, 12); // planes
  header.writeUInt16LE(32, 14); // bits per pixel
  header.writeUInt32LE(width * height * 4 + maskStride * height, 20); // image size; compression (16) stays 0 = none
  const colour = Buffer.alloc(width * height * 4);
  const mask = Buffer.alloc(maskStride * height);
  for (let y = 0; y < height; y++) {
    const row = height - 1 - y; // bottom-up
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 4;
      const o = (row * width + x) * 4;
      colour[o] = data[i + 2];
      colour[o + 1] = data[i + 1];
      colour[o + 2] = data[i];
      colour[o + 3] = data[i + 3];
      if (data[i + 3] === 0) mask[row * maskStride + (x >> 3)] |= 0x80 >> (x & 7);
    }
  }
  return Buffer.concat([header, colour, mask]);
}

export function encodeIco(images: readonly RgbaImage[]): Buffer {
  const payloads = images.map((image) => {
    if (image.width !== image.height || image.width > 256) throw new Error(`an .ico holds square images up to 256px, not ${image.width}×${image.height}`);
    return image.width === 256 ? encodePng(image) : bitmapEntry(image);
  });
  const header = Buffer.alloc(DIRECTORY_HEADER_BYTES);
  header.writeUInt16LE(1, 2); // type: icon
  header.writeUInt16LE(images.length, 4);
  let offset = DIRECTORY_HEADER_BYTES + ENTRY_BYTES * images.length;
  const entries = images.map((image, i) => {
    const entry = Buffer.alloc(ENTRY_BYTES);
    entry[0] = image.width % 256; // 0 means 256
    entry[1] = image.height % 256;
    entry.writeUInt16LE(1, 4); // planes
    entry.writeUInt16LE(32, 6); // bits per pixel
    entry.writeUInt32LE(payloads[i].length, 8);
    entry.writeUInt32LE(offset, 12);
    offset += payloads[i].length;
    return entry;
  });
  return Buffer.concat([header, ...entries, ...payloads]);
}

/** The images of an .ico file, each decoded (bitmap or PNG), checking the directory against the data. */
export function readIco(ico: Buffer): RgbaImage[] {
  if (ico.readUInt16LE(0) !== 0 || ico.readUInt16LE(2) !== 1) throw new Error('not an .ico file');
  const count = ico.readUInt16LE(4);
  return Array.from({ length: count }, (_, i) => {
    const entry = DIRECTORY_HEADER_BYTES + i * ENTRY_BYTES;
    const size = ico[entry] || 256;
    const bytes = ico.readUInt32LE(entry + 8);
    const offset = ico.readUInt32LE(entry + 12);
    if (offset + bytes > ico.length) throw new Error(`.ico image ${i} runs past the end of the file`);
    const payload = ico.subarray(offset, offset + bytes);
    const image = payload.subarray(0, 8).equals(PNG_SIGNATURE) ? decodePng(payload) : readBitmapEntry(payload);
    if (image.width !== size || image.height !== (ico[entry + 1] || 256)) throw new Error(`.ico image ${i} is ${image.width}×${image.height}, its entry says ${size}`);
    return image;
  });
}

function readBitmapEntry(payload: Buffer): RgbaImage {
  if (payload.readUInt32LE(0) !== BITMAP_INFO_HEADER_BYTES || payload.readUInt16LE(14) !== 32) throw new Error('only 32-bit .ico bitmaps are read');
  const width = payload.readInt32LE(4);
  const height = payload.readInt32LE(8) / 2;
  const maskStride = Math.ceil(width / 32) * 4;
  if (payload.length !== BITMAP_INFO_HEADER_BYTES + width * height * 4 + maskStride * height) throw new Error('.ico bitmap has the wrong length');
  const data = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const from = BITMAP_INFO_HEADER_BYTES + ((height - 1 - y) * width + x) * 4;
      const to = (y * width + x) * 4;
      data[to] = payload[from + 2];
      data[to + 1] = payload[from + 1];
      data[to + 2] = payload[from];
      data[to + 3] = payload[from + 3];
    }
  }
  return { width, height, data };
}
