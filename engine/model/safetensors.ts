import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import { LongreadError } from '../errors.js';
import { foreignMessage } from './foreign-message.js';
import { DTYPE_BYTES, encodeF32, widen16InPlace } from './dtype.js';
import { fileError, openRegularFile, readFully } from './regular-file.js';
import { SUPPORTED_DTYPES, type StorageDType, type TensorInfo } from './tensor-types.js';

/**
 * safetensors layout: 8-byte little-endian u64 N, N bytes of JSON header, then the tensor data.
 * Header: {name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__"?: {string: string}},
 * offsets relative to the start of the data (byte 8 + N).
 */
export interface SafetensorsHeader {
  file: string;
  fileSize: number;
  /** Absolute offset of the data section (8 + header length). */
  dataOffset: number;
  /** The first `dataOffset` bytes of the file: length prefix and JSON header, exactly as stored. */
  rawHeader: Buffer;
  /** In data order. `byteOffset` is absolute within the file. */
  tensors: TensorInfo[];
  metadata: Record<string, string>;
}

/**
 * No real checkpoint's header comes near this (a shard of a 600B-parameter model has well under 1 MB); a bigger length
 * means a damaged or foreign file, and parsing 100 MB of hostile JSON (the format's own limit) can take gigabytes.
 */
const MAX_HEADER_BYTES = 16 * 1024 * 1024;
/** fs write calls take at most this much at once. */
const MAX_WRITE_CHUNK = 1 << 30;

function corrupt(file: string, detail: string): LongreadError {
  return new LongreadError('CORRUPT_SAFETENSORS', `${file} is not a valid safetensors file: ${detail}`);
}

/** Reads exactly `target.byteLength` bytes at `position`, looping over short reads. */
export function readExactly(fd: number, target: Uint8Array, position: number, file: string): void {
  const done = readFully(fd, target, position, 'MISSING_FILE', file);
  if (done < target.byteLength) {
    throw new LongreadError(
      'TRUNCATED_SAFETENSORS',
      `${file} ended early: needed ${target.byteLength} bytes at offset ${position}, got ${done}.`,
    );
  }
}

/** Reads the header of a safetensors file, which must be a regular file. */
export function readSafetensorsHeader(file: string): SafetensorsHeader {
  const { fd } = openRegularFile(file, 'MISSING_FILE');
  try {
    return readSafetensorsHeaderFd(fd, file);
  } finally {
    fs.closeSync(fd);
  }
}

export function readSafetensorsHeaderFd(fd: number, file: string): SafetensorsHeader {
  let fileSize: number;
  try {
    fileSize = fs.fstatSync(fd).size;
  } catch (e) {
    throw fileError('MISSING_FILE', file, e);
  }
  if (fileSize < 8) throw corrupt(file, `the file is only ${fileSize} bytes, too short for the 8-byte header length.`);
  const prefix = Buffer.alloc(8);
  readExactly(fd, prefix, 0, file);
  const headerLength = prefix.readBigUInt64LE(0);
  if (headerLength > BigInt(MAX_HEADER_BYTES)) {
    throw corrupt(file, `the header claims ${headerLength} bytes, more than the ${MAX_HEADER_BYTES}-byte limit.`);
  }
  const n = Number(headerLength);
  if (8 + n > fileSize) {
    throw corrupt(file, `the header claims ${n} bytes but the file has only ${fileSize - 8} bytes after the length.`);
  }
  const rawHeader = Buffer.alloc(8 + n);
  prefix.copy(rawHeader);
  readExactly(fd, rawHeader.subarray(8), 8, file);

  let json: unknown;
  try {
    json = JSON.parse(rawHeader.toString('utf8', 8));
  } catch (e) {
    throw corrupt(file, `the ${n}-byte header is not valid JSON (${foreignMessage(e)}).`);
  }
  const { tensors, metadata } = parseHeaderJson(json, file, 8 + n);
  checkAgainstFile(tensors, file, fileSize, 8 + n);
  return { file, fileSize, dataOffset: 8 + n, rawHeader, tensors, metadata };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isCount(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

function parseHeaderJson(
  json: unknown,
  file: string,
  dataOffset: number,
): { tensors: TensorInfo[]; metadata: Record<string, string> } {
  if (!isRecord(json)) throw corrupt(file, 'the header is not a JSON object.');
  const metadata: Record<string, string> = {};
  const tensors: TensorInfo[] = [];
  for (const [name, entry] of Object.entries(json)) {
    if (name === '__metadata__') {
      if (!isRecord(entry)) throw corrupt(file, '"__metadata__" is not an object.');
      for (const [k, v] of Object.entries(entry)) {
        if (typeof v !== 'string') throw corrupt(file, `metadata value "${k}" is not a string.`);
        metadata[k] = v;
      }
      continue;
    }
    if (!isRecord(entry)) throw corrupt(file, `the entry for tensor "${name}" is not an object.`);
    const { dtype, shape, data_offsets: offsets } = entry;
    if (typeof dtype !== 'string') throw corrupt(file, `tensor "${name}" has no dtype.`);
    if (!Array.isArray(shape) || !shape.every(isCount)) {
      throw corrupt(file, `tensor "${name}" has an invalid shape ${JSON.stringify(shape)}.`);
    }
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isCount) || offsets[0] > offsets[1]) {
      throw corrupt(file, `tensor "${name}" has invalid data_offsets ${JSON.stringify(offsets)}.`);
    }
    if (!(SUPPORTED_DTYPES as readonly string[]).includes(dtype)) {
      throw new LongreadError(
        'UNSUPPORTED_DTYPE',
        `Tensor "${name}" in ${file} has dtype ${dtype}; Longread reads only ${SUPPORTED_DTYPES.join(', ')}.`,
      );
    }
    const storage = dtype as StorageDType;
    const [begin, end] = offsets as [number, number];
    const elements = (shape as number[]).reduce((a, b) => a * b, 1);
    const expected = elements * DTYPE_BYTES[storage];
    if (end - begin !== expected) {
      throw corrupt(
        file,
        `tensor "${name}" (${storage} [${shape.join(', ')}]) needs ${expected} bytes but data_offsets ` +
          `[${begin}, ${end}] span ${end - begin}.`,
      );
    }
    tensors.push({
      name,
      dtype: storage,
      shape: [...(shape as number[])],
      file,
      byteOffset: dataOffset + begin,
      byteLength: end - begin,
    });
  }
  tensors.sort((a, b) => a.byteOffset - b.byteOffset || a.byteLength - b.byteLength);
  return { tensors, metadata };
}

