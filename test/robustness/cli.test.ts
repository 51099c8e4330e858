import { execFile, type ExecFileException } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeModelFolder } from '../helpers/model-folder.js';
import { sharedAvailable, STORIES_DIR } from '../helpers/shared.js';
import { tempDir } from './helpers.js';

const root = tempDir('robust-cli');
const home = path.join(root, 'home');
fs.mkdirSync(home);
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

interface CliRun {
  code: number;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  pid: number;
}

/** Runs the CLI from source with a private HOME and conversion cache, optionally feeding stdin. */
function longread(args: string[], stdin?: string): Promise<CliRun> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      ['--import', 'tsx', 'engine/cli/main.ts', ...args],
      { env: { ...process.env, HOME: home, XDG_CACHE_HOME: '', LONGREAD_CACHE: path.join(root, 'cache') }, timeout: 120_000, maxBuffer: 1 << 24 },
      (error: ExecFileException | null, stdout, stderr) =>
        resolve({ code: typeof error?.code === 'number' ? error.code : 0, signal: error?.signal ?? null, stdout, stderr, pid: child.pid! }),
    );
    child.stdin!.end(stdin ?? '');
  });
}

let tiny: string;
const tinyModel = async () => (tiny ??= await writeModelFolder(path.join(root, 'tiny')));
const ONE_CODED_LINE = /^longread generate: \[[A-Z_]+\] [^\n]+\n$/;

describe('a long prompt through the CLI', () => {
  it.skipIf(!sharedAvailable(STORIES_DIR, 'the 40 kB prompt test on stories260K'))(
    'a 40 kB prompt exits 1 with CONTEXT_TOO_LONG on stories260K and leaves no telemetry files',
    async () => {
      const r = await longread(['generate', '--model', STORIES_DIR, '--prompt', 'a '.repeat(20_000), '--weights', 'fp32', '--device', 'cpu']);
      expect(r.signal).toBeNull();
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(ONE_CODED_LINE);
      expect(r.stderr).toContain('[CONTEXT_TOO_LONG]');
      expect(fs.existsSync(path.join(home, '.cache', 'Microsoft'))).toBe(false);
      expect(fs.existsSync(`/tmp/mat-debug-${r.pid}.log`)).toBe(false);
    },
  );

  it('the same on a tiny model, which needs no shared files', async () => {
    const r = await longread(['generate', '--model', await tinyModel(), '--prompt', 'a '.repeat(20_000), '--device', 'cpu']);
    expect(r.signal).toBeNull();
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(ONE_CODED_LINE);
    expect(r.stderr).toContain('[CONTEXT_TOO_LONG]');
    expect(fs.readdirSync(home)).toEqual([]);
    expect(fs.existsSync(`/tmp/mat-debug-${r.pid}.log`)).toBe(false);
  });

  it('--prompt-file takes prompts longer than a command line can carry', async () => {
    const file = path.join(root, 'long-prompt.txt');
    fs.writeFileSync(file, 'b '.repeat(150_000));
    const r = await longread(['generate', '--model', await tinyModel(), '--prompt-file', file, '--device', 'cpu']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^longread generate: \[CONTEXT_TOO_LONG\] The prompt needs 30000\d positions/);
  });

  it('--prompt-file - reads the prompt from stdin, exactly as --prompt would give it', async () => {
    const model = await tinyModel();
    const args = ['generate', '--model', model, '--raw', '--max-tokens', '5', '--device', 'cpu'];
    const fromArg = await longread([...args, '--prompt', 'Zoo']);
    const fromStdin = await longread([...args, '--prompt-file', '-'], 'Zoo');
    expect(fromArg.code).toBe(0);
    expect(fromStdin.code).toBe(0);
    expect(fromStdin.stdout).toBe(fromArg.stdout);
  });
});

describe('errors are one coded line; the stack only with --verbose', () => {
  it('a broken model folder', async () => {
    const dir = await writeModelFolder(path.join(root, 'broken'));
    fs.rmSync(path.join(dir, 'model.safetensors'));
    fs.mkdirSync(path.join(dir, 'model.safetensors'));
    const quiet = await longread(['generate', '--model', dir, '--prompt', 'x']);
    expect(quiet.code).toBe(1);
    expect(quiet.stderr).toMatch(ONE_CODED_LINE);
    expect(quiet.stderr).toContain('[MISSING_FILE]');
    expect(quiet.stderr).not.toMatch(/\n\s+at /);
    const verbose = await longread(['generate', '--model', dir, '--prompt', 'x', '--verbose']);
    expect(verbose.code).toBe(1);
    expect(verbose.stderr.split('\n')[0]).toBe(quiet.stderr.trimEnd());
    expect(verbose.stderr).toMatch(/\n\s+at /);
  });

  it('both --prompt and --prompt-file is a bad argument (exit 2)', async () => {
    const r = await longread(['generate', '--model', await tinyModel(), '--prompt', 'x', '--prompt-file', '-']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('longread generate: [BAD_ARGUMENT] Give either --prompt or --prompt-file, not both.\n');
  });
});
