import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChunkBlock } from '../../engine/compaction/cache/blocks.js';
import { jsAttentionOps as ops } from '../../engine/compaction/js-attention-ops.js';
import { createMethod } from '../../engine/compaction/registry.js';
import { BlockStore, BlockStoreWriter, type StoredBlock } from '../../engine/documents/block-store.js';
import { addTally, compactStoredChunk, emptyTally, fidelityOf } from '../../engine/documents/compact-stored.js';
import { compactionMethod } from '../../engine/documents/methods.js';
import { HELD_OUT_EVERY, prepareBlock } from '../../engine/documents/prepare-blocks.js';
import { mulberry32 } from '../../engine/util/random.js';

const D = 8;
const T = 40;
const SHAPE = { numLayers: 2, numKvHeads: 2, headDim: D };
const CHUNK = { index: 0, start: 10, end: 10 + T };

function chunkBlock(seed: number, n: number): ChunkBlock {
  const rand = mulberry32(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  const floats = (len: number, s = 1) => Float32Array.from({ length: len }, () => s * gauss());
  return {
    chunk: CHUNK,
    from: 1,
    to: 1 + T,
    sources: Int32Array.from({ length: T }, (_, i) => CHUNK.start + i),
    block: {
      T,
      d: D,
      keys: floats(T * D, 1.5),
      values: floats(T * D),
      bias: Float32Array.from({ length: T }, (_, i) => (i % 5 === 0 ? -0.5 : 0)),
      queries: floats(n * D, 1.5),
      n,
      scale: 1 / Math.sqrt(D),
      queryPositions: Int32Array.from({ length: n }, (_, i) => (i % 3 === 0 ? -1 : i % T)),
      windowQueries: floats(2 * D),
      windowN: 2,
    },
  };
}

/** Attention of one query over a block, in float64: row max, mass relative to it, and the output. */
function attend(q: Float32Array, keys: Float32Array, values: Float32Array, bias: Float32Array, scale: number) {
  const t = bias.length;
  const s = Array.from({ length: t }, (_, j) => {
    let dot = 0;
    for (let k = 0; k < D; k++) dot += q[k] * keys[j * D + k];
    return dot * scale + bias[j];
  });
  const max = Math.max(...s);
  const w = s.map((x) => Math.exp(x - max));
  const mass = w.reduce((a, b) => a + b, 0);
  const out = new Float64Array(D);
  for (let j = 0; j < t; j++) for (let k = 0; k < D; k++) out[k] += (w[j] / mass) * values[j * D + k];
  return { max, mass, out };
}

const row = (m: Float32Array, i: number) => m.subarray(i * D, (i + 1) * D);

describe('prepared blocks and compaction from the store', () => {
  let dir: string;
  let store: BlockStore;
  let written: StoredBlock[];
  const source = new Map<string, ChunkBlock>();

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'longread-compact-stored-'));
    const writer = new BlockStoreWriter(dir, SHAPE, [CHUNK]);
    written = [];
    for (let l = 0; l < 2; l++) {
      for (let h = 0; h < 2; h++) {
        const cb = chunkBlock(10 * l + h + 1, 64);
        source.set(`${l}/${h}`, cb);
        const b = await prepareBlock(cb, l, h, 0, ops);
        written.push(b);
        writer.append(b);
      }
    }
    store = writer.finish();
  });
  afterAll(async () => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it(`holds out every ${HELD_OUT_EVERY}th reference query and keeps the rest, with their positions, for the fits`, () => {
    const b = written[0];
    const cb = source.get('0/0')!;
    expect(b.n).toBe(64 - 64 / HELD_OUT_EVERY);
    expect(b.heldN).toBe(64 / HELD_OUT_EVERY);
    const fitRows = Array.from({ length: 64 }, (_, i) => i).filter((i) => i % HELD_OUT_EVERY !== HELD_OUT_EVERY - 1);
    fitRows.forEach((r, i) => expect(row(b.queries, i)).toEqual(row(cb.block.queries, r)));
    expect(Array.from(b.queryPositions)).toEqual(fitRows.map((r) => cb.block.queryPositions![r]));
    for (let i = 0; i < b.heldN; i++) expect(row(b.heldQueries, i)).toEqual(row(cb.block.queries, i * HELD_OUT_EVERY + HELD_OUT_EVERY - 1));
    expect(b.sources).toEqual(cb.sources);
    expect(b.windowN).toBe(2);
  });

  it('stores the true targets of the fitted queries and the true outputs of the held-out ones', () => {
    const b = written[1];
    const cb = source.get('0/1')!.block;
    for (let i = 0; i < b.n; i++) {
      const a = attend(row(b.queries, i), cb.keys, cb.values, cb.bias, cb.scale);
      expect(b.rowMax[i]).toBeCloseTo(a.max, 4);
      expect(b.mass[i] / a.mass).toBeCloseTo(1, 4);
      for (let k = 0; k < D; k++) expect(b.outputs[i * D + k]).toBeCloseTo(a.out[k], 4);
    }
    for (let i = 0; i < b.heldN; i++) {
      const a = attend(row(b.heldQueries, i), cb.keys, cb.values, cb.bias, cb.scale);
      for (let k = 0; k < D; k++) expect(b.heldOutputs[i * D + k]).toBeCloseTo(a.out[k], 4);
    }
  });

  it('prepares a block with few or no queries: no held-out rows below 8, empty targets with none', async () => {
    const few = await prepareBlock(chunkBlock(3, 5), 0, 0, 0, ops);
    expect(few.n).toBe(5);
    expect(few.heldN).toBe(0);
    expect(few.heldOutputs.length).toBe(0);
    const none = await prepareBlock(chunkBlock(4, 0), 0, 0, 0, ops);
    expect([none.n, none.heldN, none.rowMax.length, none.outputs.length]).toEqual([0, 0, 0, 0]);
    expect(none.keyRms).toEqual(new Float32Array(T));
  });

  it('at ratio 1 keeps every stored slot as read back, with zero held-out error', async () => {
    const r = await compactStoredChunk(store, 0, { method: compactionMethod('am'), ratio: 1, ops });
    let i = 0;
    for (let l = 0; l < 2; l++) {
      for (let h = 0; h < 2; h++) {
        const back = store.read(store.blocksOf(0)[i++]);
        expect(r.runs[l][h].keys).toEqual(back.keys);
        expect(r.runs[l][h].values).toEqual(back.values);
        expect(r.runs[l][h].bias).toEqual(back.bias);
        expect(r.runs[l][h].sources).toEqual(back.sources);
      }
    }
    expect(r.fidelity.queries).toBe(4 * 8);
    expect(fidelityOf(r.fidelity)).toEqual({ outputError: 0, agreement: 1 });
  });

  it('at a lower ratio every head keeps round(ratio·T) slots with ascending document sources, and the error grows as it shrinks', async () => {
    const errors: number[] = [];
    for (const ratio of [0.5, 0.25, 0.1]) {
      const r = await compactStoredChunk(store, 0, { method: compactionMethod('am'), ratio, ops });
      for (let l = 0; l < 2; l++) {
        for (let h = 0; h < 2; h++) {
          const run = r.runs[l][h];
          expect(run.bias.length, `${ratio} L${l}H${h}`).toBe(Math.round(ratio * T));
          expect(run.keys.length).toBe(run.bias.length * D);
          for (let s = 0; s < run.sources.length; s++) {
            expect(run.sources[s]).toBeGreaterThanOrEqual(CHUNK.start);
            expect(run.sources[s]).toBeLessThan(CHUNK.end);
            if (s > 0) expect(run.sources[s]).toBeGreaterThan(run.sources[s - 1]);
          }
        }
      }
      const f = fidelityOf(r.fidelity);
      expect(f.outputError).toBeGreaterThan(0);
      expect(f.agreement).toBeLessThanOrEqual(1);
      errors.push(f.outputError);
    }
    expect(errors[1]).toBeGreaterThan(errors[0]);
    expect(errors[2]).toBeGreaterThan(errors[1]);
  });

  it('compacts with methods that do not reuse the stored targets too (snapkv, h2o)', async () => {
    for (const method of [compactionMethod('snapkv'), compactionMethod('h2o'), createMethod('am', { betaMode: 'off', values: 'copy' })]) {
      const r = await compactStoredChunk(store, 0, { method, ratio: 0.25, ops, seed: 1 });
      for (let l = 0; l < 2; l++) for (let h = 0; h < 2; h++) expect(r.runs[l][h].bias.length).toBe(10);
      expect(r.fidelity.queries).toBe(32);
    }
  });

  it('starts am and am-omp from the stored targets, as the same prepared state a fresh preparation gives', async () => {
    for (const method of [compactionMethod('am'), compactionMethod('am-omp')]) {
      const r = await compactStoredChunk(store, 0, { method, ratio: 0.25, ops });
      const b = store.read(store.blocksOf(0)[0]);
      const endsSpan = store.chunkCount === 1; // the last chunk keeps the end of the document
      const block = { T: b.T, d: b.d, keys: b.keys, values: b.values, bias: b.bias, queries: b.queries, n: b.n, scale: 1 / Math.sqrt(b.d), endsSpan };
      const fresh = await method.compact(block, 10, { ops });
      expect(r.runs[0][0].sources, method.name).toEqual(Int32Array.from(fresh.indices, (j) => b.sources[j]));
    }
  });

  it('compacts only the sampled heads when asked, and tallies only their held-out queries', async () => {
    const r = await compactStoredChunk(store, 0, { method: compactionMethod('am'), ratio: 0.25, ops, sample: (l, h) => l === 1 && h === 0 });
    expect(r.runs[1][0].bias.length).toBe(10);
    expect(r.runs[0][0]).toBeUndefined();
    expect(r.fidelity.queries).toBe(8);
  });

  it('adds tallies and turns them into a relative error and a mean agreement', () => {
    const t = addTally({ errorSq: 1, normSq: 16, cosine: 1.8, queries: 2 }, { errorSq: 3, normSq: 48, cosine: 0.6, queries: 1 });
    expect(t).toEqual({ errorSq: 4, normSq: 64, cosine: 2.4, queries: 3 });
    expect(fidelityOf(t).outputError).toBeCloseTo(0.25, 12);
    expect(fidelityOf(t).agreement).toBeCloseTo(0.8, 12);
    expect(fidelityOf(emptyTally())).toEqual({ outputError: 0, agreement: 1 });
  });
});
