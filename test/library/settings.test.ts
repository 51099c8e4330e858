import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isLongreadError } from '../../engine/errors.js';
import { DEFAULT_SETTINGS, Library, LIBRARY_SCHEMA_VERSION, type LibrarySettings } from '../../engine/library/index.js';
import { readJson, tempRoot } from './library-fixtures.js';

function badArgument(library: Library, change: Partial<LibrarySettings>): string {
  try {
    library.putSettings(change);
  } catch (e) {
    if (isLongreadError(e, 'BAD_ARGUMENT')) return e.message;
    throw e;
  }
  throw new Error(`putSettings(${JSON.stringify(change)}) was accepted`);
}

describe('Library settings', () => {
  it('starts from the defaults and writes library.json with a schema version', () => {
    const root = tempRoot();
    const library = Library.open(root);
    expect(library.getSettings()).toEqual(DEFAULT_SETTINGS);
    expect(readJson(path.join(root, 'library.json'))).toEqual({ schema: LIBRARY_SCHEMA_VERSION, settings: DEFAULT_SETTINGS });
  });

  it('saves valid changes and keeps them across opens', () => {
    const root = tempRoot();
    const library = Library.open(root);
    const next = library.putSettings({ device: 'cuda', threads: 8, defaultRatio: 0.1, theme: 'dark' });
    expect(next).toEqual({ ...DEFAULT_SETTINGS, device: 'cuda', threads: 8, defaultRatio: 0.1, theme: 'dark' });
    const later = library.putSettings({ defaultMethod: 'am-omp', kvBudgetBytes: 8 * 1024 ** 3 });
    expect(later).toMatchObject({ device: 'cuda', defaultMethod: 'am-omp', kvBudgetBytes: 8 * 1024 ** 3 });
    expect(Library.open(root).getSettings()).toEqual(library.getSettings());
  });

  it('refuses out-of-range and unknown settings, naming them, and changes nothing', () => {
    const root = tempRoot();
    const library = Library.open(root);
    const before = fs.readFileSync(path.join(root, 'library.json'), 'utf8');
    expect(badArgument(library, { threads: -1 })).toMatch(/threads/);
    expect(badArgument(library, { threads: 2.5 })).toMatch(/threads/);
    expect(badArgument(library, { defaultRatio: 0 })).toMatch(/defaultRatio/);
    expect(badArgument(library, { defaultRatio: 1.01 })).toMatch(/defaultRatio/);
    expect(badArgument(library, { kvBudgetBytes: 10 })).toMatch(/kvBudgetBytes/);
    expect(badArgument(library, { device: 'tpu' as never })).toMatch(/device/);
    expect(badArgument(library, { theme: 'blue' as never })).toMatch(/theme/);
    expect(badArgument(library, { defaultMethod: '' })).toMatch(/defaultMethod/);
    expect(badArgument(library, { volume: 11 } as never)).toMatch(/Unknown setting "volume"/);
    expect(badArgument(library, { theme: 'dark', threads: -1 })).toMatch(/threads/);
    expect(library.getSettings()).toEqual(DEFAULT_SETTINGS);
    expect(fs.readFileSync(path.join(root, 'library.json'), 'utf8')).toBe(before);
  });

  it('resets only the invalid settings found in library.json, and says so', () => {
    const root = tempRoot();
    fs.mkdirSync(root, { recursive: true });
    const stored = { ...DEFAULT_SETTINGS, threads: 'many', theme: 'dark' };
    fs.writeFileSync(path.join(root, 'library.json'), JSON.stringify({ schema: LIBRARY_SCHEMA_VERSION, settings: stored }));
    const library = Library.open(root);
    expect(library.getSettings()).toEqual({ ...DEFAULT_SETTINGS, theme: 'dark' });
    expect(library.listProblems()).toEqual([expect.stringMatching(/"threads".*reset/)]);
    expect(Library.open(root).listProblems()).toEqual([]);
  });

  it('moves a damaged library.json aside and starts from the defaults', () => {
    const root = tempRoot();
    fs.mkdirSync(root, { recursive: true });
    fs.writeFileSync(path.join(root, 'library.json'), '{"schema": 1, "settings": {');
    const library = Library.open(root);
    expect(library.getSettings()).toEqual(DEFAULT_SETTINGS);
    expect(library.listProblems()).toEqual([expect.stringMatching(/library\.json was damaged/)]);
    const names = fs.readdirSync(root);
    expect(names.filter((n) => n.startsWith('library.json.corrupt-'))).toHaveLength(1);
  });

  it('refuses to open a library.json written by a newer Longread rather than overwrite it', () => {
    const root = tempRoot();
    fs.mkdirSync(root, { recursive: true });
    const newer = JSON.stringify({ schema: LIBRARY_SCHEMA_VERSION + 1, settings: {} });
    fs.writeFileSync(path.join(root, 'library.json'), newer);
    expect(() => Library.open(root)).toThrow(/newer than this Longread/);
    expect(fs.readFileSync(path.join(root, 'library.json'), 'utf8')).toBe(newer);
  });
});
