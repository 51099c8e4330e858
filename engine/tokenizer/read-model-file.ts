import { readFile } from 'node:fs/promises';

import { LongreadError, type ErrorCode } from '../errors.js';

/** Reads a text file from a model folder; `undefined` when it does not exist (the caller decides whether that is fatal). */
export async function readOptionalText(path: string, code: ErrorCode): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new LongreadError(code, `Could not read ${path}: ${(e as Error).message}`, { cause: e });
  }
}

/** Reads and parses a JSON object from a model folder; `undefined` when the file does not exist. */
export async function readOptionalJsonObject(path: string, code: ErrorCode): Promise<Record<string, unknown> | undefined> {
  const text = await readOptionalText(path, code);
  if (text === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new LongreadError(code, `${path} is not valid JSON: ${(e as Error).message}`, { cause: e });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new LongreadError(code, `${path} must hold a JSON object.`);
  }
  return value as Record<string, unknown>;
}
