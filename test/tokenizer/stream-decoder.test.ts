import { beforeAll, describe, expect, it } from 'vitest';

import { StreamDecoder, type StreamDecoderOptions } from '../../engine/tokenizer/stream-decoder.js';
import { loadTokenizer, type TextTokenizer } from '../../engine/tokenizer/tokenizer.js';
import { renderChat } from '../../engine/tokenizer/chat-template.js';
import { HAVE_STORIES, MULTIBYTE_TEXT, QWEN3_DIR, readStoriesGolden, STORIES_DIR } from './fixtures.js';

/** Feeds ids one at a time; returns every delta, the flushed rest last. */
function stream(tok: TextTokenizer, ids: readonly number[], options: StreamDecoderOptions): string[] {
  const decoder = new StreamDecoder(tok, options);
  const deltas = ids.map((id) => decoder.push(id));
  deltas.push(decoder.flush());
  return deltas;
}

/** The text really has characters split over tokens, so the test below can catch a broken one. */
function expectSplitCharacters(tok: TextTokenizer, ids: readonly number[]): void {
  expect(ids.some((id) => tok.decode([id], { skipSpecialTokens: false }).includes('\uFFFD'))).toBe(true);
}

describe.skipIf(!HAVE_STORIES)('StreamDecoder on stories260K', () => {
  let tok: TextTokenizer;
  beforeAll(async () => {
    tok = await loadTokenizer(STORIES_DIR);
  });

  it('streams the golden generation from BOS to the golden text', () => {
    const { input_ids, generated_ids, text } = readStoriesGolden().greedy_from_bos;
    const deltas = stream(tok, generated_ids, { skipSpecialTokens: true, prefixIds: input_ids });
    expect(deltas.join('')).toBe(text);
    expect(deltas.at(-1)).toBe('');
    // Streaming, not buffering: most tokens produce text at once.
    expect(deltas.filter((d) => d !== '').length).toBeGreaterThan(150);
  });

  it('uses the prompt as context, so the first generated word keeps its leading space', () => {
    const { prompt, input_ids, generated_ids, text } = readStoriesGolden().greedy_after_prompt;
    const deltas = stream(tok, generated_ids, { skipSpecialTokens: true, prefixIds: input_ids });
    expect(deltas[0]).toBe(' was');
    expect(prompt + deltas.join('')).toBe(text);
    // Without the prompt, the result equals decoding the generated ids alone (Strip eats the first space).
    expect(stream(tok, generated_ids, { skipSpecialTokens: true }).join('')).toBe(tok.decode(generated_ids, { skipSpecialTokens: true }));
  });

  it('streams special tokens when asked to keep them', () => {
    const ids = [1, 403, 407, 2];
    expect(stream(tok, ids, { skipSpecialTokens: false }).join('')).toBe('<s> Once upon</s>');
  });

  it('holds byte-fallback pieces until the character is complete', () => {
    const ids = tok.encode(MULTIBYTE_TEXT, { addSpecialTokens: true });
    expectSplitCharacters(tok, ids);
    const deltas = stream(tok, ids, { skipSpecialTokens: true });
    expect(deltas.join('')).toBe(MULTIBYTE_TEXT);
    for (const delta of deltas) expect(delta).not.toContain('\uFFFD');
    // "😀" is four byte tokens (after "▁"): nothing until the fourth.
    const emoji = stream(tok, tok.encode(' 😀', { addSpecialTokens: false }).slice(2), { skipSpecialTokens: true, prefixIds: [1, 410] });
    expect(emoji).toEqual(['', '', '', '😀', '']);
  });

  it('flushes an incomplete character at the end as decode would', () => {
    const ids = [403, 243, 162]; // "▁Once", then the first two bytes of a four-byte character
    const deltas = stream(tok, ids, { skipSpecialTokens: true });
    expect(deltas).toEqual(['Once', '', '', '\uFFFD']);
    expect(deltas.join('')).toBe(tok.decode(ids, { skipSpecialTokens: true }));
  });
});

describe('StreamDecoder on Qwen3', () => {
  let tok: TextTokenizer;
  beforeAll(async () => {
    tok = await loadTokenizer(QWEN3_DIR);
  });

  it('equals the full decode on emoji and CJK text and never emits a broken character', () => {
    const ids = tok.encode(MULTIBYTE_TEXT, { addSpecialTokens: false });
    expectSplitCharacters(tok, ids);
    const deltas = stream(tok, ids, { skipSpecialTokens: true });
    expect(deltas.join('')).toBe(MULTIBYTE_TEXT);
    for (const delta of deltas) expect(delta).not.toContain('\uFFFD');
  });

  it('equals the full decode on a chat turn with special tokens, kept or skipped', () => {
    const prompt = renderChat(tok.chatTemplate, {
      messages: [{ role: 'user', content: '写一首关于🦜的诗' }],
      addGenerationPrompt: true,
      bosToken: null,
      eosToken: '<|im_end|>',
    });
    const promptIds = tok.encode(prompt, { addSpecialTokens: false });
    const answer = '<think>\n短诗。\n</think>\n\n鹦鹉🦜学舌，龘龘有声。<|im_end|>';
    const answerIds = tok.encode(answer, { addSpecialTokens: false });
    for (const skipSpecialTokens of [false, true]) {
      const deltas = stream(tok, answerIds, { skipSpecialTokens, prefixIds: promptIds });
      expect(deltas.join('')).toBe(tok.decode(answerIds, { skipSpecialTokens }));
      for (const delta of deltas) expect(delta).not.toContain('\uFFFD');
    }
  });
});
