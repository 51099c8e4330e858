import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { allocateBudgets, parseHeadProfile } from '../../engine/compaction/cache/budgets.js';
import { jsAttentionOps } from '../../engine/compaction/js-attention-ops.js';
import { readDocuments } from '../../engine/eval/documents.js';
import { instantiate, parseMethodConfig } from '../../engine/eval/method-configs.js';
import { profileHeads } from '../../engine/eval/profile-heads.js';
import { sharedAvailable, STORIES_DIR, useStoriesModel } from '../helpers/shared.js';

const available = sharedAvailable(STORIES_DIR, 'profile-heads on stories260K');
const STORIES = path.resolve(import.meta.dirname, '../../assets/documents/stories');

describe.skipIf(!available)('profileHeads', () => {
  const stories = useStoriesModel();

  it('shares follow sensitivity, greedy swaps only ever lower the calibration NLL, and the profile is usable', async () => {
    const config = parseMethodConfig('am');
    const docs = readDocuments([path.join(STORIES, 'story-06.txt')]);
    const { profile, sensitivity, nll, swaps } = await profileHeads(stories.model, docs, { ratio: 0.1, method: instantiate(config), ops: jsAttentionOps, queries: config.queries, continuation: 12, swaps: 2 });
    const keys = Object.keys(profile);
    expect(keys).toHaveLength(20);
    expect(keys.every((k) => Number.isFinite(sensitivity[k]) && profile[k] >= 0.25)).toBe(true);
    expect(Object.values(profile).reduce((a, b) => a + b, 0) / 20).toBeCloseTo(1, 6);
    expect(nll.final).toBeLessThanOrEqual(nll.proportional);
    if (swaps.length) expect(nll.final).toBeLessThan(nll.proportional);
    else expect(nll.final).toBe(nll.proportional);
    const bySensitivity = [...keys].sort((a, b) => sensitivity[a] - sensitivity[b]);
    expect(profile[bySensitivity[19]]).toBeGreaterThan(profile[bySensitivity[0]]);
    const budgets = allocateBudgets(parseHeadProfile(profile, 5, 4), 0.1, 380, 5, 4);
    expect(budgets.reduce((a, b) => a + b, 0)).toBe(20 * 38);
  });
});
