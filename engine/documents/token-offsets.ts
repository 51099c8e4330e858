import { StreamDecoder, type TextTokenizer } from '../tokenizer/index.js';

export function tokenCharOffsets(tokenizer: Pick<TextTokenizer, 'decode'>, text: string, ids: readonly number[]): Int32Array {
  const decoder = new StreamDecoder(tokenizer, { skipSpecialTokens: false });
  const pieces: string[] = [];
  for (const id of ids) pieces.push(decoder.push(id));
  const tail = decoder.flush();
  if (tail && pieces.length) pieces[pieces.length - 1] += tail;
  const decoded = pieces.join('');
  const map = alignDecoded(decoded, text);
  const out = new Int32Array(ids.length * 2);
  let at = 0;
  for (let i = 0; i < pieces.length; i++) {
    const from = at;
    at += pieces[i].length;
    out[2 * i] = map[from];
    out[2 * i + 1] = Math.max(map[from], map[at]);
  }
  return out;
}

export function alignDecoded(decoded: string, text: string): Int32Array {
  const map = new Int32Array(decoded.length + 1);
  if (decoded === text) {
    for (let i = 0; i <= decoded.length; i++) map[i] = i;
    return map;
  }
  const normalised = alignNormalised(decoded, text);
  if (normalised) return normalised;
  const LOOKAHEAD = 16;
  const SYNC = 4;
  // Whether decoded[i..] and text[k..] agree on their next SYNC characters (or both end together before that).
  const agree = (i: number, k: number) => {
    for (let m = 0; m < SYNC; m++) {
      const a = i + m < decoded.length;
      const b = k + m < text.length;
      if (!a || !b) return a === b;
      if (decoded[i + m] !== text[k + m]) return false;
    }
    return true;
  };
  let j = 0;
  for (let i = 0; i < decoded.length; i++) {
    map[i] = j;
    if (j < text.length && decoded[i] === text[j]) {
      j++;
      continue;
    }
    // decoded[i] stands for text[j, k): nothing (an added character, k = j), a normalised form (é for e + U+0301),
    // or a character after some the decoder dropped; the smallest k after which both texts line up again.
    let k = j;
    while (k <= text.length && k - j <= LOOKAHEAD && !agree(i + 1, k)) k++;
    if (k <= text.length && k - j <= LOOKAHEAD) j = k;
    else {
      // Nothing lines up nearby: fall back to the next occurrence of the character.
      let f = j;
      while (f < text.length && f - j < LOOKAHEAD && text[f] !== decoded[i]) f++;
      if (f < text.length && text[f] === decoded[i]) j = f + 1;
    }
  }
  map[decoded.length] = Math.min(j, text.length);
  return map;
}

/**
 * When the decoded text is the text in NFC (a tokenizer with an NFC normaliser, e.g. Qwen), the exact map: the text
 * is cut into segments (a character and the combining marks after it) that are composed one at a time.
 */
function alignNormalised(decoded: string, text: string): Int32Array | null {
  const map = new Int32Array(decoded.length + 1);
  let at = 0;
  for (const m of text.matchAll(/\P{M}\p{M}*|\p{M}+/gsu)) {
    const piece = m[0].normalize('NFC');
    if (decoded.startsWith(piece, at) === false) return null;
    for (let k = 0; k < piece.length; k++) map[at + k] = m.index + (k === 0 ? 0 : m[0].length);
    at += piece.length;
  }
  if (at !== decoded.length) return null;
  map[at] = text.length;
  return map;
}
