import { execFile, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { isLongreadError, type ErrorCode } from '../../engine/errors.js';

/** What the issue asks of every broken input: a coded error within 5 s and under 500 MB. */
export const TIME_LIMIT_MS = 5000;
export const MEMORY_LIMIT_MB = 500;

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.resolve(HERE, '../..');

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `longread-${prefix}-`));
}

export function editJson(file: string, edit: (json: Record<string, unknown>) => void): void {
  const json = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
  edit(json);
  fs.writeFileSync(file, JSON.stringify(json));
}

/** Replaces a file of a model folder with a FIFO, a symlink to a device, or a folder. */
export function replaceWith(file: string, kind: 'fifo' | 'dev-zero' | 'folder'): void {
  fs.rmSync(file, { recursive: true, force: true });
  if (kind === 'folder') fs.mkdirSync(file);
  else if (kind === 'dev-zero') fs.symlinkSync('/dev/zero', file);
  else mkfifo(file);
}

/** Node has no mkfifo; the coreutils one is there wherever FIFOs are (the callers skip on Windows). */
function mkfifo(file: string): void {
  const r = spawnSync('mkfifo', [file]);
  if (r.status !== 0) throw new Error(`mkfifo failed: ${String(r.stderr)}`);
}

export const POSIX = process.platform !== 'win32';

export interface CaseOutcome {
  ok?: boolean;
  code?: ErrorCode | null;
  name?: string;
  message?: string;
  ms?: number;
  maxRssMB?: number;
  /** Set when the child did not report: it crashed, hung (killed) or printed something else. */
  failure?: string;
}

/**
 * Runs one case in a child process (test/robustness/isolated-case.ts), so that a case that would hang in open(),
 * exhaust the heap or crash natively fails its test instead of taking the test runner down. The child measures its
 * own time (from before the load) and peak memory.
 */
export function runIsolated(kind: 'model' | 'lrkv' | 'template', target: string, env: Record<string, string> = {}): Promise<CaseOutcome> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', path.join(HERE, 'isolated-case.ts'), kind, target],
      { cwd: REPO, env: { ...process.env, ...env }, timeout: 60_000, killSignal: 'SIGKILL', maxBuffer: 1 << 20 },
      (error, stdout, stderr) => {
        try {
          resolve(JSON.parse(stdout) as CaseOutcome);
        } catch {
          const why = error ? `exit ${error.code ?? ''} signal ${error.signal ?? ''}${error.killed ? ' (killed after 60 s)' : ''}` : 'no JSON';
          resolve({ failure: `${why}; stderr: ${stderr.slice(-500)}` });
        }
      },
    );
  });
}

/** A coded LongreadError (one line), within the time and memory limits. */
export function expectCodedOutcome(outcome: CaseOutcome, code: ErrorCode, fragment?: string | RegExp): void {
  expect(outcome.failure).toBeUndefined();
  expect(outcome.name).toBe('LongreadError');
  expect(outcome.code).toBe(code);
  expect(outcome.message).not.toContain('\n');
  if (fragment) expect(outcome.message).toMatch(fragment);
  expect(outcome.ms).toBeLessThan(TIME_LIMIT_MS);
  expect(outcome.maxRssMB).toBeLessThan(MEMORY_LIMIT_MB);
}

/** Runs `fn` in this process and checks it fails with `code` within the limits (peak memory growth measured). */
export async function expectCodedError(fn: () => unknown, code: ErrorCode, fragment?: string | RegExp): Promise<string> {
  const rss0 = process.resourceUsage().maxRSS;
  const t0 = performance.now();
  let caught: unknown;
  try {
    await fn();
  } catch (e) {
    caught = e;
  }
  const ms = performance.now() - t0;
  if (!isLongreadError(caught)) throw new Error(`expected a LongreadError ${code}, got ${caught instanceof Error ? (caught.stack ?? caught.message) : String(caught)}`);
  expect(caught.code).toBe(code);
  expect(caught.message).not.toContain('\n');
  if (fragment) expect(caught.message).toMatch(fragment);
  expect(ms).toBeLessThan(TIME_LIMIT_MS);
  expect((process.resourceUsage().maxRSS - rss0) / 1024).toBeLessThan(MEMORY_LIMIT_MB);
  return caught.message;
}
