import { inflateRawSync } from 'node:zlib';

const END_OF_CENTRAL_DIRECTORY = 0x06054b50;
const CENTRAL_DIRECTORY_ENTRY = 0x02014b50;
const LOCAL_FILE_HEADER = 0x04034b50;
const STORED = 0;
const DEFLATED = 8;

/**
 * Reads one small entry of a zip archive (a .docx's metadata, which the document converter does not expose).
 * Returns undefined when the entry is absent, larger than `maxSize`, or the archive is damaged: callers treat it as
 * optional. ZIP64 archives are not supported here.
 */
export function readZipEntry(bytes: Uint8Array, entryName: string, maxSize: number): Uint8Array | undefined {
  try {
    return findEntry(new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), bytes, entryName, maxSize);
  } catch {
    return undefined;
  }
}

function findEntry(view: DataView, bytes: Uint8Array, entryName: string, maxSize: number): Uint8Array | undefined {
  const end = findEndOfCentralDirectory(view);
  if (end < 0) return undefined;
  const entryCount = view.getUint16(end + 10, true);
  let at = view.getUint32(end + 16, true);
  const decoder = new TextDecoder();
  for (let i = 0; i < entryCount; i++) {
    if (view.getUint32(at, true) !== CENTRAL_DIRECTORY_ENTRY) return undefined;
    const method = view.getUint16(at + 10, true);
    const compressedSize = view.getUint32(at + 20, true);
    const size = view.getUint32(at + 24, true);
    const nameLength = view.getUint16(at + 28, true);
    const extraLength = view.getUint16(at + 30, true);
    const commentLength = view.getUint16(at + 32, true);
    const localHeader = view.getUint32(at + 42, true);
    const name = decoder.decode(bytes.subarray(at + 46, at + 46 + nameLength));
    at += 46 + nameLength + extraLength + commentLength;
    if (name !== entryName) continue;
    if (size > maxSize || view.getUint32(localHeader, true) !== LOCAL_FILE_HEADER) return undefined;
    const dataStart = localHeader + 30 + view.getUint16(localHeader + 26, true) + view.getUint16(localHeader + 28, true);
    if (dataStart + compressedSize > bytes.length) return undefined;
    const data = bytes.subarray(dataStart, dataStart + compressedSize);
    if (method === STORED) return data;
    if (method === DEFLATED) return inflateRawSync(data, { maxOutputLength: maxSize });
    return undefined;
  }
  return undefined;
}

/** The end record is in the last 22 bytes plus at most 64 KiB of archive comment. */
function findEndOfCentralDirectory(view: DataView): number {
  const lowest = Math.max(0, view.byteLength - 22 - 0xffff);
  for (let at = view.byteLength - 22; at >= lowest; at--) {
    if (view.getUint32(at, true) === END_OF_CENTRAL_DIRECTORY) return at;
  }
  return -1;
}
