import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isLongreadError } from '../../engine/errors.js';
import { Library, LIBRARY_SCHEMA_VERSION, type Conversation } from '../../engine/library/index.js';
import { newDocument, readJson, tempRoot } from './library-fixtures.js';

function conversation(id: string, documentId: string, updatedAt: string, overrides: Partial<Conversation> = {}): Conversation {
  return {
    id,
    documentId,
    title: `Chat ${id}`,
    turns: [
      { role: 'user', text: 'What is it about?', createdAt: '2025-03-01T10:00:00.000Z' },
      {
        role: 'assistant',
        text: 'Boats.',
        createdAt: '2025-03-01T10:00:01.000Z',
        sources: [[{ start: 0, end: 12, label: 'p. 1', weight: 0.9 }], []],
      },
    ],
    createdAt: '2025-03-01T10:00:00.000Z',
    updatedAt,
    ...overrides,
  };
}

function errorCode(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return isLongreadError(e) ? e.code : 'not a LongreadError';
  }
  return undefined;
}

describe('Library conversations', () => {
  it('puts, gets, replaces, lists most recently updated first, deletes', () => {
    const root = tempRoot();
    const library = Library.open(root);
    library.createDocument(newDocument('doc'));
    expect(library.listConversations('doc')).toEqual([]);

    const first = conversation('c-1', 'doc', '2025-03-01T10:05:00.000Z');
    const second = conversation('c-2', 'doc', '2025-03-01T10:01:00.000Z');
    library.putConversation(first);
    library.putConversation(second);
    expect(library.getConversation('doc', 'c-1')).toEqual(first);
    expect(library.listConversations('doc').map((c) => c.id)).toEqual(['c-1', 'c-2']);

    const continued: Conversation = {
      ...second,
      turns: [...second.turns, { role: 'user', text: 'And then?', createdAt: '2025-03-01T10:09:00.000Z' }],
      updatedAt: '2025-03-01T10:09:00.000Z',
    };
    library.putConversation(continued);
    expect(library.listConversations('doc')).toEqual([continued, first]);

    const file = path.join(root, 'documents', 'doc', 'conversations', 'c-2.json');
    expect(readJson(file)).toMatchObject({ schema: LIBRARY_SCHEMA_VERSION, id: 'c-2', documentId: 'doc' });
    expect(Library.open(root).listConversations('doc')).toEqual([continued, first]);

    library.deleteConversation('doc', 'c-1');
    expect(library.listConversations('doc')).toEqual([continued]);
    expect(errorCode(() => library.getConversation('doc', 'c-1'))).toBe('NOT_FOUND');
    expect(errorCode(() => library.deleteConversation('doc', 'c-1'))).toBe('NOT_FOUND');
  });

  it('keeps conversations per document and refuses unknown documents', () => {
    const library = Library.open(tempRoot());
    library.createDocument(newDocument('a'));
    library.createDocument(newDocument('b'));
    library.putConversation(conversation('same-id', 'a', '2025-03-01T10:05:00.000Z', { title: 'on a' }));
    library.putConversation(conversation('same-id', 'b', '2025-03-01T10:05:00.000Z', { title: 'on b' }));
    expect(library.getConversation('a', 'same-id').title).toBe('on a');
    expect(library.getConversation('b', 'same-id').title).toBe('on b');
    expect(errorCode(() => library.putConversation(conversation('c', 'missing', '2025-03-01T10:05:00.000Z')))).toBe('NOT_FOUND');
    expect(errorCode(() => library.listConversations('missing'))).toBe('NOT_FOUND');
    expect(errorCode(() => library.getConversation('missing', 'c'))).toBe('NOT_FOUND');
  });

  it('refuses invalid conversations and traversal ids', () => {
    const root = tempRoot();
    const library = Library.open(root);
    library.createDocument(newDocument('doc'));
    const stamp = '2025-03-01T10:05:00.000Z';
    expect(errorCode(() => library.putConversation(conversation('../../library', 'doc', stamp)))).toBe('BAD_ARGUMENT');
    expect(errorCode(() => library.putConversation(conversation('c', '../doc', stamp)))).toBe('BAD_ARGUMENT');
    expect(errorCode(() => library.putConversation(conversation('c', 'doc', 'yesterday')))).toBe('BAD_ARGUMENT');
    const badRole = conversation('c', 'doc', stamp, { turns: [{ role: 'system' as never, text: '', createdAt: stamp }] });
    expect(errorCode(() => library.putConversation(badRole))).toBe('BAD_ARGUMENT');
    const backwardsSpan = conversation('c', 'doc', stamp, {
      turns: [{ role: 'assistant', text: '', createdAt: stamp, sources: [[{ start: 9, end: 3, weight: 1 }]] }],
    });
    expect(errorCode(() => library.putConversation(backwardsSpan))).toBe('BAD_ARGUMENT');
    expect(fs.existsSync(path.join(root, 'documents', 'doc', 'conversations'))).toBe(false);
  });

  it('skips a damaged conversation file when listing and reports it', () => {
    const root = tempRoot();
    const library = Library.open(root);
    library.createDocument(newDocument('doc'));
    library.putConversation(conversation('good', 'doc', '2025-03-01T10:05:00.000Z'));
    library.putConversation(conversation('bad', 'doc', '2025-03-01T10:05:00.000Z'));
    fs.writeFileSync(path.join(root, 'documents', 'doc', 'conversations', 'bad.json'), '{"schema":1,"id":"bad"');
    expect(library.listConversations('doc').map((c) => c.id)).toEqual(['good']);
    expect(library.listProblems().join('\n')).toMatch(/bad/);
    expect(errorCode(() => library.getConversation('doc', 'bad'))).toBe('LIBRARY');
  });
});
