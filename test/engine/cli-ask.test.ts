import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'longread-ask-data-'));
const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'longread-ask-cache-'));
afterAll(() => {
  fs.rmSync(dataDir, { recursive: true, force: true });
  fs.rmSync(cacheDir, { recursive: true, force: true });
});

function longread(...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'engine/cli/main.ts', ...args], {
    cwd: ROOT,
    env: { ...process.env, LONGREAD_DATA: dataDir, LONGREAD_CACHE: cacheDir },
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('longread ask / summarize / library on the embedded demo model', () => {
  const doc = path.join(ROOT, 'assets/documents/samples/tom-and-the-kite.txt');

  it('reads a document once: the second question opens it from the library without reading', () => {
    const first = longread('ask', '--doc', doc, '--max-tokens', '20', 'Who found the kite?');
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout.trim().length).toBeGreaterThan(0);
    expect(first.stderr).toMatch(/reading with stories260K/);
    expect(first.stderr).toMatch(/read and compacted in/);
    // Progress goes to stderr as plain lines when it is not a terminal.
    expect(first.stderr).toMatch(/^reading: 100% \(\d+ tokens of \d+ tokens/m);
    expect(first.stderr).toMatch(/^Sources:/m);

    const second = longread('ask', '--doc', doc, '--max-tokens', '20', 'What color was the kite?');
    expect(second.code, second.stderr).toBe(0);
    expect(second.stderr).toMatch(/opened from the library without reading/);
    expect(second.stderr).not.toMatch(/^reading:/m);

    const list = longread('library', 'list');
    expect(list.stdout).toMatch(/tom-and-the-kite\s+\d+ tokens\s+stories260K\s+am 0\.2/);
  });

  it('summarizes, moving the ratio of a saved document without reading it again', () => {
    const r = longread('summarize', '--doc', doc, '--ratio', '0.1', '--max-tokens', '20');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/opened from the library without reading/);
    expect(r.stdout.trim().length).toBeGreaterThan(0);
    expect(longread('library', 'list').stdout).toMatch(/am 0\.1/);
  });

  it('refuses bad arguments in one line with the usage, and removes library entries', () => {
    const noQuestion = longread('ask', '--doc', doc);
    expect(noQuestion.code).toBe(2);
    expect(noQuestion.stderr).toMatch(/Ask a question/);
    const badRatio = longread('ask', '--doc', doc, '--ratio', '2', 'q');
    expect(badRatio.code).toBe(2);
    const missing = longread('ask', '--doc', path.join(dataDir, 'nope.txt'), 'q');
    expect(missing.code).toBe(1);
    expect(missing.stderr.trim().split('\n').at(-1)).toMatch(/nope\.txt/);
    const id = /^(\S+)\s+tom-and-the-kite/m.exec(longread('library', 'list').stdout)![1];
    const rm = longread('library', 'rm', id);
    expect(rm.stdout).toMatch(/removed .* MiB freed/);
    expect(longread('library', 'list').stdout).toMatch(/empty/);
  });
});
