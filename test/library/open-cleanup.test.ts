import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Library, LIBRARY_SCHEMA_VERSION } from '../../engine/library/index.js';
import { emptyConversation, newDocument, tempRoot } from './library-fixtures.js';

describe('Library.open cleans up after a crashed run', () => {
  it('removes documents left in state reading, keeps ready ones', () => {
    const root = tempRoot();
    const library = Library.open(root);
    library.createDocument(newDocument('ready-one'));
    library.createDocument(newDocument('was-reading', { state: 'reading' }));
    fs.writeFileSync(path.join(library.documentDir('was-reading'), 'cache.lrkv'), Buffer.alloc(4096));

    const reopened = Library.open(root);
    expect(reopened.listDocuments().map((d) => d.id)).toEqual(['ready-one']);
    expect(fs.readdirSync(path.join(root, 'documents'))).toEqual(['ready-one']);
    expect(reopened.listProblems()).toEqual([]);
  });

  it('removes stale temp files everywhere it writes, and half-deleted or half-created folders', () => {
    const root = tempRoot();
    const library = Library.open(root);
    library.createDocument(newDocument('doc'));
    library.putConversation(emptyConversation('c', 'doc'));
    const dir = library.documentDir('doc');
    const stale = [
      path.join(root, 'library.json.tmp-123-abc'),
      path.join(dir, 'record.json.tmp-123-abc'),
      path.join(dir, 'cache.lrkv.tmp-99-ffff'),
      path.join(dir, 'conversations', 'c.json.tmp-1-2'),
    ];
    for (const file of stale) fs.writeFileSync(file, '{"half": ');
    // A delete that died after its rename, and a create that died before its record was written.
    fs.mkdirSync(path.join(root, 'documents', '.trash-gone-0a1b'), { recursive: true });
    fs.writeFileSync(path.join(root, 'documents', '.trash-gone-0a1b', 'cache.lrkv'), Buffer.alloc(1000));
    fs.mkdirSync(path.join(root, 'documents', 'never-recorded'));
    fs.writeFileSync(path.join(root, 'documents', 'never-recorded', 'text.json'), '[]');

    const reopened = Library.open(root);
    for (const file of stale) expect(fs.existsSync(file), file).toBe(false);
    expect(fs.readdirSync(path.join(root, 'documents'))).toEqual(['doc']);
    expect(reopened.listDocuments().map((d) => d.id)).toEqual(['doc']);
    expect(reopened.listConversations('doc').map((c) => c.id)).toEqual(['c']);
    expect(reopened.listProblems()).toEqual([]);
  });

  it('moves a corrupt record.json aside, reports it, lists the rest, and keeps the folder', () => {
    const root = tempRoot();
    const library = Library.open(root);
    for (const id of ['a', 'broken', 'c', 'wrong-shape', 'wrong-id']) library.createDocument(newDocument(id));
    const recordOf = (id: string) => path.join(root, 'documents', id, 'record.json');
    fs.writeFileSync(recordOf('broken'), '{"schema": 1, "id": "bro');
    fs.writeFileSync(recordOf('wrong-shape'), JSON.stringify({ ...library.getDocument('wrong-shape'), schema: 1, ratio: 3 }));
    fs.writeFileSync(recordOf('wrong-id'), JSON.stringify({ ...library.getDocument('a'), schema: 1 }));
    fs.writeFileSync(path.join(root, 'documents', 'broken', 'cache.lrkv'), 'kept for inspection');

    const reopened = Library.open(root);
    expect(reopened.listDocuments().map((d) => d.id).sort()).toEqual(['a', 'c']);
    const problems = reopened.listProblems();
    expect(problems).toHaveLength(3);
    expect(problems.join('\n')).toMatch(/broken.*not valid JSON/);
    expect(problems.join('\n')).toMatch(/wrong-shape.*ratio/);
    expect(problems.join('\n')).toMatch(/wrong-id.*names document a/);
    const brokenDir = path.join(root, 'documents', 'broken');
    expect(fs.readdirSync(brokenDir).sort()).toEqual(['cache.lrkv', expect.stringMatching(/^record\.json\.corrupt-/)]);

    // The next open does not remove the folder (its record is kept aside) but keeps saying why it is not listed.
    const third = Library.open(root);
    expect(third.listDocuments()).toHaveLength(2);
    expect(third.listProblems().join('\n')).toMatch(/broken.*damaged record/);
    expect(fs.existsSync(path.join(brokenDir, 'cache.lrkv'))).toBe(true);
  });

  it('moves corrupt conversation files aside at open', () => {
    const root = tempRoot();
    const library = Library.open(root);
    library.createDocument(newDocument('doc'));
    library.putConversation(emptyConversation('good', 'doc'));
    const conversations = path.join(root, 'documents', 'doc', 'conversations');
    fs.writeFileSync(path.join(conversations, 'empty.json'), '');

    const reopened = Library.open(root);
    expect(reopened.listConversations('doc').map((c) => c.id)).toEqual(['good']);
    expect(reopened.listProblems()).toEqual([expect.stringMatching(/empty\.json was damaged \(it is empty\)/)]);
    expect(fs.readdirSync(conversations).sort()).toEqual([expect.stringMatching(/^empty\.json\.corrupt-/), 'good.json']);
  });

  it('skips, without touching, a record written by a newer Longread', () => {
    const root = tempRoot();
    const library = Library.open(root);
    library.createDocument(newDocument('future'));
    const file = path.join(root, 'documents', 'future', 'record.json');
    const newer = JSON.stringify({ ...library.getDocument('future'), schema: LIBRARY_SCHEMA_VERSION + 1 });
    fs.writeFileSync(file, newer);

    const reopened = Library.open(root);
    expect(reopened.listDocuments()).toEqual([]);
    expect(reopened.listProblems().join('\n')).toMatch(/future.*newer/);
    expect(fs.readFileSync(file, 'utf8')).toBe(newer);
    expect(() => reopened.createDocument(newDocument('future'))).toThrow(/already exists/);
  });

  it('skips, with a note, a document folder it cannot handle, and still opens the rest', () => {
    const root = tempRoot();
    const library = Library.open(root);
    library.createDocument(newDocument('fine'));
    library.createDocument(newDocument('odd'));
    // A file where the conversations folder should be: listing it fails with ENOTDIR.
    fs.writeFileSync(path.join(library.documentDir('odd'), 'conversations'), '');
    const reopened = Library.open(root);
    expect(reopened.listDocuments().map((d) => d.id)).toEqual(['fine']);
    expect(reopened.listProblems()).toEqual([expect.stringMatching(/odd was skipped: .*ENOTDIR/)]);
  });

  it('leaves unknown entries in documents/ alone and notes them', () => {
    const root = tempRoot();
    Library.open(root);
    fs.writeFileSync(path.join(root, 'documents', 'notes.txt'), 'mine');
    fs.mkdirSync(path.join(root, 'documents', 'not an id'));
    const library = Library.open(root);
    expect(library.listProblems()).toHaveLength(2);
    expect(fs.readdirSync(path.join(root, 'documents')).sort()).toEqual(['not an id', 'notes.txt']);
  });
});
