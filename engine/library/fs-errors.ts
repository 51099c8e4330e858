import { LongreadError, type ErrorCode } from '../errors.js';

/** What to tell a person for the fs error codes a library folder can realistically hit. */
function adviceFor(code: string | undefined): string {
  switch (code) {
    case 'EACCES':
    case 'EPERM':
      return (
        'permission denied: make sure the folder belongs to you and is writable, ' +
        'and that no other program holds the file open'
      );
    case 'ENOSPC':
    case 'EDQUOT':
      return 'the disk is full: free some space (deleting documents from the library frees their caches) and try again';
    case 'EROFS':
      return 'the disk is read-only: move the library to a writable folder';
    case 'ENOTDIR':
    case 'EISDIR':
    case 'EEXIST':
      return 'a file or folder is in the way where the library expects the other kind: move it away and try again';
    case 'ENOENT':
      return 'the file or its folder is missing: it may have been moved or deleted by another program';
    case 'EMFILE':
    case 'ENFILE':
      return 'too many files are open: close other programs and try again';
    case 'EBUSY':
      return 'the file is in use by another program: close it and try again';
    case 'EIO':
      return 'the disk reported an input/output error: check the disk';
    default:
      return 'check that the folder exists and is writable';
  }
}

export function errnoCode(e: unknown): string | undefined {
  return e && typeof e === 'object' && 'code' in e && typeof e.code === 'string' ? e.code : undefined;
}

/**
 * Wraps an fs failure into a LongreadError that names the file and what to do. LongreadErrors pass through unchanged,
 * so callers can wrap whole blocks without double-wrapping.
 */
export function fsError(e: unknown, action: string, file: string, code: ErrorCode = 'LIBRARY'): LongreadError {
  if (e instanceof LongreadError) return e;
  const errno = errnoCode(e);
  const detail = errno ? ` (${errno})` : e instanceof Error ? ` (${e.message})` : '';
  return new LongreadError(code, `Could not ${action} ${file}${detail}: ${adviceFor(errno)}.`, { cause: e });
}
