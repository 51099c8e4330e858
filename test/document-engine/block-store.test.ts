import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { SlotRun } from '../../engine/cache/kv-cache.js';
import { BLOCKS_FILE, BLOCKS_INDEX_FILE, BlockStore, BlockStoreWriter, type StoredBlock } from '../../engine/documents/block-store.js';
import { isLongreadError } from '../../engine/errors.js';
import { mulberry32 } from '../../engine/util/random.js';

const SHAPE = { numLayers: 2, numKvHeads: 2, headDim: 4 };
const CHUNKS = [
  { start: 3, end: 8 },
  { start: 8, end: 9 },
];

const F16_FIELDS = ['keys', 'values', 'queries', 'windowQueries', 'outputs', 'heldQueries'] as const;
const F32_FIELDS = ['bias', 'rowMax', 'mass', 'keyRms', 'columnSums', 'heldOutputs'] as const;
const I32_FIELDS = ['sources', 'queryPositions'] as const;

/** A block of random data with the given sizes; float fields span several binades, including fp16 subnormals. */
function randomBlock(seed: number, at: { chunk: number; layer: number; head: number }, dims: { T: number; n: number; windowN: number; heldN: number }): StoredBlock {
  const rand = mulberry32(seed);
  const d = SHAPE.headDim;
  const floats = (len: number) => Float32Array.from({ length: len }, () => (rand() - 0.5) * 2 ** Math.floor(rand() * 24 - 18));
  const ints = (len: number) => Int32Array.from({ length: len }, () => Math.floor((rand() - 0.5) * 2 ** 31));
  const { T, n, windowN, heldN } = dims;
  return {
    ...at,
    T,
    d,
    n,
    windowN,
    heldN,
    keys: floats(T * d),
    values: floats(T * d),
    bias: floats(T),
    sources: ints(T),
    queries: floats(n * d),
    queryPositions: ints(n),
    windowQueries: floats(windowN * d),
    rowMax: floats(n),
    mass: floats(n),
    outputs: floats(n * d),
    keyRms: floats(T),
    columnSums: floats(T),
    heldQueries: floats(heldN * d),
    heldOutputs: floats(heldN * d),
  };
}

/** One block per (chunk, layer, head) in store order, with edge sizes: T = 1, no fit queries, no held-out queries. */
function blocks(): StoredBlock[] {
  const sizes = [
    { T: 5, n: 7, windowN: 2, heldN: 1 },
    { T: 5, n: 0, windowN: 0, heldN: 0 },
    { T: 5, n: 3, windowN: 1, heldN: 0 },
    { T: 5, n: 9, windowN: 3, heldN: 2 },
    { T: 1, n: 1, windowN: 1, heldN: 0 },
    { T: 1, n: 0, windowN: 0, heldN: 1 },
    { T: 1, n: 2, windowN: 0, heldN: 0 },
    { T: 1, n: 5, windowN: 1, heldN: 3 },
  ];
  const out: StoredBlock[] = [];
  let i = 0;
  for (let chunk = 0; chunk < CHUNKS.length; chunk++) {
    for (let layer = 0; layer < SHAPE.numLayers; layer++) {
      for (let head = 0; head < SHAPE.numKvHeads; head++, i++) out.push(randomBlock(100 + i, { chunk, layer, head }, sizes[i]));
    }
  }
  return out;
}

/** fp16 keeps 11 significant bits: relative error ≤ 2⁻¹¹ for normal numbers, absolute ≤ 2⁻²⁵ for subnormals. */
function expectHalfPrecision(actual: Float32Array, expected: Float32Array, what: string) {
  expect(actual.length, what).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const tol = Math.max(Math.abs(expected[i]) * 2 ** -11, 2 ** -25);
    expect(Math.abs(actual[i] - expected[i]), `${what}[${i}]: ${actual[i]} vs ${expected[i]}`).toBeLessThanOrEqual(tol);
  }
}

function expectSameBlock(actual: StoredBlock, expected: StoredBlock) {
  const what = `block ${expected.chunk}/${expected.layer}/${expected.head}`;
  for (const k of ['chunk', 'layer', 'head', 'T', 'd', 'n', 'windowN', 'heldN'] as const) expect(actual[k], `${what} ${k}`).toBe(expected[k]);
  for (const k of I32_FIELDS) expect(actual[k], `${what} ${k}`).toEqual(expected[k]);
  for (const k of F32_FIELDS) expect(actual[k], `${what} ${k}`).toEqual(expected[k]);
  for (const k of F16_FIELDS) {
    expect(actual[k]).toBeInstanceOf(Float32Array);
    expectHalfPrecision(actual[k], expected[k], `${what} ${k}`);
  }
}

