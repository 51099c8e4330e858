import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { loadStopTokenIds, stopTokenIds } from '../../engine/tokenizer/stop-tokens.js';
import { HAVE_STORIES, STORIES_DIR } from './fixtures.js';

describe('stopTokenIds', () => {
  it('unites a Qwen generation_config list with the tokenizer EOS, keeping its order', () => {
    expect(stopTokenIds({ eos_token_id: [151645, 151643] }, 151645)).toEqual([151645, 151643]);
  });

  it('accepts a single id, adds a different tokenizer EOS, and copes with neither', () => {
    expect(stopTokenIds({ eos_token_id: 2 }, 2)).toEqual([2]);
    expect(stopTokenIds({ eos_token_id: 128009 }, 128001)).toEqual([128009, 128001]);
    expect(stopTokenIds(undefined, 7)).toEqual([7]);
    expect(stopTokenIds({}, null)).toEqual([]);
  });

  it('rejects ids that are not ids', () => {
    expect(() => stopTokenIds({ eos_token_id: '2' }, null)).toThrow(/eos_token_id/);
    expect(() => stopTokenIds({ eos_token_id: [1, -3] }, null)).toThrow(/eos_token_id/);
  });
});

describe('loadStopTokenIds', () => {
  const dir = mkdtempSync(join(tmpdir(), 'longread-stop-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads generation_config.json, and treats a missing one as listing nothing', async () => {
    expect(await loadStopTokenIds(dir, 5)).toEqual([5]);
    writeFileSync(join(dir, 'generation_config.json'), JSON.stringify({ eos_token_id: [151645, 151643] }));
    expect(await loadStopTokenIds(dir, 151645)).toEqual([151645, 151643]);
    writeFileSync(join(dir, 'generation_config.json'), '{ not json');
    await expect(loadStopTokenIds(dir, 5)).rejects.toMatchObject({ code: 'BAD_CONFIG' });
  });

  it.skipIf(!HAVE_STORIES)('gives [2] for stories260K', async () => {
    expect(await loadStopTokenIds(STORIES_DIR, 2)).toEqual([2]);
  });
});
