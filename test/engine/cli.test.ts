import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { writeModelFolder } from '../helpers/model-folder.js';
import { readStoriesGolden, sharedAvailable, STORIES_DIR } from '../helpers/shared.js';

const run = promisify(execFile);
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'longread-cli-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

/** Runs the CLI from source, with its own conversion cache. */
function longread(args: string[]) {
  return run(process.execPath, ['--import', 'tsx', 'engine/cli/main.ts', ...args], {
    env: { ...process.env, LONGREAD_CACHE: path.join(root, 'cache') },
    timeout: 120_000,
  });
}

describe('longread CLI', () => {
  it.skipIf(!sharedAvailable(STORIES_DIR, 'the CLI generate test'))('generate prints only the generated text', async () => {
    const golden = readStoriesGolden().greedy_after_prompt;
    const { stdout, stderr } = await longread(['generate', '--model', STORIES_DIR, '--prompt', 'Zoo', '--raw', '--weights', 'fp32', '--max-tokens', '60']);
    expect('Zoo' + stdout.replace(/\n$/, '')).toBe(golden.text);
    // With --device auto, stderr says in one line which provider ran and why the others did not.
    expect(stderr.trim().split('\n')).toEqual([expect.stringMatching(/^execution provider: cpu \(.+\)$/)]);
  });

  it('bench --json prints one JSON object with the documented fields', async () => {
    const dir = await writeModelFolder(path.join(root, 'm'));
    const { stdout } = await longread(['bench', '--model', dir, '--context', '40', '--decode-tokens', '4', '--chunk', '16', '--json', '--device', 'cpu']);
    const r = JSON.parse(stdout) as Record<string, number | string>;
    expect(r.executionProvider).toBe('cpu');
    expect(r.providerAttempts).toEqual([{ provider: 'cpu', used: true }]);
    expect(r.contextTokens).toBe(40);
    for (const k of ['prefillTokensPerSec', 'decodeMsPerToken', 'kvBytes', 'peakRssBytes']) expect(r[k]).toBeGreaterThan(0);
    expect(r.kvDtype).toBe('fp16');
    // 2 layers × 2 (K,V) × 2 KV heads × 8 dims × 2 bytes + a 4-byte bias per slot per head = 144 bytes per token
    expect(r.kvBytes).toBe(44 * (2 * 2 * 2 * 8 * 2 + 2 * 2 * 4));
  });

  it('bad arguments exit with code 2 and a message naming the option', async () => {
    const e = (await longread(['generate', '--model', root, '--prompt', 'x', '--temperature', 'hot']).catch((err: unknown) => err)) as {
      code: number;
      stderr: string;
    };
    expect(e.code).toBe(2);
    expect(e.stderr).toContain('--temperature');
    const u = (await longread(['frobnicate']).catch((err: unknown) => err)) as { code: number; stderr: string };
    expect(u.code).toBe(2);
    expect(u.stderr).toContain('Unknown command');
  });

  it('a folder that is not a model fails with exit code 1 and says what a model folder needs', async () => {
    const e = (await longread(['generate', '--model', root, '--prompt', 'x']).catch((err: unknown) => err)) as { code: number; stderr: string };
    expect(e.code).toBe(1);
    expect(e.stderr).toContain('config.json');
  });
});

describe('longread download', () => {
  it('downloads a model folder from a hub endpoint and prints its path', async () => {
    const { startFakeHub } = await import('../model/hub-server.js');
    const src = await writeModelFolder(path.join(root, 'hub-src'));
    const files = Object.fromEntries(
      ['config.json', 'tokenizer.json', 'model.safetensors'].map((f) => [f, { content: fs.readFileSync(path.join(src, f)), lfs: f.endsWith('.safetensors') }]),
    );
    const hub = await startFakeHub('acme/tiny', files);
    try {
      const dir = path.join(root, 'downloaded');
      const { stdout } = await longread(['download', '--repo', 'acme/tiny', '--endpoint', hub.endpoint, '--dir', dir, '--quiet']);
      expect(stdout.trim()).toBe(dir);
      for (const f of Object.keys(files)) expect(fs.readFileSync(path.join(dir, f)).equals(files[f].content)).toBe(true);
    } finally {
      await hub.close();
    }
  });
});
