import fs from 'node:fs';
import { type ErrorCode, LongreadError } from '../errors.js';
import { foreignMessage } from './foreign-message.js';

/** fs.readSync cannot read 2 GiB or more in one call. */
const MAX_READ_CHUNK = 1 << 30;

/** How a file that is not a regular file is described in messages. */
function describeKind(stat: fs.Stats): string {
  if (stat.isDirectory()) return 'a folder';
  if (stat.isFIFO()) return 'a named pipe (FIFO)';
  if (stat.isCharacterDevice() || stat.isBlockDevice()) return 'a device';
  if (stat.isSocket()) return 'a socket';
  return 'not a regular file';
}

/** A LongreadError for a failed fs call on `file`, saying what went wrong in words where the errno is a common one. */
export function fileError(code: ErrorCode, file: string, e: unknown): LongreadError {
  const errno = (e as NodeJS.ErrnoException | null)?.code;
  const why =
    errno === 'ENOENT'
      ? `${file} does not exist.`
      : errno === 'EACCES' || errno === 'EPERM'
        ? `${file} cannot be read: permission denied.`
        : errno === 'EISDIR'
          ? `${file} is a folder, not a file.`
          : errno === 'ENOTDIR'
            ? `${file} cannot be reached: a part of its path is a file, not a folder.`
            : `${file} cannot be read: ${foreignMessage(e)}`;
  return new LongreadError(code, why, { cause: e });
}

function refuseUnlessRegular(code: ErrorCode, file: string, stat: fs.Stats, maxBytes: number): void {
  if (!stat.isFile()) throw new LongreadError(code, `${file} is ${describeKind(stat)}, not a regular file.`);
  if (stat.size > maxBytes) {
    throw new LongreadError(code, `${file} is ${stat.size} bytes, more than the ${maxBytes} bytes such a file can reasonably be; it is not a valid file of this kind.`);
  }
}

/**
 * Opens a regular file (symlinks followed) for reading and returns its descriptor and size. Anything else is
 * refused before it can do harm: a FIFO would block open() forever, /dev/zero never ends, a folder fails later with a
 * raw EISDIR. The type is checked before opening and again on the open descriptor, and the open is non-blocking, so a
 * file swapped for a FIFO in between cannot block either.
 */
export function openRegularFile(file: string, code: ErrorCode, maxBytes = Number.MAX_SAFE_INTEGER): { fd: number; size: number } {
  let fd: number;
  try {
    refuseUnlessRegular(code, file, fs.statSync(file), maxBytes);
    fd = fs.openSync(file, fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0));
  } catch (e) {
    throw e instanceof LongreadError ? e : fileError(code, file, e);
  }
  try {
    const stat = fs.fstatSync(fd);
    refuseUnlessRegular(code, file, stat, maxBytes);
    return { fd, size: stat.size };
  } catch (e) {
    fs.closeSync(fd);
    throw e instanceof LongreadError ? e : fileError(code, file, e);
  }
}

/** Reads `target.byteLength` bytes at `position`, looping over short reads; returns how many there were. */
export function readFully(fd: number, target: Uint8Array, position: number, code: ErrorCode, file: string): number {
  let done = 0;
  while (done < target.byteLength) {
    let n: number;
    try {
      n = fs.readSync(fd, target, done, Math.min(target.byteLength - done, MAX_READ_CHUNK), position + done);
    } catch (e) {
      throw fileError(code, file, e);
    }
    if (n === 0) break;
    done += n;
  }
  return done;
}

/** Reads a whole regular file of at most `maxBytes` bytes (see openRegularFile). */
export function readRegularFile(file: string, code: ErrorCode, maxBytes: number): Buffer {
  const { fd, size } = openRegularFile(file, code, maxBytes);
  try {
    const bytes = Buffer.alloc(size);
    return bytes.subarray(0, readFully(fd, bytes, 0, code, file));
  } finally {
    fs.closeSync(fd);
  }
}

/** Size caps for the small files of a model folder; real ones are far smaller, these only stop absurd inputs. */
export const MODEL_FILE_LIMITS = {
  config: 1 << 20,
  tokenizer: 64 << 20,
  tokenizerConfig: 16 << 20,
  chatTemplate: 1 << 20,
  index: 16 << 20,
} as const;
