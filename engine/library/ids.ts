import { LongreadError } from '../errors.js';

/** Ids name folders and files, so they are kept to characters that are safe on every file system. */
export const ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/** Names Windows refuses as files or folders, whatever the extension. */
const WINDOWS_RESERVED = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])$/i;

export function isValidId(id: unknown): id is string {
  return typeof id === 'string' && ID_PATTERN.test(id) && !WINDOWS_RESERVED.test(id);
}

/** Refuses anything that could escape the library folder (`../x`, `a/b`, absolute paths) or is not a valid id. */
export function assertId(id: unknown, what: string): asserts id is string {
  if (!isValidId(id)) {
    throw new LongreadError(
      'BAD_ARGUMENT',
      `${what} ${JSON.stringify(id)} is not a valid id: use 1 to 64 letters, digits, '_' or '-'.`,
    );
  }
}
