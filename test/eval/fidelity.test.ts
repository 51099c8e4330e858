import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fidelityTable } from '../../engine/cli/eval-command.js';
import { jsAttentionOps } from '../../engine/compaction/js-attention-ops.js';
import { readDocuments } from '../../engine/eval/documents.js';
import { runFidelity } from '../../engine/eval/fidelity.js';
import { parseMethodConfig } from '../../engine/eval/method-configs.js';
import { sharedAvailable, STORIES_DIR, useStoriesModel } from '../helpers/shared.js';

const available = sharedAvailable(STORIES_DIR, 'the fidelity harness on stories260K');
const STORIES = path.resolve(import.meta.dirname, '../../assets/documents/stories');

describe.skipIf(!available)('fidelity harness on stories260K', () => {
  const stories = useStoriesModel();

  it('rows are flat, ordered by method, ratio, document; ratio 1 reproduces the full cache', async () => {
    const docs = readDocuments([path.join(STORIES, 'story-04.txt'), path.join(STORIES, 'story-05.txt')]);
    const configs = ['am', 'streaming'].map(parseMethodConfig);
    const rows = await runFidelity(stories.model, docs, configs, { ratios: [1, 0.05], heldOut: 40, ops: jsAttentionOps });
    expect(rows.map((r) => `${r.method.split(':')[0]} ${r.ratio} ${r.doc}`)).toEqual([
      'am 1 story-04',
      'am 1 story-05',
      'am 0.05 story-04',
      'am 0.05 story-05',
      'streaming 1 story-04',
      'streaming 1 story-05',
      'streaming 0.05 story-04',
      'streaming 0.05 story-05',
    ]);
    for (const r of rows) {
      expect(r.heldOutTokens).toBe(40);
      expect(r.docTokens).toBe(480 - 40);
      if (r.ratio === 1) {
        expect(r.kl).toBeLessThan(1e-6);
        expect(r.top1).toBe(1);
        expect(r.ppl).toBeCloseTo(r.ppl_full, 4);
        expect(r.outputErr).toBeLessThan(1e-5);
      } else {
        expect(r.kl).toBeGreaterThan(1e-4);
        expect(r.kvBytes).toBeLessThan(r.kvBytesFull / 5);
      }
    }
    const table = fidelityTable(rows);
    expect(table.split('\n')[0]).toMatch(/^method\s+ratio\s+docs\s+kl\s+top1/);
    expect(table.trim().split('\n')).toHaveLength(1 + 4);
  });
});
