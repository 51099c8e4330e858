import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach } from 'vitest';
import type { Conversation, DocumentRecord } from '../../engine/library/index.js';

const roots: string[] = [];

/** A fresh library root under the OS temp folder, removed after the test. */
export function tempRoot(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'longread-library-'));
  roots.push(dir);
  return path.join(dir, 'library');
}

afterEach(() => {
  for (const dir of roots.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

/** A clock that ticks one second per call, so every timestamp differs and orderings are deterministic. */
export function tickingClock(start = '2025-03-01T10:00:00.000Z'): () => Date {
  let t = Date.parse(start);
  return () => new Date((t += 1000));
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

type NewDocument = Omit<DocumentRecord, 'createdAt' | 'updatedAt'>;

export function newDocument(id: string, overrides: Partial<DocumentRecord> = {}): NewDocument {
  return {
    id,
    state: 'ready',
    name: `${id}.md`,
    title: `Title of ${id}`,
    format: 'md',
    fileFingerprint: sha256(`source of ${id}`),
    fileBytes: 1234,
    tokenCount: 321,
    modelFingerprint: 'model-fp-1',
    modelName: 'Tiny',
    method: 'am',
    ratio: 0.25,
    files: { cache: 'cache.lrkv', text: 'text.json' },
    ...overrides,
  };
}

export function emptyConversation(id: string, documentId: string): Conversation {
  const stamp = new Date().toISOString();
  return { id, documentId, title: '', turns: [], createdAt: stamp, updatedAt: stamp };
}

export function readJson(file: string): Record<string, unknown> {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
}

/** Every file under `dir`, as paths relative to it. */
export function listFilesDeep(dir: string): string[] {
  return (fs.readdirSync(dir, { recursive: true, withFileTypes: true }) as fs.Dirent[])
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)));
}
