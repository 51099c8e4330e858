import { StreamDecoder, type TextTokenizer } from '../tokenizer/index.js';

/**
 * Character range [start, end) in `text` of each token of `ids` (2 entries per token), for sources and the
 * visualizer. Hugging Face's JS tokenizers give no offsets, so the ids are decoded one at a time (the streaming
 * decoder emits each character with the token that completes it: a multi-byte character split over several
 * byte tokens belongs to the last of them, the others get an empty range at that point) and the decoded text is
 * aligned with the original, which may differ where the tokenizer normalises (spaces, Unicode forms).
 */
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

/**
 * For each position 0..decoded.length of the decoded text, the position in `text` it stands for. Equal texts map
 * to themselves; otherwise characters are matched greedily within a small look-ahead, so a dropped or added space
 * or a normalised character shifts the mapping locally instead of derailing it.
 */
export function alignDecoded(decoded: string, text: string): Int32Array {
  const map = new Int32Array(decoded.length + 1);
  if (decoded === text) {
    for (let i = 0; i <= decoded.length; i++) map[i] = i;
    return map;
  }
  const LOOKAHEAD = 16;
  let j = 0;
  for (let i = 0; i < decoded.length; i++) {
    map[i] = j;
    const c = decoded[i];
    let k = j;
    while (k < text.length && k - j < LOOKAHEAD && text[k] !== c) k++;
    if (k < text.length && text[k] === c) j = k + 1;
    // No match nearby (an added character, e.g. a leading space): stay put.
  }
  map[decoded.length] = Math.min(j, text.length);
  return map;
}
