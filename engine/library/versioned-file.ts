import fs from 'node:fs';
import path from 'node:path';
import type { z } from 'zod';
import { syncDirectory, writeFileAtomic } from './atomic-write.js';
import { errnoCode, fsError } from './fs-errors.js';
import { LIBRARY_SCHEMA_VERSION, migrate, type FileKind } from './migrations.js';
import { describeIssues } from './schemas.js';

export type ReadResult<T> =
  | { status: 'ok'; value: T; migrated: boolean }
  | { status: 'missing' }
  /** The file could not be read (permissions, I/O): leave it where it is. */
  | { status: 'unreadable'; reason: string }
  /** A later Longread wrote it: leave it where it is. */
  | { status: 'newer'; reason: string }
  /** Not JSON, or not a valid file of its kind: move it aside. */
  | { status: 'corrupt'; reason: string };

/** Reads a library JSON file, brings it to the current schema version and validates it. Never throws. */
export function readVersionedFile<T>(file: string, kind: FileKind, schema: z.ZodType<T>): ReadResult<T> {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    if (errnoCode(e) === 'ENOENT') return { status: 'missing' };
    return { status: 'unreadable', reason: fsError(e, 'read', file).message };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { status: 'corrupt', reason: text.length === 0 ? 'it is empty' : 'it is not valid JSON' };
  }
  let migration: ReturnType<typeof migrate>;
  try {
    migration = migrate(kind, parsed);
  } catch (e) {
    return { status: 'corrupt', reason: `it could not be migrated (${e instanceof Error ? e.message : String(e)})` };
  }
  if (!migration.ok) return { status: migration.newer ? 'newer' : 'corrupt', reason: migration.reason };
  const checked = schema.safeParse(migration.file);
  if (!checked.success) {
    return { status: 'corrupt', reason: `it is not a valid ${kind} file (${describeIssues(checked.error)})` };
  }
  return { status: 'ok', value: checked.data, migrated: migration.fromVersion !== LIBRARY_SCHEMA_VERSION };
}

/** Writes `{ schema: <current version>, ...value }` atomically, pretty-printed so a person can read it. */
export function writeVersionedFile(file: string, value: object): void {
  writeFileAtomic(file, `${JSON.stringify({ schema: LIBRARY_SCHEMA_VERSION, ...value }, null, 2)}\n`);
}

export const CORRUPT_MARKER = '.corrupt-';

/** Renames a damaged file to `<name>.corrupt-<time>` next to it, so it is kept for inspection but never read again. */
export function moveAside(file: string, now: Date): string {
  const stamp = now.toISOString().replace(/[:.]/g, '-');
  let target = `${file}${CORRUPT_MARKER}${stamp}`;
  for (let n = 2; fs.existsSync(target); n++) target = `${file}${CORRUPT_MARKER}${stamp}-${n}`;
  try {
    fs.renameSync(file, target);
  } catch (e) {
    throw fsError(e, 'move aside the damaged file', file);
  }
  syncDirectory(path.dirname(file));
  return target;
}
