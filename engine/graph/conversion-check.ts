import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { LongreadError } from '../errors.js';
import { foreignMessage } from '../model/foreign-message.js';
import { fileError, openRegularFile, readFully } from '../model/regular-file.js';

/*
 * The self-check of a cached conversion: meta.json records the size and a sampled sha256 of every file the
 * conversion wrote, and a cached conversion is used only when its files still match. Sampling keeps the check to a
 * few milliseconds for multi-GB weights; files up to SAMPLE_COUNT × SAMPLE_BYTES are hashed whole.
 */

/** The files of a conversion, as written into its folder. */
export const CONVERSION_FILES = ['model.onnx', 'model.onnx.data'] as const;

const SAMPLE_COUNT = 32;
const SAMPLE_BYTES = 64 * 1024;
/** A meta.json is a few kB; a larger one is not ours. */
const MAX_META_BYTES = 1 << 20;

export interface FileCheck {
  bytes: number;
  sampledSha256: string;
}

export type FileChecks = Record<string, FileCheck>;

/** Size and sampled sha256 of one file: the whole file when small, else SAMPLE_COUNT evenly spaced blocks. */
export function checkFile(file: string): FileCheck {
  const { fd, size } = openRegularFile(file, 'CACHE_FILE');
  try {
    const hash = createHash('sha256').update(`longread-sampled-v1 ${size}\0`);
    const read = (length: number, at: number) => {
      const block = Buffer.alloc(length);
      const n = readFully(fd, block, at, 'CACHE_FILE', file);
      hash.update(block.subarray(0, n));
    };
    if (size <= SAMPLE_COUNT * SAMPLE_BYTES) {
      read(size, 0);
    } else {
      const stride = (size - SAMPLE_BYTES) / (SAMPLE_COUNT - 1);
      for (let i = 0; i < SAMPLE_COUNT; i++) read(SAMPLE_BYTES, Math.floor(i * stride));
    }
    return { bytes: size, sampledSha256: hash.digest('hex') };
  } finally {
    fs.closeSync(fd);
  }
}

export function checkConversionFiles(dir: string): FileChecks {
  return Object.fromEntries(CONVERSION_FILES.map((name) => [name, checkFile(path.join(dir, name))]));
}

export interface ConversionMeta {
  key: string;
  weightBytes: number;
  files: FileChecks;
}

export type CachedConversion = { state: 'absent' } | { state: 'ok'; meta: ConversionMeta } | { state: 'damaged'; reason: string };

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isFileCheck(v: unknown): v is FileCheck {
  return isRecord(v) && Number.isSafeInteger(v.bytes) && typeof v.sampledSha256 === 'string';
}

/** Reads meta.json; a string says why it cannot be trusted. */
function readMeta(metaPath: string, key: string): ConversionMeta | string {
  let json: unknown;
  try {
    const { fd, size } = openRegularFile(metaPath, 'CACHE_FILE', MAX_META_BYTES);
    try {
      const bytes = Buffer.alloc(size);
      json = JSON.parse(bytes.subarray(0, readFully(fd, bytes, 0, 'CACHE_FILE', metaPath)).toString('utf8'));
    } finally {
      fs.closeSync(fd);
    }
  } catch (e) {
    return e instanceof LongreadError ? e.message : `meta.json is not valid JSON (${foreignMessage(e)})`;
  }
  if (!isRecord(json) || json.key !== key || !Number.isSafeInteger(json.weightBytes) || !isRecord(json.files)) {
    return 'meta.json does not describe this conversion (or was written by a Longread that did not record file checks)';
  }
  const files = json.files;
  for (const name of CONVERSION_FILES) {
    if (!isFileCheck(files[name])) return `meta.json has no check for ${name}`;
  }
  return { key, weightBytes: json.weightBytes as number, files: files as FileChecks };
}

/** Whether `dir` holds a conversion for `key` whose files still match what meta.json recorded. */
export function inspectCachedConversion(dir: string, key: string): CachedConversion {
  if (!fs.existsSync(dir)) return { state: 'absent' };
  const meta = readMeta(path.join(dir, 'meta.json'), key);
  if (typeof meta === 'string') return { state: 'damaged', reason: meta };
  const mismatch = compareFiles(dir, meta.files);
  return mismatch ? { state: 'damaged', reason: mismatch } : { state: 'ok', meta };
}

/** The first difference between the files in `dir` and `expected`, in words; null when they match. */
export function compareFiles(dir: string, expected: FileChecks): string | null {
  for (const name of CONVERSION_FILES) {
    let actual: FileCheck;
    try {
      actual = checkFile(path.join(dir, name));
    } catch (e) {
      return e instanceof LongreadError ? e.message : String(e);
    }
    const want = expected[name];
    if (actual.bytes !== want.bytes) return `${name} is ${actual.bytes} bytes, ${want.bytes} were written`;
    if (actual.sampledSha256 !== want.sampledSha256) return `${name} has changed since it was written`;
  }
  return null;
}

/** Removes a damaged conversion, or says which folder could not be removed. */
export function removeConversion(dir: string, reason: string): void {
  try {
    fs.rmSync(dir, { recursive: true, force: true });
  } catch (e) {
    throw new LongreadError(
      'CACHE_FILE',
      `The converted model in ${dir} is damaged (${reason}) and could not be removed (${fileError('CACHE_FILE', dir, e).message}); delete that folder and try again.`,
      { cause: e },
    );
  }
}

/** A temporary conversion folder untouched for this long belongs to a conversion that was killed. */
export const STALE_TEMP_MS = 60 * 60 * 1000;

/** Removes `.tmp-*` folders in `root` whose newest entry is older than `staleMs`; failures are left for next time. */
export function sweepStaleTempFolders(root: string, staleMs = STALE_TEMP_MS, now = Date.now()): string[] {
  const removed: string[] = [];
  let names: string[];
  try {
    names = fs.readdirSync(root).filter((n) => n.startsWith('.tmp-'));
  } catch {
    return removed;
  }
  for (const name of names) {
    const folder = path.join(root, name);
    try {
      if (now - newestMtime(folder) < staleMs) continue;
      fs.rmSync(folder, { recursive: true, force: true });
      removed.push(folder);
    } catch {
      // another process may be removing it, or it is not ours to remove
    }
  }
  return removed;
}

/** The newest modification time of a folder and its direct entries (a live conversion keeps writing its data file). */
function newestMtime(folder: string): number {
  let newest = fs.lstatSync(folder).mtimeMs;
  if (!fs.lstatSync(folder).isDirectory()) return newest;
  for (const entry of fs.readdirSync(folder)) {
    newest = Math.max(newest, fs.lstatSync(path.join(folder, entry)).mtimeMs);
  }
  return newest;
}
