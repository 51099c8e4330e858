import { describe, expect, it } from 'vitest';
import { runBench } from '../../engine/cli/bench-command.js';
import { sharedAvailable, STORIES_DIR } from '../helpers/shared.js';

const available = sharedAvailable(STORIES_DIR, 'bench --compact-ratio on stories260K');

describe.skipIf(!available)('bench --compact-ratio', () => {
  it('reports compaction and re-compaction time, the compacted cache size and decode speed on it', async () => {
    const r = await runBench(['--model', STORIES_DIR, '--context', '300', '--weights', 'fp32', '--device', 'cpu', '--decode-tokens', '4', '--compact-ratio', '0.1', '--method', 'am:queries=context']);
    const c = r.compaction!;
    expect(c.method).toMatch(/^am:/);
    expect(c.ratio).toBe(0.1);
    expect(c.compactionMs).toBeGreaterThan(0);
    expect(c.recompactionMs).toBeGreaterThan(0);
    // position 0 stays (the sink); 299 positions → round(29.9) = 30 slots per KV head
    expect(c.cacheSlots).toBe(31);
    expect(c.kvBytes).toBeLessThan(r.kvBytes / 5);
    expect(c.decodeMsPerToken).toBeGreaterThan(0);
    expect(c.decodeSpeedup).toBeCloseTo(r.decodeMsPerToken / c.decodeMsPerToken, 6);
  });

  it('refuses --method without --compact-ratio and repeat queries on random ids', async () => {
    await expect(runBench(['--model', STORIES_DIR, '--method', 'am'])).rejects.toThrow(/--method needs --compact-ratio/);
    await expect(runBench(['--model', STORIES_DIR, '--compact-ratio', '0.1', '--method', 'am:queries=repeat'])).rejects.toThrow(/context/);
  });
});
