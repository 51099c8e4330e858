import { LongreadError, type ErrorCode } from '../errors.js';
import { foreignMessage } from '../model/foreign-message.js';
import { readRegularFile } from '../model/regular-file.js';

/**
 * Reads a text file from a model folder; `undefined` when it does not exist (the caller decides whether that is
 * fatal). Anything else than a regular file of at most `maxBytes` bytes is refused with `code`.
 */
export async function readOptionalText(path: string, code: ErrorCode, maxBytes: number): Promise<string | undefined> {
  try {
    return readRegularFile(path, code, maxBytes).toString('utf8');
  } catch (e) {
    if (((e as Error).cause as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') return undefined;
    throw e;
  }
}

/** Reads and parses a JSON object from a model folder; `undefined` when the file does not exist. */
export async function readOptionalJsonObject(path: string, code: ErrorCode, maxBytes: number): Promise<Record<string, unknown> | undefined> {
  const text = await readOptionalText(path, code, maxBytes);
  if (text === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new LongreadError(code, `${path} is not valid JSON: ${foreignMessage(e)}`, { cause: e });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new LongreadError(code, `${path} must hold a JSON object.`);
  }
  return value as Record<string, unknown>;
}
