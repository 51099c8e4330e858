import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { STALE_TEMP_MS, sweepStaleTempFolders } from '../../engine/graph/conversion-check.js';
import { loadModel, type LoadedModel } from '../../engine/load-model.js';
import { writeModelFolder } from '../helpers/model-folder.js';
import { expectCodedError, tempDir } from './helpers.js';

const root = tempDir('robust-convert');
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
afterEach(() => vi.restoreAllMocks());

let n = 0;
/** A tiny model folder and its own conversion cache, converted once. */
async function converted(): Promise<{ dir: string; cacheRoot: string; folder: string }> {
  const dir = await writeModelFolder(path.join(root, `m${n}`));
  const cacheRoot = path.join(root, `cache${n++}`);
  const model = await load(dir, cacheRoot);
  await model.close();
  expect(model.converted.cached).toBe(false);
  return { dir, cacheRoot, folder: model.converted.dir };
}

function load(dir: string, cacheRoot: string): Promise<LoadedModel> {
  return loadModel(dir, { device: 'cpu', weights: 'fp32', cacheRoot });
}

/** Loads again and checks the damaged conversion was redone and gives the same logits as a sound one. */
async function expectReconverted(dir: string, cacheRoot: string): Promise<void> {
  const t0 = performance.now();
  const model = await load(dir, cacheRoot);
  try {
    expect(model.converted.cached).toBe(false);
    expect(performance.now() - t0).toBeLessThan(5000);
    const logits = (await model.decoder.step(model.newCache(), [1, 2, 3])).logits;
    expect(logits.every(Number.isFinite)).toBe(true);
  } finally {
    await model.close();
  }
  const again = await load(dir, cacheRoot);
  expect(again.converted.cached).toBe(true);
  await again.close();
}

function flipByte(file: string, at: number): void {
  const bytes = fs.readFileSync(file);
  bytes[at] ^= 0xff;
  fs.writeFileSync(file, bytes);
}

describe('the conversion cache checks itself and repairs a damaged conversion once', () => {
  it('records sizes and sampled hashes in meta.json, and uses a sound conversion as is', async () => {
    const { dir, cacheRoot, folder } = await converted();
    const meta = JSON.parse(fs.readFileSync(path.join(folder, 'meta.json'), 'utf8')) as { files: Record<string, { bytes: number; sampledSha256: string }> };
    for (const f of ['model.onnx', 'model.onnx.data']) {
      expect(meta.files[f].bytes).toBe(fs.statSync(path.join(folder, f)).size);
      expect(meta.files[f].sampledSha256).toMatch(/^[0-9a-f]{64}$/);
    }
    const model = await load(dir, cacheRoot);
    expect(model.converted.cached).toBe(true);
    await model.close();
  });

  it('a corrupt meta.json', async () => {
    const { dir, cacheRoot, folder } = await converted();
    fs.writeFileSync(path.join(folder, 'meta.json'), '{"key": "abc", "weight');
    await expectReconverted(dir, cacheRoot);
  });

  it('flipped bytes in model.onnx.data', async () => {
    const { dir, cacheRoot, folder } = await converted();
    const data = path.join(folder, 'model.onnx.data');
    flipByte(data, Math.floor(fs.statSync(data).size / 2));
    await expectReconverted(dir, cacheRoot);
  });

  it('a truncated model.onnx', async () => {
    const { dir, cacheRoot, folder } = await converted();
    const file = path.join(folder, 'model.onnx');
    fs.truncateSync(file, fs.statSync(file).size - 100);
    await expectReconverted(dir, cacheRoot);
  });

  it('a truncated model.onnx.data', async () => {
    const { dir, cacheRoot, folder } = await converted();
    const file = path.join(folder, 'model.onnx.data');
    fs.truncateSync(file, fs.statSync(file).size - 1000);
    await expectReconverted(dir, cacheRoot);
  });

  it('a damaged conversion that cannot be removed is named', async () => {
    const { dir, cacheRoot, folder } = await converted();
    fs.writeFileSync(path.join(folder, 'meta.json'), 'not json');
    const rmSync = fs.rmSync;
    vi.spyOn(fs, 'rmSync').mockImplementation((p, options) => {
      if (p === folder) throw Object.assign(new Error(`EBUSY: resource busy or locked, rm '${folder}'`), { code: 'EBUSY' });
      return rmSync(p, options);
    });
    const message = await expectCodedError(() => load(dir, cacheRoot), 'CACHE_FILE', /is damaged .* could not be removed/);
    expect(message).toContain(folder);
  });
});

describe('temporary folders of killed conversions', () => {
  it('are swept when untouched for an hour; a live one is kept', async () => {
    const { dir, cacheRoot } = await converted();
    const onnx = path.join(cacheRoot, 'onnx');
    const stale = path.join(onnx, '.tmp-0123-killed');
    const live = path.join(onnx, '.tmp-4567-running');
    for (const d of [stale, live]) {
      fs.mkdirSync(d);
      fs.writeFileSync(path.join(d, 'model.onnx.data'), 'partial');
    }
    const old = new Date(Date.now() - STALE_TEMP_MS - 60_000);
    for (const p of [path.join(stale, 'model.onnx.data'), stale]) fs.utimesSync(p, old, old);
    const model = await load(dir, cacheRoot);
    await model.close();
    expect(fs.existsSync(stale)).toBe(false);
    expect(fs.existsSync(live)).toBe(true);
  });

  it('a folder with a recently written file inside is live even if the folder itself is old', () => {
    const dir = tempDir('robust-sweep');
    const tmp = path.join(dir, '.tmp-abc');
    fs.mkdirSync(tmp);
    fs.writeFileSync(path.join(tmp, 'model.onnx.data'), 'x');
    const old = new Date(Date.now() - 2 * STALE_TEMP_MS);
    fs.utimesSync(tmp, old, old);
    expect(sweepStaleTempFolders(dir)).toEqual([]);
    expect(sweepStaleTempFolders(dir, STALE_TEMP_MS, Date.now() + 2 * STALE_TEMP_MS)).toEqual([tmp]);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
