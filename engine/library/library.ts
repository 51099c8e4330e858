import fs from 'node:fs';
import path from 'node:path';
import { LongreadError } from '../errors.js';
import { syncDirectory } from './atomic-write.js';
import { conversationIdsOf, readConversationFile } from './conversation-files.js';
import { folderBytes, removeFolderViaTrash } from './document-folders.js';
import { errnoCode, fsError } from './fs-errors.js';
import { assertId } from './ids.js';
import { LibraryPaths } from './library-paths.js';
import { loadLibrary } from './load-library.js';
import { conversationSchema, describeIssues, documentRecordSchema } from './schemas.js';
import { applySettingsChange } from './settings.js';
import type { Conversation, DocumentRecord, LibrarySettings } from './types.js';
import { writeVersionedFile } from './versioned-file.js';

export interface LibraryOptions {
  /** Clock for createdAt/updatedAt and moved-aside file names; tests pass a fake one. */
  now?: () => Date;
}

/**
 * The document library: one folder per document with its record.json and conversations, plus library.json for the
 * settings. Every write is an atomic replace, so a crash at any moment leaves each file either old or new. One Library
 * per root at a time: records are kept in memory after open.
 */
export class Library {
  readonly root: string;
  private readonly paths: LibraryPaths;
  private readonly now: () => Date;
  private readonly documents: Map<string, DocumentRecord>;
  private settings: LibrarySettings;
  private readonly problems: string[];

  private constructor(root: string, now: () => Date) {
    this.root = path.resolve(root);
    this.paths = new LibraryPaths(this.root);
    this.now = now;
    const loaded = loadLibrary(this.paths, now);
    this.documents = loaded.documents;
    this.settings = loaded.settings;
    this.problems = loaded.problems;
  }

  /** Creates the folders, migrates old files and cleans up after a crashed run; damaged files go to listProblems(). */
  static open(root: string, options: LibraryOptions = {}): Library {
    return new Library(root, options.now ?? (() => new Date()));
  }

  listDocuments(): DocumentRecord[] {
    return [...this.documents.values()].sort(newestCreatedFirst).map((r) => structuredClone(r));
  }

  getDocument(id: string): DocumentRecord {
    return structuredClone(this.knownDocument(id));
  }

  /** The newest ready document read from the same file bytes with the same model, if any. */
  findDocument(fileFingerprint: string, modelFingerprint: string): DocumentRecord | null {
    const match = this.listDocuments().find(
      (r) => r.state === 'ready' && r.fileFingerprint === fileFingerprint && r.modelFingerprint === modelFingerprint,
    );
    return match ?? null;
  }

  createDocument(record: Omit<DocumentRecord, 'createdAt' | 'updatedAt'>): DocumentRecord {
    assertId(record?.id, 'Document id');
    if (this.documents.has(record.id)) {
      throw new LongreadError('BAD_ARGUMENT', `A document with id ${record.id} already exists in the library.`);
    }
    const stamp = this.now().toISOString();
    const created = validDocument({ ...record, createdAt: stamp, updatedAt: stamp });
    const dir = this.paths.documentDir(created.id);
    const recordFile = this.paths.recordFile(created.id);
    try {
      fs.mkdirSync(dir, { recursive: true });
    } catch (e) {
      throw fsError(e, 'create the document folder', dir);
    }
    if (fs.existsSync(recordFile)) {
      // A record skipped at open (unreadable, or from a newer Longread) must not be overwritten.
      throw new LongreadError(
        'LIBRARY',
        `${recordFile} already exists but is not in the library (see the problems reported at open); choose another id.`,
      );
    }
    writeVersionedFile(recordFile, created);
    this.documents.set(created.id, created);
    return structuredClone(created);
  }

  updateDocument(id: string, change: Partial<Omit<DocumentRecord, 'id' | 'createdAt'>>): DocumentRecord {
    const current = this.knownDocument(id);
    if (typeof change !== 'object' || change === null) {
      throw new LongreadError('BAD_ARGUMENT', 'A document change must be an object.');
    }
    const fixed = ['id', 'createdAt'].filter((key) => key in change);
    if (fixed.length > 0) {
      throw new LongreadError('BAD_ARGUMENT', `A document's ${fixed.join(' and ')} cannot be changed.`);
    }
    const updated = validDocument({ ...current, updatedAt: this.now().toISOString(), ...definedEntries(change) });
    writeVersionedFile(this.paths.recordFile(id), updated);
    this.documents.set(id, updated);
    return structuredClone(updated);
  }

  /** Removes the document's whole folder: cache, prepared blocks, text, conversations. */
  deleteDocument(id: string): { freedBytes: number } {
    this.knownDocument(id);
    const { freedBytes, leftover } = removeFolderViaTrash(this.paths.documentDir(id));
    this.documents.delete(id);
    if (leftover) this.noteProblem(leftover);
    return { freedBytes };
  }

