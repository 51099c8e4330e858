import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Library, LIBRARY_SCHEMA_VERSION } from '../../engine/library/index.js';
import { MIGRATION_STEPS } from '../../engine/library/migrations.js';
import { readJson, sha256, tempRoot } from './library-fixtures.js';

/** Files as the version-0 prototype wrote them: no `schema` field (see engine/library/migrations.ts). */
function writeVersion0Library(root: string): void {
  fs.mkdirSync(path.join(root, 'documents', 'old-doc', 'conversations'), { recursive: true });
  fs.writeFileSync(path.join(root, 'library.json'), JSON.stringify({ settings: { threads: 'auto', theme: 'dark' } }));
  fs.writeFileSync(
    path.join(root, 'documents', 'old-doc', 'record.json'),
    JSON.stringify({
      id: 'old-doc',
      name: 'notes.txt',
      title: 'Notes',
      format: 'txt',
      fileFingerprint: sha256('notes'),
      fileBytes: 5,
      tokenCount: 2,
      modelFingerprint: 'm',
      modelName: 'Tiny',
      method: 'am',
      ratio: '12.5%',
      createdAt: '2024-12-01T08:00:00.000Z',
      updatedAt: '2024-12-01T08:00:00.000Z',
    }),
  );
  fs.writeFileSync(
    path.join(root, 'documents', 'old-doc', 'conversations', 'chat.json'),
    JSON.stringify({
      id: 'chat',
      documentId: 'old-doc',
      title: 'First chat',
      turns: [{ role: 'user', text: 'hi' }, { role: 'assistant', text: 'hello' }],
      createdAt: '2024-12-01T08:01:00.000Z',
      updatedAt: '2024-12-01T08:02:00.000Z',
    }),
  );
}

describe('Library migrations', () => {
  it('has one step per kind for every version below the current one', () => {
    for (const steps of Object.values(MIGRATION_STEPS)) expect(steps).toHaveLength(LIBRARY_SCHEMA_VERSION);
  });

  it('opens a version-0 library migrated, and rewrites its files at the current version', () => {
    const root = tempRoot();
    writeVersion0Library(root);
    const library = Library.open(root);
    expect(library.listProblems()).toEqual([]);
    expect(library.getSettings()).toMatchObject({ threads: 0, theme: 'dark' });
    expect(library.getDocument('old-doc')).toMatchObject({ state: 'ready', ratio: 0.125, files: { cache: 'cache.lrkv' } });
    expect(library.getConversation('old-doc', 'chat').turns).toEqual([
      { role: 'user', text: 'hi', createdAt: '2024-12-01T08:02:00.000Z' },
      { role: 'assistant', text: 'hello', createdAt: '2024-12-01T08:02:00.000Z' },
    ]);

    const docDir = path.join(root, 'documents', 'old-doc');
    const rewritten = [
      path.join(root, 'library.json'),
      path.join(docDir, 'record.json'),
      path.join(docDir, 'conversations', 'chat.json'),
    ];
    for (const file of rewritten) {
      expect(readJson(file).schema, file).toBe(LIBRARY_SCHEMA_VERSION);
    }
    expect(readJson(path.join(docDir, 'record.json')).ratio).toBe(0.125);
    expect(Library.open(root).getDocument('old-doc')).toEqual(library.getDocument('old-doc'));
  });

  it('treats a version-0 file that does not migrate to a valid one as damaged', () => {
    const root = tempRoot();
    writeVersion0Library(root);
    const record = path.join(root, 'documents', 'old-doc', 'record.json');
    fs.writeFileSync(record, JSON.stringify({ ...readJson(record), ratio: 'most of it' }));
    const library = Library.open(root);
    expect(library.listDocuments()).toEqual([]);
    expect(library.listProblems().join('\n')).toMatch(/old-doc.*ratio/);
  });
});
