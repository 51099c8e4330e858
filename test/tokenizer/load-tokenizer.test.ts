import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { loadTokenizer } from '../../engine/tokenizer/tokenizer.js';

/** A tiny byte-less BPE with no decoder (tokens join with spaces): "ab" merges; <s> and </s> are special. */
const TINY_TOKENIZER = {
  version: '1.0',
  added_tokens: [
    { id: 3, content: '<s>', special: true, normalized: false, lstrip: false, rstrip: false, single_word: false },
    { id: 4, content: '</s>', special: true, normalized: false, lstrip: false, rstrip: false, single_word: false },
  ],
  normalizer: null,
  pre_tokenizer: null,
  post_processor: null,
  decoder: null,
  model: { type: 'BPE', vocab: { a: 0, b: 1, ab: 2, '.': 5 }, merges: ['a b'] },
};

describe('loadTokenizer on hand-made folders', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'longread-tok-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const write = (name: string, content: unknown): void =>
    writeFileSync(join(dir, name), typeof content === 'string' ? content : JSON.stringify(content));

  it('works with tokenizer.json alone', async () => {
    write('tokenizer.json', TINY_TOKENIZER);
    const tok = await loadTokenizer(dir);
    expect(tok.encode('abab', { addSpecialTokens: true })).toEqual([2, 2]);
    expect(tok.vocabSize).toBe(6);
    // Without clean_up_tokenization_spaces in a config, " ." stays (the library alone would make it ".").
    expect(tok.decode([0, 5], { skipSpecialTokens: true })).toBe('a .');
    expect(tok.bosTokenId).toBeNull();
    expect(tok.eosTokenId).toBeNull();
    expect(tok.chatTemplate).toBeNull();
    expect([...tok.specialTokenIds].sort()).toEqual([3, 4]);
  });

  it('reads bos/eos given as {content} objects', async () => {
    write('tokenizer.json', TINY_TOKENIZER);
    write('tokenizer_config.json', { bos_token: { __type: 'AddedToken', content: '<s>' }, eos_token: { content: '</s>' } });
    const tok = await loadTokenizer(dir);
    expect([tok.bosToken, tok.bosTokenId, tok.eosToken, tok.eosTokenId]).toEqual(['<s>', 3, '</s>', 4]);
  });

  it('prefers chat_template.jinja, then chat_template.json, over tokenizer_config.json', async () => {
    write('tokenizer.json', TINY_TOKENIZER);
    write('tokenizer_config.json', { chat_template: 'FROM CONFIG' });
    expect((await loadTokenizer(dir)).chatTemplate).toBe('FROM CONFIG');
    write('chat_template.json', { chat_template: 'FROM JSON' });
    expect((await loadTokenizer(dir)).chatTemplate).toBe('FROM JSON');
    write('chat_template.jinja', 'FROM JINJA');
    expect((await loadTokenizer(dir)).chatTemplate).toBe('FROM JINJA');
  });

  it('reports a missing tokenizer.json', async () => {
    await expect(loadTokenizer(dir)).rejects.toMatchObject({ code: 'TOKENIZER', message: expect.stringMatching(/has no tokenizer\.json/) });
  });

  it('reports invalid JSON and a file without a model', async () => {
    write('tokenizer.json', '{"model": ');
    await expect(loadTokenizer(dir)).rejects.toMatchObject({ code: 'TOKENIZER', message: expect.stringMatching(/not valid JSON/) });
    write('tokenizer.json', '[1, 2]');
    await expect(loadTokenizer(dir)).rejects.toMatchObject({ code: 'TOKENIZER', message: expect.stringMatching(/must hold a JSON object/) });
    write('tokenizer.json', { version: '1.0' });
    await expect(loadTokenizer(dir)).rejects.toMatchObject({ code: 'TOKENIZER', message: expect.stringMatching(/no "model" section/) });
  });

  it('reports a model type the library cannot build', async () => {
    write('tokenizer.json', { ...TINY_TOKENIZER, model: { type: 'Nonsense' } });
    await expect(loadTokenizer(dir)).rejects.toMatchObject({ code: 'TOKENIZER', message: expect.stringMatching(/could not be built/) });
  });

  it('reports a bos/eos the vocabulary lacks, and a malformed one', async () => {
    write('tokenizer.json', TINY_TOKENIZER);
    write('tokenizer_config.json', { eos_token: '<|eot|>' });
    await expect(loadTokenizer(dir)).rejects.toMatchObject({ code: 'TOKENIZER', message: expect.stringMatching(/"<\|eot\|>" as eos_token/) });
    write('tokenizer_config.json', { bos_token: 42 });
    await expect(loadTokenizer(dir)).rejects.toMatchObject({ code: 'TOKENIZER', message: expect.stringMatching(/"bos_token" must be a string/) });
    write('tokenizer_config.json', '{ broken');
    await expect(loadTokenizer(dir)).rejects.toMatchObject({ code: 'TOKENIZER', message: expect.stringMatching(/tokenizer_config\.json is not valid JSON/) });
  });
});
