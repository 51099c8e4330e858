import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { ErrorCode } from '../errors.js';
import { errnoCode, fsError } from './fs-errors.js';

/** Temp files are `<target>.tmp-<pid>-<random>` in the target's folder, so the rename never crosses file systems. */
const TEMP_MARKER = '.tmp-';

/** writeSync is called in slices: some platforms refuse a single write over 2 GiB. */
const WRITE_SLICE = 64 * 1024 * 1024;

/** Matches the temp files writeFileAtomic leaves behind when its process dies before the rename. */
export function isTempFileName(name: string): boolean {
  return name.includes(TEMP_MARKER);
}

/**
 * Replaces `file` so that a reader (or the next start after a crash) sees either the old content or the new content,
 * never a mix: the data goes to a temp file in the same folder, is fsynced, renamed over the target, and the folder is
 * fsynced so the rename itself survives a power loss. fs failures become LongreadError(`errorCode`, default 'LIBRARY').
 */
export function writeFileAtomic(file: string, data: string | Uint8Array, options: { errorCode?: ErrorCode } = {}): void {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  const temp = `${file}${TEMP_MARKER}${process.pid}-${randomBytes(6).toString('hex')}`;
  let fd: number | undefined;
  try {
    fd = fs.openSync(temp, 'wx');
    writeAll(fd, bytes);
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fd = undefined;
    fs.renameSync(temp, file);
  } catch (e) {
    if (fd !== undefined) closeQuietly(fd);
    removeQuietly(temp);
    throw fsError(e, 'save', file, options.errorCode);
  }
  syncDirectory(path.dirname(file), options.errorCode);
}

function writeAll(fd: number, bytes: Uint8Array): void {
  let offset = 0;
  while (offset < bytes.byteLength) {
    offset += fs.writeSync(fd, bytes, offset, Math.min(bytes.byteLength - offset, WRITE_SLICE));
  }
}

/** Error codes with which platforms say "folders cannot be fsynced here" (Windows, some network file systems). */
const DIRECTORY_SYNC_UNSUPPORTED = new Set(['EISDIR', 'EPERM', 'EACCES', 'EINVAL', 'ENOTSUP', 'EBADF']);

/** Makes renames and removals inside `dir` durable. Best effort where the platform cannot fsync a folder. */
export function syncDirectory(dir: string, errorCode?: ErrorCode): void {
  if (process.platform === 'win32') return;
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch (e) {
    if (!DIRECTORY_SYNC_UNSUPPORTED.has(errnoCode(e) ?? '')) throw fsError(e, 'flush the folder', dir, errorCode);
  } finally {
    if (fd !== undefined) closeQuietly(fd);
  }
}

function closeQuietly(fd: number): void {
  try {
    fs.closeSync(fd);
  } catch {
    // already failing; the original error is the one worth reporting
  }
}

function removeQuietly(file: string): void {
  try {
    fs.rmSync(file, { force: true });
  } catch {
    // a leftover temp file is removed at the next Library.open
  }
}
