import { beforeAll, describe, expect, it } from 'vitest';
import { alignDecoded, tokenCharOffsets } from '../../engine/documents/token-offsets.js';
import { StreamDecoder } from '../../engine/tokenizer/index.js';
import { loadTokenizer, type TextTokenizer } from '../../engine/tokenizer/tokenizer.js';
import { sharedAvailable, STORIES_DIR } from '../helpers/shared.js';
import { QWEN3_DIR } from '../tokenizer/fixtures.js';

/** Accents (precomposed), CJK, emoji with skin tone and ZWJ sequences, a surrogate-pair symbol, CRLF, runs of spaces. */
const MIXED_TEXTS = [
  'Café naïve — Grüße aus Köln, «quoted» … ½ €5',
  '日本語のテキストと中文文本，还有龘字。',
  'Parrot 🦜, thumbs 👍🏽 and a family 🧑‍🤝‍🧑 — 😀😀 𝄞 music',
  'line one\r\nline two\r\n\r\nend',
  'several   spaces,\ttabs\t\tand  \n  indents    at the end    ',
  ' leading space and a trailing one ',
];

/** Decomposed accents (NFD), which a tokenizer with an NFC normaliser (Qwen) decodes composed. */
const DECOMPOSED_TEXTS = ['e\u0301 café', 'combining: e\u0301 a\u0300 n\u0303 (decomposed) next to é à ñ (precomposed)', 'Vie\u0302\u0323t Nam, tie\u0302\u0301ng Vie\u0302\u0323t'];

/** The text each token decodes to on its own, as the streaming decoder gives it (multi-byte characters on their last token). */
function pieces(tok: TextTokenizer, ids: number[]): string[] {
  const decoder = new StreamDecoder(tok, { skipSpecialTokens: false });
  const out = ids.map((id) => decoder.push(id));
  out[out.length - 1] += decoder.flush();
  return out;
}

/** Code point ranges [p, p + length) in UTF-16 units of every non-ASCII character. */
function multiByteChars(text: string): { at: number; length: number }[] {
  const out: { at: number; length: number }[] = [];
  let at = 0;
  for (const ch of text) {
    if (ch.codePointAt(0)! > 0x7f) out.push({ at, length: ch.length });
    at += ch.length;
  }
  return out;
}

/**
 * What holds for every tokenizer whose decode reproduces the text: ranges within bounds, end ≥ start, and contiguous
 * (start_0 = 0, start_{i+1} = end_i, end_last = text length), so the slices concatenate back to the text; no range
 * boundary cuts a surrogate pair; every non-ASCII character lies inside exactly one token's range.
 */
function expectTiling(text: string, offsets: Int32Array, tokens: number) {
  expect(offsets.length).toBe(2 * tokens);
  let joined = '';
  for (let i = 0; i < tokens; i++) {
    const [s, e] = [offsets[2 * i], offsets[2 * i + 1]];
    expect(s, `token ${i} start`).toBeGreaterThanOrEqual(0);
    expect(e, `token ${i} end`).toBeGreaterThanOrEqual(s);
    expect(e, `token ${i} end`).toBeLessThanOrEqual(text.length);
    expect(s, `token ${i} starts where token ${i - 1} ends`).toBe(i === 0 ? 0 : offsets[2 * i - 1]);
    for (const b of [s, e]) {
      const high = text.charCodeAt(b - 1);
      expect(b > 0 && b < text.length && high >= 0xd800 && high <= 0xdbff, `token ${i} cuts a surrogate pair at ${b}`).toBe(false);
    }
    joined += text.slice(s, e);
  }
  expect(offsets[2 * tokens - 1]).toBe(text.length);
  expect(joined).toBe(text);
  for (const { at, length } of multiByteChars(text)) {
    const holders = [];
    for (let i = 0; i < tokens; i++) if (offsets[2 * i] <= at && at + length <= offsets[2 * i + 1]) holders.push(i);
    expect(holders.length, `${JSON.stringify(text.slice(at, at + length))} at ${at}`).toBe(1);
  }
}

/** Every token that decodes to some text covers exactly that text (up to Unicode normalisation). */
function expectTokensCoverTheirText(text: string, offsets: Int32Array, decodedPieces: string[]) {
  decodedPieces.forEach((piece, i) => {
    if (!piece) return;
    expect(text.slice(offsets[2 * i], offsets[2 * i + 1]).normalize('NFC'), `token ${i} ${JSON.stringify(piece)}`).toBe(piece.normalize('NFC'));
  });
}

