import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { isTempFileName, syncDirectory } from './atomic-write.js';
import { errnoCode, fsError } from './fs-errors.js';

/** Starts with '.', which no id may contain, so a folder being deleted is never mistaken for a document. */
const TRASH_PREFIX = '.trash-';

export function isTrashName(name: string): boolean {
  return name.startsWith(TRASH_PREFIX);
}

/** Bytes of every file under `dir` (symlinks count as themselves, not their targets); 0 if it does not exist. */
export function folderBytes(dir: string): number {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch (e) {
    if (errnoCode(e) === 'ENOENT') return 0;
    throw fsError(e, 'measure the folder', dir);
  }
  let total = 0;
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) total += folderBytes(full);
    else total += lstatSize(full);
  }
  return total;
}

function lstatSize(file: string): number {
  try {
    return fs.lstatSync(file).size;
  } catch (e) {
    if (errnoCode(e) === 'ENOENT') return 0;
    throw fsError(e, 'measure', file);
  }
}

export interface FolderRemoval {
  freedBytes: number;
  /** Set when the folder was unlisted but could not be fully removed; the rest goes at the next open. */
  leftover?: string;
}

/**
 * Deletes a document folder in two steps: an atomic rename to a trash name (after which the document is gone from
 * the library even if the process dies), then the recursive removal. Library.open finishes trash left by a crash.
 */
export function removeFolderViaTrash(dir: string): FolderRemoval {
  const sizeBefore = folderBytes(dir);
  const parent = path.dirname(dir);
  const trash = path.join(parent, `${TRASH_PREFIX}${path.basename(dir)}-${randomBytes(6).toString('hex')}`);
  try {
    fs.renameSync(dir, trash);
  } catch (e) {
    if (errnoCode(e) === 'ENOENT') return { freedBytes: 0 }; // already removed by someone else
    throw fsError(e, 'delete the document folder', dir);
  }
  syncDirectory(parent);
  const leftover = removeTrash(trash);
  return { freedBytes: sizeBefore - folderBytes(trash), ...(leftover ? { leftover } : {}) };
}

/** Removes a trash folder; returns a note instead of throwing, since the document is already unlisted. */
export function removeTrash(trash: string): string | undefined {
  try {
    fs.rmSync(trash, { recursive: true, force: true, maxRetries: 3 });
    return undefined;
  } catch (e) {
    return `${fsError(e, 'remove the deleted document folder', trash).message} It will be retried at the next start.`;
  }
}

/** Removes temp files that a writer killed before its rename left in `dir` (not recursive). */
export function removeTempFiles(dir: string): void {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch (e) {
    if (errnoCode(e) === 'ENOENT') return;
    throw fsError(e, 'list', dir);
  }
  for (const entry of entries) {
    if (!entry.isFile() || !isTempFileName(entry.name)) continue;
    const file = path.join(dir, entry.name);
    try {
      fs.rmSync(file, { force: true });
    } catch (e) {
      throw fsError(e, 'remove the stale temp file', file);
    }
  }
}
