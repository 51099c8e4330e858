import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import { LongreadError } from '../../errors.js';
import { cancelledError } from './ingest-errors.js';

const READ_CHUNK_BYTES = 16 * 1024 * 1024;

export interface OpenDocumentFile {
  handle: fsp.FileHandle;
  size: number;
}

/**
 * Opens a document file and checks that it is a regular file. Opened non-blocking, so that a FIFO named like a
 * document cannot stall the open; its size comes from fstat on the open handle, before anything is read.
 */
export async function openRegularFile(filePath: string): Promise<OpenDocumentFile> {
  let handle: fsp.FileHandle;
  try {
    handle = await fsp.open(filePath, fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0));
  } catch (e) {
    throw openFailure(filePath, e);
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) {
      throw new LongreadError('UNSUPPORTED_DOCUMENT', `${filePath} is ${describeNonFile(stat)}, not a document file; choose a file to read.`);
    }
    return { handle, size: stat.size };
  } catch (e) {
    await handle.close();
    throw e;
  }
}

/** Reads the whole file into a buffer of its own (so that it can be transferred to a worker). */
export async function readWhole(file: OpenDocumentFile, signal: AbortSignal | undefined, fileName: string): Promise<Uint8Array> {
  const bytes = new Uint8Array(new ArrayBuffer(file.size));
  let filled = 0;
  while (filled < bytes.length) {
    if (signal?.aborted) throw cancelledError(fileName);
    const length = Math.min(READ_CHUNK_BYTES, bytes.length - filled);
    const { bytesRead } = await file.handle.read(bytes, filled, length, filled);
    if (bytesRead === 0) break; // the file shrank since fstat
    filled += bytesRead;
  }
  return filled === bytes.length ? bytes : bytes.subarray(0, filled);
}

function describeNonFile(stat: fs.Stats): string {
  if (stat.isDirectory()) return 'a folder';
  if (stat.isFIFO()) return 'a named pipe (FIFO)';
  if (stat.isCharacterDevice() || stat.isBlockDevice()) return 'a device';
  if (stat.isSocket()) return 'a socket';
  return 'not a regular file';
}

function openFailure(filePath: string, e: unknown): LongreadError {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'ENOTDIR') return new LongreadError('MISSING_FILE', `${filePath} does not exist; check the path.`, { cause: e });
  if (code === 'EISDIR') return new LongreadError('UNSUPPORTED_DOCUMENT', `${filePath} is a folder, not a document file; choose a file to read.`, { cause: e });
  if (code === 'EACCES' || code === 'EPERM') {
    return new LongreadError('MISSING_FILE', `${filePath} cannot be opened: permission denied. Check that you may read it.`, { cause: e });
  }
  return new LongreadError('MISSING_FILE', `${filePath} cannot be opened (${(e as Error).message}).`, { cause: e });
}