describe('token character offsets on the real Qwen3 tokenizer (byte-level BPE)', () => {
  let tok: TextTokenizer;
  beforeAll(async () => {
    tok = await loadTokenizer(QWEN3_DIR);
  });

  it('tile the text exactly, one token per multi-byte character, on accents, CJK, emoji, CRLF and space runs', () => {
    for (const text of MIXED_TEXTS) {
      const ids = tok.encode(text, { addSpecialTokens: false });
      const offsets = tokenCharOffsets(tok, text, ids);
      expectTiling(text, offsets, ids.length);
      expectTokensCoverTheirText(text, offsets, pieces(tok, ids));
    }
  });

  it('give the byte tokens of a split character an empty range where the token that completes it starts', () => {
    const text = 'a 龘 b';
    const ids = tok.encode(text, { addSpecialTokens: false });
    const offsets = tokenCharOffsets(tok, text, ids);
    const p = pieces(tok, ids);
    const holder = p.findIndex((s) => s.includes('龘'));
    // 龘 is three UTF-8 bytes that Qwen3 does not merge into one token: the tokens before the holder carry bytes only.
    expect(p[holder - 1]).toBe('');
    expect(text.slice(offsets[2 * holder], offsets[2 * holder + 1])).toBe(p[holder]);
    for (let i = holder - 1; i >= 0 && p[i] === ''; i--) {
      expect([offsets[2 * i], offsets[2 * i + 1]], `token ${i}`).toEqual([offsets[2 * holder], offsets[2 * holder]]);
    }
  });

  it('map decomposed accents that the tokenizer composes (NFC) to their own characters, not to a later é', () => {
    // Qwen3 normalises to NFC: "e\u0301" decodes as "é". The alignment must neither skip to a later precomposed "é"
    // (pulling " caf" into the first token) nor leave the composed character to the next token.
    expect(tok.decode(tok.encode('e\u0301 café', { addSpecialTokens: false }), { skipSpecialTokens: false })).toBe('é café');
    for (const text of DECOMPOSED_TEXTS) {
      const ids = tok.encode(text, { addSpecialTokens: false });
      const offsets = tokenCharOffsets(tok, text, ids);
      expectTiling(text, offsets, ids.length);
      expectTokensCoverTheirText(text, offsets, pieces(tok, ids));
    }
  });

  it('gives an empty array for no tokens', () => {
    expect(tokenCharOffsets(tok, '', [])).toEqual(new Int32Array(0));
  });
});

const haveStories = sharedAvailable(STORIES_DIR, 'token offsets on the stories260K tokenizer');

describe.skipIf(!haveStories)('token character offsets on the stories260K tokenizer (SentencePiece, byte fallback, prepended ▁)', () => {
  let tok: TextTokenizer;
  beforeAll(async () => {
    tok = await loadTokenizer(STORIES_DIR);
  });

  it('tile the text exactly on accents (composed or not), CJK, emoji (byte fallback), CRLF and space runs', () => {
    for (const text of [...MIXED_TEXTS, ...DECOMPOSED_TEXTS]) {
      const ids = tok.encode(text, { addSpecialTokens: false });
      const offsets = tokenCharOffsets(tok, text, ids);
      expectTiling(text, offsets, ids.length);
      expectTokensCoverTheirText(text, offsets, pieces(tok, ids));
    }
  });

  it('give the prepended ▁ of the first word no characters, and later ▁ tokens their space', () => {
    const slices = (text: string) => {
      const ids = tok.encode(text, { addSpecialTokens: false });
      const offsets = tokenCharOffsets(tok, text, ids);
      expectTiling(text, offsets, ids.length);
      return ids.map((_, i) => text.slice(offsets[2 * i], offsets[2 * i + 1]));
    };
    // ▁Once ▁upon ▁a ▁time: the decoder strips the first ▁, so "Once" starts at 0.
    expect(slices('Once upon a time')).toEqual(['Once', ' upon', ' a', ' time']);
    // "  Once" is ▁ ▁ ▁Once: the prepended ▁ is empty, the text's own two spaces stay on their tokens.
    expect(slices('  Once')).toEqual(['', ' ', ' Once']);
  });
});

describe('alignDecoded', () => {
  it('maps equal texts to themselves', () => {
    expect(Array.from(alignDecoded('abc', 'abc'))).toEqual([0, 1, 2, 3]);
    expect(Array.from(alignDecoded('', ''))).toEqual([0]);
  });

  it('maps a decoded text with an extra leading space onto the original without skipping its first word', () => {
    // The added space stands for nothing: it and "H" both map to 0, then one to one.
    expect(Array.from(alignDecoded(' Hello world', 'Hello world'))).toEqual([0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
  });

  it('attributes a character the decoder dropped to the next decoded character', () => {
    const map = alignDecoded('Helo world', 'Hello world');
    expect(Array.from(map)).toEqual([0, 1, 2, 3, 5, 6, 7, 8, 9, 10, 11]);
  });

  it('maps a normalised character (é for e + U+0301) to both of its original units', () => {
    expect(Array.from(alignDecoded('é!', 'e\u0301!'))).toEqual([0, 2, 3]);
  });

  it('keeps an added character local: far after it, every character maps to its own', () => {
    const text = 'The cat sat on the mat and then it slept in the sun for a while.';
    for (const at of [0, 3, 10, 30]) {
      const decoded = `${text.slice(0, at)} ${text.slice(at)}`;
      const map = alignDecoded(decoded, text);
      for (let i = at + 1 + 16; i <= decoded.length; i++) expect(map[i], `space added at ${at}, decoded ${i}`).toBe(i - 1);
      expect(map[decoded.length]).toBe(text.length);
    }
  });

  it('is monotone and within the text for arbitrary edits', () => {
    const text = 'abcabcabc xyz xyz 123 123';
    for (const decoded of ['', 'zzz', 'abc', 'cba cba', `${text}!!!`, text.split('').reverse().join('')]) {
      const map = alignDecoded(decoded, text);
      expect(map.length).toBe(decoded.length + 1);
      expect(map[0]).toBe(0);
      for (let i = 1; i < map.length; i++) expect(map[i]).toBeGreaterThanOrEqual(map[i - 1]);
      expect(map[decoded.length]).toBeLessThanOrEqual(text.length);
    }
  });
});
