import { createHash } from 'node:crypto';
import type { Conversation, DocumentRecord } from '../../engine/library/index.js';

type NewDocument = Omit<DocumentRecord, 'createdAt' | 'updatedAt'>;

/** What crash-writer.ts saves, shared with the tests so they can check every saved byte. (No vitest imports here.) */

const STAMP = '2025-03-01T10:00:00.000Z';

export function turnText(index: number): string {
  return `turn ${index}: ${'lorem ipsum dolor sit amet '.repeat(8 + (index % 5))}`;
}

export function crashConversation(turnCount: number): Conversation {
  return {
    id: 'growing',
    documentId: 'host',
    title: `after ${turnCount} turns`,
    turns: Array.from({ length: turnCount }, (_, i) => ({
      role: i % 2 === 0 ? ('user' as const) : ('assistant' as const),
      text: turnText(i),
      createdAt: STAMP,
    })),
    createdAt: STAMP,
    updatedAt: STAMP,
  };
}

export function crashDocument(id: string, state: DocumentRecord['state'] = 'ready'): NewDocument {
  return {
    id,
    state,
    name: `${id}.txt`,
    title: id,
    format: 'txt',
    fileFingerprint: createHash('sha256').update(id).digest('hex'),
    fileBytes: 10,
    tokenCount: 3,
    modelFingerprint: 'm',
    modelName: 'Tiny',
    method: 'am',
    ratio: 0.5,
    files: { cache: 'cache.lrkv' },
  };
}

export function crashCacheBytes(id: string): Uint8Array {
  return new Uint8Array(64 * 1024 + id.length).fill(id.length);
}

export const BINARY_BASE_BYTES = 6 * 1024 * 1024;

/** Version n: BINARY_BASE_BYTES + n bytes, every one equal to n % 256. */
export function binaryVersion(version: number): Uint8Array {
  return new Uint8Array(BINARY_BASE_BYTES + version).fill(version % 256);
}
