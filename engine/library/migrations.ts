/**
 * Every library file carries `schema: <version>`. Version 0 is what the first prototype wrote, before files had a
 * `schema` field:
 *   - library.json: `{ settings }` with `threads` either a number or the string 'auto';
 *   - record.json: only finished documents were recorded, so there was no `state`; the cache was always `cache.lrkv`,
 *     so there was no `files`; `ratio` was a percentage string such as "20%";
 *   - conversations: turns had no `createdAt`.
 * To change a file format: bump LIBRARY_SCHEMA_VERSION and append one step per file kind (a kind that did not change
 * gets an identity step). Steps only reshape JSON; the result is validated with the current zod schema afterwards.
 */

export const LIBRARY_SCHEMA_VERSION = 1;

export type FileKind = 'library' | 'document' | 'conversation';
type Json = Record<string, unknown>;
type MigrationStep = (file: Json) => Json;

function libraryV0ToV1(file: Json): Json {
  const settings = isObject(file.settings) ? { ...file.settings } : {};
  if (settings.threads === 'auto') settings.threads = 0;
  return { ...file, settings };
}

function documentV0ToV1(file: Json): Json {
  return {
    ...file,
    state: file.state ?? 'ready',
    files: file.files ?? { cache: 'cache.lrkv' },
    ratio: typeof file.ratio === 'string' ? percentToFraction(file.ratio) : file.ratio,
  };
}

function conversationV0ToV1(file: Json): Json {
  const turns = Array.isArray(file.turns) ? file.turns : [];
  return {
    ...file,
    turns: turns.map((turn: unknown) =>
      isObject(turn) && turn.createdAt === undefined ? { ...turn, createdAt: file.updatedAt } : turn,
    ),
  };
}

/** STEPS[kind][n] turns a version-n file into a version-(n + 1) file. */
export const MIGRATION_STEPS: Record<FileKind, readonly MigrationStep[]> = {
  library: [libraryV0ToV1],
  document: [documentV0ToV1],
  conversation: [conversationV0ToV1],
};

export type MigrationResult =
  | { ok: true; file: Json; fromVersion: number }
  | { ok: false; newer: boolean; reason: string };

/** Brings a parsed file to LIBRARY_SCHEMA_VERSION. `newer` means a later Longread wrote it: leave it alone. */
export function migrate(kind: FileKind, parsed: unknown): MigrationResult {
  if (!isObject(parsed)) return { ok: false, newer: false, reason: 'it is not a JSON object' };
  const version = parsed.schema ?? 0;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 0) {
    return { ok: false, newer: false, reason: `its schema version ${JSON.stringify(version)} is not a version` };
  }
  if (version > LIBRARY_SCHEMA_VERSION) {
    return {
      ok: false,
      newer: true,
      reason:
        `it has schema version ${version}, newer than this Longread understands (${LIBRARY_SCHEMA_VERSION}): ` +
        'update Longread',
    };
  }
  let file: Json = parsed;
  for (let v = version; v < LIBRARY_SCHEMA_VERSION; v++) file = MIGRATION_STEPS[kind][v](file);
  return { ok: true, file: { ...file, schema: LIBRARY_SCHEMA_VERSION }, fromVersion: version };
}

function percentToFraction(text: string): unknown {
  const match = /^\s*(\d+(?:\.\d+)?)\s*%\s*$/.exec(text);
  return match ? Number(match[1]) / 100 : text;
}

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
