import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isLongreadError } from '../../engine/errors.js';
import { Library, writeFileAtomic } from '../../engine/library/index.js';
import { BINARY_BASE_BYTES } from './crash-content.js';
import { runWriterUntilKilled } from './kill-child.js';
import { tempRoot } from './library-fixtures.js';

function folder(): string {
  const dir = tempRoot();
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected a throw');
}

describe('writeFileAtomic', () => {
  it('writes text and binary data, replacing what was there, leaving no temp file', () => {
    const dir = folder();
    const file = path.join(dir, 'a.json');
    writeFileAtomic(file, '{"v":1}');
    writeFileAtomic(file, 'ünïcode ✓');
    expect(fs.readFileSync(file, 'utf8')).toBe('ünïcode ✓');
    const bytes = new Uint8Array(3 * 1024 * 1024).map((_, i) => i % 251);
    writeFileAtomic(path.join(dir, 'b.bin'), bytes);
    expect(fs.readFileSync(path.join(dir, 'b.bin')).equals(bytes)).toBe(true);
    writeFileAtomic(path.join(dir, 'empty'), new Uint8Array(0));
    expect(fs.statSync(path.join(dir, 'empty')).size).toBe(0);
    expect(fs.readdirSync(dir).sort()).toEqual(['a.json', 'b.bin', 'empty']);
  });

  it('ignores a leftover temp file of a killed writer: the target keeps its content until a save completes', () => {
    const root = tempRoot();
    const library = Library.open(root);
    const file = path.join(root, 'library.json');
    const saved = fs.readFileSync(file, 'utf8');
    // What a writer killed between its write and its rename leaves: a half temp file next to the target.
    const leftover = `${file}.tmp-4242-deadbeef`;
    fs.writeFileSync(leftover, '{"schema": 1, "settings": {"theme": "da');
    expect(fs.readFileSync(file, 'utf8')).toBe(saved);

    const reopened = Library.open(root);
    expect(reopened.getSettings()).toEqual(library.getSettings());
    expect(fs.existsSync(leftover)).toBe(false);

    fs.writeFileSync(leftover, 'half');
    writeFileAtomic(file, 'new');
    expect(fs.readFileSync(file, 'utf8')).toBe('new');
  });

  it('leaves the target whole when the writer is killed mid-write, however large the file', async () => {
    const file = path.join(folder(), 'cache.lrkv');
    for (const killAfter of [2, 5]) {
      const lines = await runWriterUntilKilled(['binary', file], killAfter, 3);
      const lastReported = Math.max(...lines.map((l) => Number(l.split(' ')[1])));
      const content = fs.readFileSync(file);
      const version = content.length - BINARY_BASE_BYTES;
      // Either the last reported version, or the one after it if the kill came between its rename and its print.
      expect([lastReported, lastReported + 1]).toContain(version);
      expect(content.every((b) => b === version % 256)).toBe(true);
    }
  });

  it('wraps fs failures into LIBRARY errors naming the file, and cleans up its temp file', () => {
    const dir = folder();
    const missingFolder = path.join(dir, 'no-such-folder', 'x.json');
    const e1 = thrown(() => writeFileAtomic(missingFolder, 'x'));
    expect(isLongreadError(e1, 'LIBRARY')).toBe(true);
    expect((e1 as Error).message).toContain(missingFolder);

    const aFolder = path.join(dir, 'a-folder');
    fs.mkdirSync(aFolder);
    const e2 = thrown(() => writeFileAtomic(aFolder, 'x', { errorCode: 'CACHE_FILE' }));
    expect(isLongreadError(e2, 'CACHE_FILE')).toBe(true);
    expect((e2 as Error).message).toContain(aFolder);
    expect(fs.readdirSync(dir)).toEqual(['a-folder']);
  });
});
