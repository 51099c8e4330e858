/**
 * The macOS .icns container: 'icns', the total length, then (type, length, data) elements, lengths big-endian and
 * counting their own 8-byte headers. Every element here holds a PNG.
 */

/** Element types and the pixel size of the PNG each holds (the @2x types hold twice their point size). */
export const ICNS_TYPES = {
  icp4: 16,
  icp5: 32,
  icp6: 64,
  ic07: 128,
  ic08: 256,
  ic09: 512,
  ic10: 1024, // 512@2x
  ic11: 32, // 16@2x
  ic12: 64, // 32@2x
  ic13: 256, // 128@2x
  ic14: 512, // 256@2x
} as const satisfies Record<string, number>;

export type IcnsType = keyof typeof ICNS_TYPES;

const HEADER_BYTES = 8;

export function encodeIcns(elements: readonly { type: IcnsType; png: Buffer }[]): Buffer {
  const parts = elements.map(({ type, png }) => {
    const header = Buffer.alloc(HEADER_BYTES);
    header.write(type, 0, 'latin1');
    header.writeUInt32BE(HEADER_BYTES + png.length, 4);
    return Buffer.concat([header, png]);
  });
  const header = Buffer.alloc(HEADER_BYTES);
  header.write('icns', 0, 'latin1');
  header.writeUInt32BE(HEADER_BYTES + parts.reduce((sum, p) => sum + p.length, 0), 4);
  return Buffer.concat([header, ...parts]);
}

/** The elements of an .icns file, checking that the lengths add up. */
export function readIcns(icns: Buffer): { type: string; data: Buffer }[] {
  if (icns.toString('latin1', 0, 4) !== 'icns') throw new Error('not an .icns file');
  if (icns.readUInt32BE(4) !== icns.length) throw new Error(`.icns says it is ${icns.readUInt32BE(4)} bytes, the file is ${icns.length}`);
  const elements: { type: string; data: Buffer }[] = [];
  for (let offset = HEADER_BYTES; offset < icns.length; ) {
    const length = icns.readUInt32BE(offset + 4);
    if (length < HEADER_BYTES || offset + length > icns.length) throw new Error(`.icns element at ${offset} has a bad length ${length}`);
    elements.push({ type: icns.toString('latin1', offset, offset + 4), data: icns.subarray(offset + HEADER_BYTES, offset + length) });
    offset += length;
  }
  return elements;
}
