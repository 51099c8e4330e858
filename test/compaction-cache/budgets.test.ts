import { describe, expect, it } from 'vitest';
import { KvCache } from '../../engine/cache/kv-cache.js';
import { allocateBudgets, layerSchedule, paddingWaste, parseHeadProfile } from '../../engine/compaction/cache/budgets.js';

const sum = (a: Int32Array) => a.reduce((x, y) => x + y, 0);

describe('budgets', () => {
  it('uniform: round(r·T) per head, at least 1', () => {
    expect(Array.from(allocateBudgets({ kind: 'uniform' }, 0.3, 101, 2, 2))).toEqual([30, 30, 30, 30]);
    expect(Array.from(allocateBudgets({ kind: 'uniform' }, 0.001, 101, 1, 2))).toEqual([1, 1]);
    expect(() => allocateBudgets({ kind: 'uniform' }, 0, 10, 1, 1)).toThrow(/ratio/);
  });

  it('per-layer schedule: proportional to the shares, same total', () => {
    const b = allocateBudgets(layerSchedule([1, 3], 2), 0.2, 100, 2, 2);
    expect(Array.from(b)).toEqual([10, 10, 30, 30]);
  });

  it('head profile: total preserved, no head above 75% of T, each layer padded by at most 10%', () => {
    const profile = parseHeadProfile({ L0H0: 100, L0H1: 1, L1H0: 1, L1H1: 2, L2H0: 1, L2H1: 1 }, 3, 2);
    const b = allocateBudgets(profile, 0.3, 200, 3, 2);
    expect(sum(b)).toBe(360);
    expect(Math.max(...b)).toBeLessThanOrEqual(150);
    // layer 0 gets most of the budget, and its favoured head still leads it
    expect(b[0] + b[1]).toBeGreaterThan(b[2] + b[3] + b[4] + b[5]);
    expect(b[0]).toBeGreaterThan(b[1]);
    expect(b[3]).toBeGreaterThanOrEqual(b[2]);
    for (let l = 0; l < 3; l++) {
      const [x, y] = [b[2 * l], b[2 * l + 1]];
      const padding = 1 - (x + y) / (2 * Math.max(x, y));
      expect(padding).toBeLessThanOrEqual(0.1 + 1 / Math.max(x, y)); // one slot of rounding
    }
  });

  it('head profile parsing refuses missing heads, bad keys and non-positive shares', () => {
    expect(() => parseHeadProfile({ L0H0: 1 }, 1, 2)).toThrow(/no share for L0H1/);
    expect(() => parseHeadProfile({ L0H0: 1, L0H1: 1, L5H0: 1 }, 1, 2)).toThrow(/L5H0/);
    expect(() => parseHeadProfile({ L0H0: 1, layer: 1 }, 1, 2)).toThrow(/unexpected key/);
    expect(() => parseHeadProfile({ L0H0: 0, L0H1: 1 }, 1, 2)).toThrow(/positive/);
  });

  it('padding waste counts the slots a layer allocates beyond each head', () => {
    const cache = new KvCache({ numLayers: 1, numKvHeads: 2, headDim: 1 });
    cache.layers[0].append(new Uint16Array(8), new Uint16Array(8), 4, 0, 4);
    cache.layers[0].truncate(1, 1);
    expect(paddingWaste(cache)).toEqual({ allocatedSlots: 8, emptySlots: 3, fraction: 3 / 8 });
  });
});
