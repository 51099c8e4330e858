import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LongreadError } from '../../engine/errors.js';
import { loadModel } from '../../engine/load-model.js';
import { writeModelFolder } from '../helpers/model-folder.js';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'longread-convert-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

describe('conversion cache', () => {
  it('converts once with progress, then loads from the cache; other options or weights convert again', async () => {
    const dir = await writeModelFolder(path.join(root, 'm'));
    const cacheRoot = path.join(root, 'cache');
    const progress: number[] = [];
    const first = await loadModel(dir, { device: 'cpu', cacheRoot, onProgress: (p) => progress.push(p.layersDone) });
    expect(first.converted.cached).toBe(false);
    expect(progress).toEqual([1, 2]);
    await first.close();

    const again: number[] = [];
    const second = await loadModel(dir, { device: 'cpu', cacheRoot, onProgress: (p) => again.push(p.layersDone) });
    expect(second.converted.cached).toBe(true);
    expect(second.converted.dir).toBe(first.converted.dir);
    expect(again).toEqual([]);
    await second.close();

    const fp32 = await loadModel(dir, { device: 'cpu', cacheRoot, weights: 'fp32' });
    expect(fp32.converted.cached).toBe(false);
    expect(fp32.converted.dir).not.toBe(first.converted.dir);
    await fp32.close();

    // new weights in the same folder: a new fingerprint, so a new conversion
    await writeModelFolder(dir, undefined, (ts) => ts.map((t) => (t.name === 'model.norm.weight' ? { ...t, data: new Float32Array(32).fill(0.5) } : t)));
    const changed = await loadModel(dir, { device: 'cpu', cacheRoot });
    expect(changed.converted.cached).toBe(false);
    await changed.close();
  });
});

describe('execution providers', () => {
  it("'auto' ends on a working provider and records why each skipped one was skipped", async () => {
    const dir = await writeModelFolder(path.join(root, 'auto'));
    const model = await loadModel(dir, { device: 'auto', cacheRoot: path.join(root, 'cache2') });
    try {
      const used = model.providerAttempts.filter((a) => a.used);
      expect(used.map((a) => a.provider)).toEqual([model.executionProvider]);
      for (const a of model.providerAttempts.filter((x) => !x.used)) expect(a.reason).toBeTruthy();
      if (process.platform === 'linux') expect(model.providerAttempts.find((a) => a.provider === 'cuda')?.reason).toMatch(/CUDA/);
    } finally {
      await model.close();
    }
  });

  it('a forced provider that cannot work is an error that says why', async () => {
    const dir = await writeModelFolder(path.join(root, 'forced'));
    const forced = process.platform === 'darwin' ? 'dml' : 'coreml';
    const e = await loadModel(dir, { device: forced, cacheRoot: path.join(root, 'cache3') }).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(LongreadError);
    expect((e as LongreadError).code).toBe('EXECUTION_PROVIDER');
    expect((e as LongreadError).message).toMatch(forced === 'coreml' ? /only on macOS/ : /only on Windows/);
  });
});
