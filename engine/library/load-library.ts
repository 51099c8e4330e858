import fs from 'node:fs';
import path from 'node:path';
import { LongreadError } from '../errors.js';
import { conversationIdsOf, readConversationFile } from './conversation-files.js';
import { isTrashName, removeFolderViaTrash, removeTempFiles, removeTrash } from './document-folders.js';
import { fsError } from './fs-errors.js';
import { isValidId } from './ids.js';
import { RECORD_FILE_NAME, type LibraryPaths } from './library-paths.js';
import { documentRecordSchema, DEFAULT_SETTINGS } from './schemas.js';
import { libraryFileSchema, settingsFromFile } from './settings.js';
import type { DocumentRecord, LibrarySettings } from './types.js';
import { CORRUPT_MARKER, moveAside, readVersionedFile, writeVersionedFile, type ReadResult } from './versioned-file.js';

export interface LoadedLibrary {
  settings: LibrarySettings;
  documents: Map<string, DocumentRecord>;
  problems: string[];
}

/**
 * Everything Library.open does on disk: creates the folders, finishes what a crashed run left (temp files, half-deleted
 * folders, documents still 'reading', folders whose record was never written), migrates old files, and moves damaged
 * ones aside. A document folder that cannot be handled is skipped with a note; only a library that cannot be used at
 * all (no folder, unreadable or too new library.json) throws.
 */
export function loadLibrary(paths: LibraryPaths, now: () => Date): LoadedLibrary {
  const problems: string[] = [];
  ensureFolder(paths.root);
  ensureFolder(paths.documentsDir);
  removeTempFiles(paths.root);
  const settings = loadSettings(paths, now, problems);
  const documents = new Map<string, DocumentRecord>();
  for (const entry of listEntries(paths.documentsDir)) {
    try {
      const record = loadDocumentFolder(paths, entry, now, problems);
      if (record) documents.set(record.id, record);
    } catch (e) {
      // One folder the library cannot clean up or migrate (locked file, permissions) must not make the rest unusable.
      problems.push(`${path.join(paths.documentsDir, entry.name)} was skipped: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  return { settings, documents, problems };
}

function ensureFolder(dir: string): void {
  try {
    fs.mkdirSync(dir, { recursive: true });
  } catch (e) {
    throw fsError(e, 'create the library folder', dir);
  }
}

function listEntries(dir: string): fs.Dirent[] {
  try {
    return fs.readdirSync(dir, { withFileTypes: true });
  } catch (e) {
    throw fsError(e, 'list', dir);
  }
}

function loadSettings(paths: LibraryPaths, now: () => Date, problems: string[]): LibrarySettings {
  const file = paths.libraryFile;
  const result = readVersionedFile(file, 'library', libraryFileSchema);
  switch (result.status) {
    case 'ok': {
      const { settings, notes } = settingsFromFile(result.value.settings);
      problems.push(...notes);
      if (result.migrated || notes.length > 0) writeVersionedFile(file, { settings });
      return settings;
    }
    case 'missing':
      writeVersionedFile(file, { settings: DEFAULT_SETTINGS });
      return { ...DEFAULT_SETTINGS };
    case 'corrupt': {
      const aside = moveAside(file, now());
      problems.push(
        `${file} was damaged (${result.reason}); it was moved to ${path.basename(aside)} ` +
          'and the settings were reset to their defaults.',
      );
      writeVersionedFile(file, { settings: DEFAULT_SETTINGS });
      return { ...DEFAULT_SETTINGS };
    }
    case 'newer':
    case 'unreadable':
      // Going on would mean overwriting it with defaults at the next settings change.
      throw new LongreadError('LIBRARY', `Cannot open the library: ${file}: ${result.reason}`);
  }
}

/** The record of one entry of documents/, or null when the entry is not a usable document (noted or cleaned up). */
function loadDocumentFolder(
  paths: LibraryPaths,
  entry: fs.Dirent,
  now: () => Date,
  problems: string[],
): DocumentRecord | null {
  const full = path.join(paths.documentsDir, entry.name);
  if (isTrashName(entry.name)) {
    const leftover = removeTrash(full);
    if (leftover) problems.push(leftover);
    return null;
  }
  if (!entry.isDirectory() || !isValidId(entry.name)) {
    problems.push(`${full} is not a document folder of this library; it was left alone.`);
    return null;
  }
  const id = entry.name;
  const recordFile = paths.recordFile(id);
  const result = readDocumentRecord(recordFile, id);
  switch (result.status) {
    case 'missing':
      if (listEntries(full).some((e) => e.name.startsWith(`${RECORD_FILE_NAME}${CORRUPT_MARKER}`))) {
        problems.push(
          `Document folder ${full} holds only a damaged record that was moved aside; delete the folder to free its space.`,
        );
      } else {
        // createDocument makes the folder, then writes the record: a crash in between leaves this.
        removeFolderViaTrash(full);
      }
      return null;
    case 'unreadable':
    case 'newer':
      problems.push(`Document ${id} was skipped: ${recordFile}: ${result.reason}`);
      return null;
    case 'corrupt': {
      const aside = moveAside(recordFile, now());
      problems.push(
        `Document ${id} was skipped: ${recordFile} was damaged (${result.reason}); it was moved to ${path.basename(aside)}.`,
      );
      return null;
    }
    case 'ok':
      break;
  }
  const record = result.value;
  if (record.state === 'reading') {
    // The run that was reading it died; its half-written cache is of no use.
    removeFolderViaTrash(full);
    return null;
  }
  if (result.migrated) writeVersionedFile(recordFile, record);
  removeTempFiles(full);
  loadConversations(paths, id, now, problems);
  return record;
}

function readDocumentRecord(file: string, id: string): ReadResult<DocumentRecord> {
  const result = readVersionedFile(file, 'document', documentRecordSchema);
  if (result.status === 'ok' && result.value.id !== id) {
    return { status: 'corrupt', reason: `it names document ${result.value.id}, not ${id}` };
  }
  return result;
}

/** Migrates a document's conversation files and moves damaged ones aside, so later reads find only valid files. */
function loadConversations(paths: LibraryPaths, documentId: string, now: () => Date, problems: string[]): void {
  removeTempFiles(paths.conversationsDir(documentId));
  for (const id of conversationIdsOf(paths, documentId)) {
    const file = paths.conversationFile(documentId, id);
    const result = readConversationFile(paths, documentId, id);
    if (result.status === 'ok' && result.migrated) writeVersionedFile(file, result.value);
    else if (result.status === 'corrupt') {
      const aside = moveAside(file, now());
      problems.push(
        `A conversation of document ${documentId} was skipped: ${file} was damaged (${result.reason}); ` +
          `it was moved to ${path.basename(aside)}.`,
      );
    } else if (result.status === 'newer' || result.status === 'unreadable') {
      problems.push(`A conversation of document ${documentId} was skipped: ${file}: ${result.reason}`);
    }
  }
}