const PREFIX: SlotRun[][] = [
  [
    { keys: Float32Array.from([0.1, 0.2, 0.3, 0.4]), values: Float32Array.from([1e-30, -2, 3, 4e30]), bias: Float32Array.from([0]), sources: Int32Array.from([0]) },
    { keys: new Float32Array(0), values: new Float32Array(0), bias: new Float32Array(0), sources: new Int32Array(0) },
  ],
  [
    { keys: Float32Array.from([Math.PI, 0, 0, 1, 2, 3, 4, 5]), values: Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8]), bias: Float32Array.from([0, -0.5]), sources: Int32Array.from([0, 1]) },
    { keys: Float32Array.from([7, 7, 7, 7]), values: Float32Array.from([8, 8, 8, 8]), bias: Float32Array.from([0.25]), sources: Int32Array.from([2]) },
  ],
];

function errorOf(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  return undefined;
}

function expectCacheFileError(fn: () => unknown) {
  const e = errorOf(fn);
  expect(isLongreadError(e, 'CACHE_FILE'), String(e)).toBe(true);
  expect((e as Error).message).toMatch(/Read the document again/);
}

describe('block store', () => {
  const dirs: string[] = [];
  const tempDir = () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'longread-blocks-'));
    dirs.push(dir);
    return dir;
  };
  afterEach(() => {
    for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
  });

  function written(dir = tempDir()): { dir: string; all: StoredBlock[]; store: BlockStore } {
    const all = blocks();
    const writer = new BlockStoreWriter(dir, SHAPE, CHUNKS);
    writer.setPrefix(PREFIX);
    for (const b of all) writer.append(b);
    return { dir, all, store: writer.finish() };
  }

  it('reads back every block: int32 and fp32 fields exactly, fp16 fields within fp16 rounding, edge sizes included', () => {
    const { dir, all, store } = written();
    const reopened = BlockStore.open(dir);
    for (const s of [store, reopened]) {
      expect(s.shape).toEqual(SHAPE);
      expect(s.chunkCount).toBe(2);
      let i = 0;
      for (let c = 0; c < s.chunkCount; c++) {
        expect(s.blocksOf(c).length).toBe(4);
        for (const entry of s.blocksOf(c)) expectSameBlock(s.read(entry), all[i++]);
      }
    }
  });

  it('walks the blocks of a chunk in (layer, head) order through one handle, sync and async', async () => {
    const { all, store } = written();
    const seen: string[] = [];
    store.forEachBlock(1, (b) => seen.push(`${b.chunk}/${b.layer}/${b.head}`));
    expect(seen).toEqual(['1/0/0', '1/0/1', '1/1/0', '1/1/1']);
    const asyncSeen: StoredBlock[] = [];
    await store.forEachBlockAsync(0, async (b) => {
      await new Promise((r) => setImmediate(r));
      asyncSeen.push(b);
    });
    asyncSeen.forEach((b, i) => expectSameBlock(b, all[i]));
  });

  it('keeps the template prefix verbatim (fp32) per layer and head, and an empty run where there is none', () => {
    const { dir } = written();
    const store = BlockStore.open(dir);
    for (let l = 0; l < 2; l++) for (let h = 0; h < 2; h++) expect(store.prefixRun(l, h)).toEqual(PREFIX[l][h]);
    expect(store.prefixRun(5, 0).bias.length).toBe(0);
  });

  it('counts the bytes on disk: fp16 keys/values/queries/outputs, fp32 and int32 for the rest', () => {
    const { dir, all, store } = written();
    const expected = all.reduce((s, b) => s + 2 * b.d * (2 * b.T + b.n + b.windowN + b.n + b.heldN) + 4 * (4 * b.T + 3 * b.n) + 4 * b.heldN * b.d, 0);
    expect(store.diskBytes()).toBe(expected);
    expect(fs.statSync(path.join(dir, BLOCKS_FILE)).size).toBe(expected);
  });

  it('has no index until finish(), while snapshot() reads the blocks appended so far', () => {
    const dir = tempDir();
    const all = blocks();
    const writer = new BlockStoreWriter(dir, SHAPE, CHUNKS);
    writer.append(all[0]);
    writer.append(all[1]);
    const early = writer.snapshot();
    expect(BlockStore.exists(dir)).toBe(false);
    expect(early.blocksOf(0).length).toBe(2);
    expect(early.blocksOf(1).length).toBe(0);
    expectSameBlock(early.read(early.blocksOf(0)[1]), all[1]);
    for (const b of all.slice(2, 5)) writer.append(b);
    const later = writer.snapshot();
    expect(later.blocksOf(0).length).toBe(4);
    expect(later.blocksOf(1).length).toBe(1);
    expectSameBlock(later.read(later.blocksOf(1)[0]), all[4]);
    // The earlier snapshot still sees only what it saw.
    expect(early.blocksOf(0).length).toBe(2);
    writer.finish();
    expect(BlockStore.exists(dir)).toBe(true);
  });

  it('refuses a block whose fields are shorter than its sizes say (INTERNAL), writing nothing for it', () => {
    const dir = tempDir();
    const writer = new BlockStoreWriter(dir, SHAPE, CHUNKS);
    const b = blocks()[0];
    const e = errorOf(() => writer.append({ ...b, outputs: b.outputs.subarray(1) }));
    expect(isLongreadError(e, 'INTERNAL'), String(e)).toBe(true);
    expect(writer.finish().index.blocks.length).toBe(0);
  });

  it('refuses with CACHE_FILE a truncated blocks.bin, a missing one, a missing index and a damaged index', () => {
    const bin = (dir: string) => path.join(dir, BLOCKS_FILE);
    const idx = (dir: string) => path.join(dir, BLOCKS_INDEX_FILE);

    const truncated = written().dir;
    fs.truncateSync(bin(truncated), fs.statSync(bin(truncated)).size - 1);
    expectCacheFileError(() => BlockStore.open(truncated));

    const longer = written().dir;
    fs.appendFileSync(bin(longer), Buffer.from([0]));
    expectCacheFileError(() => BlockStore.open(longer));

    const noData = written().dir;
    fs.rmSync(bin(noData));
    expectCacheFileError(() => BlockStore.open(noData));

    expectCacheFileError(() => BlockStore.open(tempDir()));

    const badJson = written().dir;
    fs.writeFileSync(idx(badJson), fs.readFileSync(idx(badJson), 'utf8').slice(0, -10));
    expectCacheFileError(() => BlockStore.open(badJson));

    const edit = (change: (index: Record<string, unknown>) => void) => {
      const dir = written().dir;
      const index = JSON.parse(fs.readFileSync(idx(dir), 'utf8')) as Record<string, unknown>;
      change(index);
      fs.writeFileSync(idx(dir), JSON.stringify(index));
      return dir;
    };
    expectCacheFileError(() => BlockStore.open(edit((i) => (i.version = 2))));
    expectCacheFileError(() => BlockStore.open(edit((i) => delete i.shape)));
    expectCacheFileError(() => BlockStore.open(edit((i) => ((i.blocks as { T: unknown }[])[0].T = 'five'))));
    expectCacheFileError(() => BlockStore.open(edit((i) => ((i.blocks as { chunk: number }[])[0].chunk = 7))));
    expectCacheFileError(() => BlockStore.open(edit((i) => (i.extra = true))));
  });

  it('refuses with CACHE_FILE an index whose block entries disagree with their sizes, the shape or the data file', () => {
    const idx = (dir: string) => path.join(dir, BLOCKS_INDEX_FILE);
    const edit = (change: (blocks: Record<string, number>[]) => void) => {
      const { dir } = written();
      const index = JSON.parse(fs.readFileSync(idx(dir), 'utf8')) as { blocks: Record<string, number>[] };
      change(index.blocks);
      fs.writeFileSync(idx(dir), JSON.stringify(index));
      return dir;
    };
    // Each passes the schema and keeps fileBytes, so only a consistency check can see it; reading would give garbage.
    expectCacheFileError(() => BlockStore.open(edit((b) => (b[0].T = 6))));
    expectCacheFileError(() => BlockStore.open(edit((b) => (b[0].bytes -= 4))));
    expectCacheFileError(() => BlockStore.open(edit((b) => (b[7].offset += 8))));
    expectCacheFileError(() => BlockStore.open(edit((b) => (b[0].d = 8))));
    expectCacheFileError(() => BlockStore.open(edit((b) => (b[3].layer = 2))));
  });
});