  /** The folder where the engine keeps the document's own files (cache.lrkv, text, ...). */
  documentDir(id: string): string {
    this.knownDocument(id);
    return this.paths.documentDir(id);
  }

  /** Bytes of every file in the document folder. */
  diskUsage(id: string): number {
    return folderBytes(this.documentDir(id));
  }

  /** Newest (most recently updated) first. */
  listConversations(documentId: string): Conversation[] {
    this.knownDocument(documentId);
    const conversations: Conversation[] = [];
    for (const id of conversationIdsOf(this.paths, documentId)) {
      const result = readConversationFile(this.paths, documentId, id);
      if (result.status === 'ok') conversations.push(result.value);
      else if (result.status !== 'missing') {
        this.noteProblem(`Conversation ${id} of document ${documentId} was skipped: ${result.reason}`);
      }
    }
    return conversations.sort(newestUpdatedFirst);
  }

  getConversation(documentId: string, id: string): Conversation {
    this.knownDocument(documentId);
    assertId(id, 'Conversation id');
    const result = readConversationFile(this.paths, documentId, id);
    switch (result.status) {
      case 'ok':
        return result.value;
      case 'missing':
        throw new LongreadError('NOT_FOUND', `Document ${documentId} has no conversation ${id}.`);
      default:
        throw new LongreadError(
          'LIBRARY',
          `Cannot read conversation ${id}: ${this.paths.conversationFile(documentId, id)}: ${result.reason}`,
        );
    }
  }

  /** Creates or replaces the conversation, atomically. */
  putConversation(c: Conversation): void {
    const checked = conversationSchema.safeParse(c);
    if (!checked.success) {
      throw new LongreadError('BAD_ARGUMENT', `Invalid conversation: ${describeIssues(checked.error)}.`);
    }
    const conversation = checked.data;
    this.knownDocument(conversation.documentId);
    const dir = this.paths.conversationsDir(conversation.documentId);
    try {
      fs.mkdirSync(dir, { recursive: true });
    } catch (e) {
      throw fsError(e, 'create the conversations folder', dir);
    }
    writeVersionedFile(this.paths.conversationFile(conversation.documentId, conversation.id), conversation);
  }

  deleteConversation(documentId: string, id: string): void {
    this.knownDocument(documentId);
    assertId(id, 'Conversation id');
    const file = this.paths.conversationFile(documentId, id);
    try {
      fs.unlinkSync(file);
    } catch (e) {
      if (errnoCode(e) === 'ENOENT') throw new LongreadError('NOT_FOUND', `Document ${documentId} has no conversation ${id}.`);
      throw fsError(e, 'delete the conversation', file);
    }
    syncDirectory(this.paths.conversationsDir(documentId));
  }

  getSettings(): LibrarySettings {
    return { ...this.settings };
  }

  /** Checks every changed setting (BAD_ARGUMENT names the one out of range), then saves all of them atomically. */
  putSettings(change: Partial<LibrarySettings>): LibrarySettings {
    const next = applySettingsChange(this.settings, change);
    writeVersionedFile(this.paths.libraryFile, { settings: next });
    this.settings = next;
    return { ...next };
  }

  /** Human-readable notes about files that were skipped, moved aside or reset, at open or since. */
  listProblems(): string[] {
    return [...this.problems];
  }

  private noteProblem(note: string): void {
    if (!this.problems.includes(note)) this.problems.push(note);
  }

  private knownDocument(id: string): DocumentRecord {
    assertId(id, 'Document id');
    const record = this.documents.get(id);
    if (!record) throw new LongreadError('NOT_FOUND', `There is no document ${id} in the library at ${this.root}.`);
    return record;
  }
}

function validDocument(candidate: unknown): DocumentRecord {
  const checked = documentRecordSchema.safeParse(candidate);
  if (!checked.success) {
    throw new LongreadError('BAD_ARGUMENT', `Invalid document record: ${describeIssues(checked.error)}.`);
  }
  return checked.data;
}

/** `{ title: undefined }` means "leave the title alone", as Partial<> allows. */
function definedEntries<T extends object>(change: T): Partial<T> {
  return Object.fromEntries(Object.entries(change).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function newestCreatedFirst(a: DocumentRecord, b: DocumentRecord): number {
  return Date.parse(b.createdAt) - Date.parse(a.createdAt) || a.id.localeCompare(b.id);
}

function newestUpdatedFirst(a: Conversation, b: Conversation): number {
  return (
    Date.parse(b.updatedAt) - Date.parse(a.updatedAt) ||
    Date.parse(b.createdAt) - Date.parse(a.createdAt) ||
    a.id.localeCompare(b.id)
  );
}
