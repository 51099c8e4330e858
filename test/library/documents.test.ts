import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isLongreadError } from '../../engine/errors.js';
import { Library, LIBRARY_SCHEMA_VERSION } from '../../engine/library/index.js';
import { emptyConversation, newDocument, readJson, sha256, tempRoot, tickingClock } from './library-fixtures.js';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return isLongreadError(e) ? e.code : `not a LongreadError: ${String(e)}`;
  }
  return undefined;
}

describe('Library documents', () => {
  it('creates, reads back, lists newest first, and survives reopening', () => {
    const root = tempRoot();
    const library = Library.open(root, { now: tickingClock() });
    expect(library.listDocuments()).toEqual([]);
    const a = library.createDocument(newDocument('doc-a'));
    const b = library.createDocument(newDocument('doc-b'));
    const c = library.createDocument(newDocument('doc-c'));
    expect(a.createdAt).toBe(a.updatedAt);
    expect(library.listDocuments().map((d) => d.id)).toEqual(['doc-c', 'doc-b', 'doc-a']);
    expect(library.getDocument('doc-b')).toEqual(b);

    const file = path.join(root, 'documents', 'doc-a', 'record.json');
    expect(readJson(file)).toMatchObject({ schema: LIBRARY_SCHEMA_VERSION, id: 'doc-a', ratio: 0.25 });

    const reopened = Library.open(root);
    expect(reopened.listDocuments()).toEqual([c, b, a]);
    expect(reopened.listProblems()).toEqual([]);
  });

  it('updates a record, keeps id and createdAt, and refuses invalid changes', () => {
    const library = Library.open(tempRoot(), { now: tickingClock() });
    const created = library.createDocument(newDocument('doc-1', { state: 'reading' }));
    const updated = library.updateDocument('doc-1', { state: 'ready', tokenCount: 999, title: undefined });
    expect(updated).toMatchObject({ state: 'ready', tokenCount: 999, title: created.title, createdAt: created.createdAt });
    expect(updated.updatedAt > created.updatedAt).toBe(true);
    expect(library.getDocument('doc-1')).toEqual(updated);

    expect(codeOf(() => library.updateDocument('doc-1', { ratio: 0 }))).toBe('BAD_ARGUMENT');
    expect(codeOf(() => library.updateDocument('doc-1', { ratio: 1.5 }))).toBe('BAD_ARGUMENT');
    expect(codeOf(() => library.updateDocument('doc-1', { files: { cache: '../escape' } }))).toBe('BAD_ARGUMENT');
    expect(codeOf(() => library.updateDocument('doc-1', { id: 'other' } as never))).toBe('BAD_ARGUMENT');
    expect(codeOf(() => library.updateDocument('missing', { title: 'x' }))).toBe('NOT_FOUND');
    expect(library.getDocument('doc-1')).toEqual(updated);
  });

  it('validates new records and refuses duplicate ids', () => {
    const library = Library.open(tempRoot());
    library.createDocument(newDocument('dup'));
    expect(codeOf(() => library.createDocument(newDocument('dup')))).toBe('BAD_ARGUMENT');
    expect(codeOf(() => library.createDocument(newDocument('x1', { fileFingerprint: 'not-hex' })))).toBe('BAD_ARGUMENT');
    expect(codeOf(() => library.createDocument(newDocument('x2', { format: 'rtf' as never })))).toBe('BAD_ARGUMENT');
    expect(codeOf(() => library.createDocument(newDocument('x3', { tokenCount: -1 })))).toBe('BAD_ARGUMENT');
    expect(library.listDocuments().map((d) => d.id)).toEqual(['dup']);
  });

  it('refuses ids that could leave the library folder, before touching the disk', () => {
    const root = tempRoot();
    const library = Library.open(root);
    for (const id of ['../evil', '..', '.', 'a/b', 'a\\b', '/abs', '', 'x'.repeat(65), 'CON', 'nul', 'with space', 'é']) {
      expect(codeOf(() => library.createDocument(newDocument(id))), id).toBe('BAD_ARGUMENT');
      expect(codeOf(() => library.getDocument(id)), id).toBe('BAD_ARGUMENT');
      expect(codeOf(() => library.documentDir(id)), id).toBe('BAD_ARGUMENT');
      expect(codeOf(() => library.deleteDocument(id)), id).toBe('BAD_ARGUMENT');
      expect(codeOf(() => library.listConversations(id)), id).toBe('BAD_ARGUMENT');
    }
    library.createDocument(newDocument('ok'));
    expect(codeOf(() => library.getConversation('ok', '../../library'))).toBe('BAD_ARGUMENT');
    expect(codeOf(() => library.deleteConversation('ok', '../record'))).toBe('BAD_ARGUMENT');
    expect(fs.readdirSync(path.join(root, 'documents'))).toEqual(['ok']);
    expect(fs.readdirSync(path.dirname(root))).toEqual(['library']);
  });

  it('reports NOT_FOUND for unknown ids', () => {
    const library = Library.open(tempRoot());
    expect(codeOf(() => library.getDocument('nope'))).toBe('NOT_FOUND');
    expect(codeOf(() => library.deleteDocument('nope'))).toBe('NOT_FOUND');
    expect(codeOf(() => library.documentDir('nope'))).toBe('NOT_FOUND');
    expect(codeOf(() => library.diskUsage('nope'))).toBe('NOT_FOUND');
  });

  it('finds the newest ready document for a file and model', () => {
    const library = Library.open(tempRoot(), { now: tickingClock() });
    const fp = sha256('same bytes');
    library.createDocument(newDocument('old', { fileFingerprint: fp }));
    library.createDocument(newDocument('other-model', { fileFingerprint: fp, modelFingerprint: 'model-fp-2' }));
    library.createDocument(newDocument('new', { fileFingerprint: fp }));
    library.createDocument(newDocument('still-reading', { fileFingerprint: fp, state: 'reading' }));
    expect(library.findDocument(fp, 'model-fp-1')?.id).toBe('new');
    expect(library.findDocument(fp, 'model-fp-2')?.id).toBe('other-model');
    expect(library.findDocument(sha256('other bytes'), 'model-fp-1')).toBeNull();
  });

  it('returns copies: changing a returned record does not change the library', () => {
    const library = Library.open(tempRoot());
    const record = library.createDocument(newDocument('copy'));
    record.title = 'changed';
    record.files.cache = 'elsewhere';
    library.listDocuments()[0].title = 'changed too';
    expect(library.getDocument('copy')).toMatchObject({ title: 'Title of copy', files: { cache: 'cache.lrkv' } });
  });

  it('deletes the whole folder and reports the disk space freed', () => {
    const root = tempRoot();
    const library = Library.open(root);
    library.createDocument(newDocument('big'));
    library.createDocument(newDocument('kept'));
    const dir = library.documentDir('big');
    const cacheBytes = 3 * 1024 * 1024 + 17;
    fs.writeFileSync(path.join(dir, 'cache.lrkv'), Buffer.alloc(cacheBytes, 7));
    fs.mkdirSync(path.join(dir, 'blocks'));
    fs.writeFileSync(path.join(dir, 'blocks', '0.bin'), Buffer.alloc(1000, 1));
    library.putConversation(emptyConversation('c1', 'big'));

    const usage = library.diskUsage('big');
    const recordBytes = fs.statSync(path.join(dir, 'record.json')).size;
    expect(usage).toBeGreaterThan(cacheBytes + 1000 + recordBytes);

    expect(library.deleteDocument('big')).toEqual({ freedBytes: usage });
    expect(fs.existsSync(dir)).toBe(false);
    expect(fs.readdirSync(path.join(root, 'documents'))).toEqual(['kept']);
    expect(library.listDocuments().map((d) => d.id)).toEqual(['kept']);
    expect(codeOf(() => library.getDocument('big'))).toBe('NOT_FOUND');
    expect(Library.open(root).listDocuments().map((d) => d.id)).toEqual(['kept']);
  });

  it('deletes a document whose folder someone else already removed', () => {
    const library = Library.open(tempRoot());
    library.createDocument(newDocument('gone'));
    fs.rmSync(library.documentDir('gone'), { recursive: true });
    expect(library.deleteDocument('gone')).toEqual({ freedBytes: 0 });
    expect(library.listDocuments()).toEqual([]);
  });

  it('wraps fs failures into LIBRARY errors that name the file', () => {
    const root = tempRoot();
    fs.mkdirSync(path.dirname(root), { recursive: true });
    fs.writeFileSync(root, 'a file where the library folder should be');
    let error: unknown;
    try {
      Library.open(root);
    } catch (e) {
      error = e;
    }
    expect(isLongreadError(error, 'LIBRARY')).toBe(true);
    expect((error as Error).message).toContain(root);

    const library = Library.open(`${root}-2`);
    library.createDocument(newDocument('doc'));
    // A file where the conversations folder should be.
    fs.writeFileSync(path.join(library.documentDir('doc'), 'conversations'), '');
    expect(codeOf(() => library.putConversation(emptyConversation('c', 'doc')))).toBe('LIBRARY');
  });
});