/** `tensors` sorted by offset. */
function checkAgainstFile(tensors: TensorInfo[], file: string, fileSize: number, dataOffset: number): void {
  let previous: TensorInfo | undefined;
  for (const t of tensors) {
    if (t.byteLength === 0) continue;
    if (previous && t.byteOffset < previous.byteOffset + previous.byteLength) {
      throw corrupt(
        file,
        `tensors "${previous.name}" (bytes ${previous.byteOffset - dataOffset}-` +
          `${previous.byteOffset - dataOffset + previous.byteLength}) and "${t.name}" (bytes ` +
          `${t.byteOffset - dataOffset}-${t.byteOffset - dataOffset + t.byteLength}) overlap.`,
      );
    }
    previous = t;
  }
  const last = tensors.reduce<TensorInfo | undefined>(
    (far, t) => (!far || t.byteOffset + t.byteLength > far.byteOffset + far.byteLength ? t : far),
    undefined,
  );
  if (last && last.byteOffset + last.byteLength > fileSize) {
    const needed = last.byteOffset + last.byteLength;
    throw new LongreadError(
      'TRUNCATED_SAFETENSORS',
      `${file} is truncated: tensor "${last.name}" ends at byte ${needed} but the file is ${fileSize} bytes ` +
        `(${needed - fileSize} bytes missing). Download it again.`,
    );
  }
}

/** Reads one tensor and converts it to a fresh float32 array. */
export function readTensorF32(fd: number, info: TensorInfo): Float32Array {
  const count = info.byteLength / DTYPE_BYTES[info.dtype];
  const out = new Float32Array(count);
  if (info.dtype === 'F32') {
    readExactly(fd, new Uint8Array(out.buffer), info.byteOffset, info.file);
    return out;
  }
  readExactly(fd, new Uint8Array(out.buffer, 2 * count, 2 * count), info.byteOffset, info.file);
  return widen16InPlace(out, info.dtype);
}

export interface TensorToWrite {
  name: string;
  dtype: StorageDType;
  shape: number[];
  /** float32 values, converted to `dtype` on write; a function is called only when this tensor is written. */
  data: Float32Array | (() => Float32Array);
}

/**
 * Writes a safetensors file one tensor at a time (so a 1 GB random-weight checkpoint never sits in memory),
 * tensors in name order, header padded with spaces so the data starts 8-byte aligned. Writes to a temporary
 * name and renames at the end, so an interrupted write never leaves a plausible-looking file behind.
 */
export async function writeSafetensors(
  path: string,
  tensors: readonly TensorToWrite[],
  metadata?: Record<string, string>,
): Promise<void> {
  const sorted = [...tensors].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const header: Record<string, unknown> = {};
  if (metadata) header.__metadata__ = metadata;
  let offset = 0;
  for (const t of sorted) {
    if (!t.name || t.name === '__metadata__' || t.name in header) {
      throw new LongreadError('BAD_ARGUMENT', `Cannot write tensor name "${t.name}" to ${path}: empty, reserved or repeated.`);
    }
    if (!t.shape.every((d) => isCount(d))) {
      throw new LongreadError('BAD_ARGUMENT', `Tensor "${t.name}" has an invalid shape [${t.shape.join(', ')}].`);
    }
    const bytes = t.shape.reduce((a, b) => a * b, 1) * DTYPE_BYTES[t.dtype];
    header[t.name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  let json = JSON.stringify(header);
  const jsonBytes = Buffer.byteLength(json);
  json += ' '.repeat((8 - ((8 + jsonBytes) % 8)) % 8);
  const headerBytes = Buffer.from(json);
  const prefix = Buffer.alloc(8);
  prefix.writeBigUInt64LE(BigInt(headerBytes.length));

  const temp = `${path}.writing`;
  const handle = await fsp.open(temp, 'w');
  try {
    await writeAll(handle, prefix);
    await writeAll(handle, headerBytes);
    for (const t of sorted) {
      const values = typeof t.data === 'function' ? t.data() : t.data;
      const count = t.shape.reduce((a, b) => a * b, 1);
      if (values.length !== count) {
        throw new LongreadError(
          'BAD_ARGUMENT',
          `Tensor "${t.name}" has shape [${t.shape.join(', ')}] (${count} values) but ${values.length} values were given.`,
        );
      }
      await writeAll(handle, encodeF32(values, t.dtype));
    }
  } catch (e) {
    await handle.close();
    await fsp.rm(temp, { force: true });
    throw e;
  }
  await handle.close();
  await fsp.rename(temp, path);
}

async function writeAll(handle: fsp.FileHandle, bytes: Uint8Array): Promise<void> {
  let done = 0;
  while (done < bytes.byteLength) {
    const { bytesWritten } = await handle.write(bytes, done, Math.min(bytes.byteLength - done, MAX_WRITE_CHUNK));
    done += bytesWritten;
  }
}
