import { beforeAll, describe, expect, it } from 'vitest';

import { loadTokenizer, type TextTokenizer } from '../../engine/tokenizer/tokenizer.js';
import { HAVE_STORIES, readStoriesGolden, STORIES_DIR, type StoriesGolden } from './fixtures.js';

describe.skipIf(!HAVE_STORIES)('stories260K tokenizer', () => {
  let tok: TextTokenizer;
  let golden: StoriesGolden;
  beforeAll(async () => {
    tok = await loadTokenizer(STORIES_DIR);
    golden = readStoriesGolden();
  });

  it('reads the special tokens and vocabulary size', () => {
    expect(tok.vocabSize).toBe(512);
    expect(tok.bosToken).toBe('<s>');
    expect(tok.eosToken).toBe('</s>');
    expect(tok.bosTokenId).toBe(1);
    expect(tok.eosTokenId).toBe(2);
    expect([...tok.specialTokenIds].sort()).toEqual([0, 1, 2]);
    expect(tok.tokenToId('▁Once')).toBe(403);
    expect(tok.idToToken(410)).toBe('▁');
    expect(tok.idToToken(5000)).toBeUndefined();
  });

  it('encodes "Zoo" as llama2.c does', () => {
    expect(tok.encode('Zoo', { addSpecialTokens: true })).toEqual([1, 410, 469, 347]);
    expect(tok.encode('Zoo', { addSpecialTokens: false })).toEqual([410, 469, 347]);
  });

  it('encodes every golden example to the expected ids and decodes it back', () => {
    expect(golden.encode_examples).toHaveLength(15);
    for (const { text, ids } of golden.encode_examples) {
      expect(tok.encode(text, { addSpecialTokens: true }), JSON.stringify(text)).toEqual(ids);
      expect(tok.decode(ids, { skipSpecialTokens: true }), JSON.stringify(text)).toBe(text);
    }
  });

  it('decodes the golden greedy generations to the golden texts', () => {
    const fromBos = golden.greedy_from_bos;
    expect(tok.decode([...fromBos.input_ids, ...fromBos.generated_ids], { skipSpecialTokens: true })).toBe(fromBos.text);
    const afterPrompt = golden.greedy_after_prompt;
    expect(tok.encode(afterPrompt.prompt, { addSpecialTokens: true })).toEqual(afterPrompt.input_ids);
    expect(tok.decode([...afterPrompt.input_ids, ...afterPrompt.generated_ids], { skipSpecialTokens: true })).toBe(afterPrompt.text);
  });

  it('keeps or drops special tokens on request, and does not clean up spaces', () => {
    expect(tok.decode([1, 403, 407, 2], { skipSpecialTokens: false })).toBe('<s> Once upon</s>');
    expect(tok.decode([1, 403, 407, 2], { skipSpecialTokens: true })).toBe('Once upon');
    // 426 is "." : the library's default clean-up would turn " ." into ".".
    expect(tok.decode([403, 410, 426], { skipSpecialTokens: true })).toBe('Once .');
  });

  it('decodes an empty list and unknown ids to nothing, and rejects non-ids', () => {
    expect(tok.decode([], { skipSpecialTokens: true })).toBe('');
    expect(tok.decode([403, 99_999], { skipSpecialTokens: true })).toBe('Once');
    expect(() => tok.decode([1.5], { skipSpecialTokens: true })).toThrow(/non-negative integers/);
    expect(() => tok.decode([-1], { skipSpecialTokens: true })).toThrow(/non-negative integers/);
  });
});
