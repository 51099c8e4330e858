import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { aggregateTrace, runProfileDecode } from '../../engine/cli/profile-decode-command.js';
import { sharedAvailable, STORIES_DIR } from '../helpers/shared.js';

const available = sharedAvailable(STORIES_DIR, 'the profile-decode test');

describe('profile-decode', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'longread-profile-test-'));
  const cache = process.env.LONGREAD_CACHE;
  process.env.LONGREAD_CACHE = path.join(root, 'cache');
  afterAll(() => {
    if (cache === undefined) delete process.env.LONGREAD_CACHE;
    else process.env.LONGREAD_CACHE = cache;
    fs.rmSync(root, { recursive: true, force: true });
  });

  it.skipIf(!available)('breaks stories260K decode steps down per op type, shares summing to 1', async () => {
    const trace = path.join(root, 'trace.json');
    const r = await runProfileDecode(['--model', STORIES_DIR, '--depths', '16,80', '--steps', '3', '--chunk', '16', '--threads', '1', '--trace', trace]);
    expect(r.executionProvider).toBe('cpu');
    expect(r.weights).toBe('q4');
    expect(r.depths.map((d) => d.depth)).toEqual([16, 80]);
    for (const d of r.depths) {
      expect(d.steps).toBe(3);
      expect(d.pastSlots).toBeGreaterThan(d.depth);
      expect(d.kernelMs).toBeGreaterThan(0);
      expect(d.runMs).toBeGreaterThanOrEqual(d.kernelMs);
      const ops = d.ops.map((o) => o.op);
      expect(new Set(ops).size).toBe(ops.length);
      // the layers' q4 projections, the cache read in the decode branch of attention, the norms
      for (const op of ['MatMulNBits', 'If', 'Softmax', 'SimplifiedLayerNormalization']) expect(ops).toContain(op);
      // 5 layers × (qkv, o, gate, up, down) + the LM head
      expect(d.ops.find((o) => o.op === 'MatMulNBits')!.calls).toBe(26);
      const sum = d.ops.reduce((a, o) => a + o.share, 0);
      expect(sum).toBeCloseTo(1, 6);
      expect(d.ops.reduce((a, o) => a + o.ms, 0)).toBeCloseTo(d.kernelMs, 6);
      for (const o of d.ops) expect(o.share).toBeGreaterThanOrEqual(0);
      expect(d.topNodes.length).toBeGreaterThan(0);
    }
    expect(JSON.parse(fs.readFileSync(trace, 'utf8')).length).toBeGreaterThan(0);
  });

  it('counts a node that runs a subgraph for its own time only', () => {
    const node = (name: string, op: string, ts: number, dur: number) => ({ cat: 'Node', name: `${name}_kernel_time`, ts, dur, args: { op_name: op } });
    const events = [
      { cat: 'Session', name: 'model_run', ts: 0, dur: 100 },
      node('a', 'MatMulNBits', 1, 30),
      node('if', 'If', 40, 50),
      node('s', 'Softmax', 45, 20),
      node('m', 'MatMul', 70, 10),
      node('late', 'MatMul', 200, 10), // outside the run window
    ];
    const r = aggregateTrace(events, [{ ts: 0, dur: 100 }]);
    expect(Object.fromEntries(r.ops.map((o) => [o.op, o.ms * 1000]))).toEqual({ MatMulNBits: 30, Softmax: 20, If: 20, MatMul: 10 });
    expect(r.kernelMs).toBeCloseTo(0.08, 9);
    expect(r.runMs).toBeCloseTo(0.1, 9);
  });
});
