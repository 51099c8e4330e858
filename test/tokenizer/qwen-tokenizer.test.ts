import { beforeAll, describe, expect, it } from 'vitest';

import { renderChat } from '../../engine/tokenizer/chat-template.js';
import { loadTokenizer, type TextTokenizer } from '../../engine/tokenizer/tokenizer.js';
import { MULTIBYTE_TEXT, QWEN3_DIR } from './fixtures.js';

const IM_START = 151644;
const IM_END = 151645;
const ENDOFTEXT = 151643;

describe('Qwen3 tokenizer', () => {
  let tok: TextTokenizer;
  beforeAll(async () => {
    tok = await loadTokenizer(QWEN3_DIR);
  });

  it('reads the special tokens: no BOS, <|im_end|> as EOS', () => {
    expect(tok.vocabSize).toBe(151669);
    expect(tok.bosToken).toBeNull();
    expect(tok.bosTokenId).toBeNull();
    expect(tok.eosToken).toBe('<|im_end|>');
    expect(tok.eosTokenId).toBe(IM_END);
    expect(tok.tokenToId('<|im_start|>')).toBe(IM_START);
    expect(tok.specialTokenIds.has(ENDOFTEXT)).toBe(true);
    expect(tok.specialTokenIds.has(IM_START)).toBe(true);
    // <think> is an added token but not a special one: it must survive skipSpecialTokens.
    const think = tok.tokenToId('<think>')!;
    expect(think).toBeGreaterThan(ENDOFTEXT);
    expect(tok.specialTokenIds.has(think)).toBe(false);
    expect(tok.chatTemplate).toContain('<|im_start|>');
  });

  it('round-trips plain, unicode, emoji and code text', () => {
    const texts = [
      'Hello, world!',
      '  leading and trailing spaces  ',
      'Grüße aus Köln — “quoted” … naïve café',
      '日本語のテキストと中文文本',
      MULTIBYTE_TEXT,
      'function add(a: number, b: number): number {\n\treturn a + b; // ok\n}\n',
      'line one\r\nline two\n\n\nend',
    ];
    for (const text of texts) {
      const ids = tok.encode(text, { addSpecialTokens: true });
      expect(ids.length, text).toBeGreaterThan(0);
      expect(tok.decode(ids, { skipSpecialTokens: false }), text).toBe(text);
    }
    expect(tok.encode('Hello, world!', { addSpecialTokens: true })).toEqual([9707, 11, 1879, 0]);
  });

  it('encodes the rendered chat with each special token as one id, and decodes it back', () => {
    const text = renderChat(tok.chatTemplate, {
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Hi 👋' },
      ],
      addGenerationPrompt: true,
      bosToken: tok.bosToken,
      eosToken: tok.eosToken,
    });
    const ids = tok.encode(text, { addSpecialTokens: false });
    expect(ids.slice(0, 2)).toEqual([IM_START, tok.tokenToId('system')]);
    expect(ids.filter((id) => id === IM_START)).toHaveLength(3);
    expect(ids.filter((id) => id === IM_END)).toHaveLength(2);
    expect(ids.some((id) => tok.idToToken(id) === '<')).toBe(false);
    expect(tok.decode(ids, { skipSpecialTokens: false })).toBe(text);
    expect(tok.decode(ids, { skipSpecialTokens: true })).toBe('system\nBe brief.\nuser\nHi 👋\nassistant\n');
  });
});
