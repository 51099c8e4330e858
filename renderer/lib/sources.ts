import type { Source } from '../../common/contract.js';

export interface Passage {
  start: number;
  end: number;
  label: string | null;
  text: string;
  /** Summed attention share over the sentences that drew on it. */
  weight: number;
  /** 1-based numbers of the answer's sentences that drew on it. */
  sentences: number[];
}

/**
 * The distinct passages an answer drew on, in the order the answer first used them. Sources that overlap are one
 * passage (their union): sentences often draw on the same stretch with slightly different edges.
 */
export function passagesOf(sourcesPerSentence: readonly (readonly Source[])[], limit = 6): Passage[] {
  const passages: Passage[] = [];
  sourcesPerSentence.forEach((sources, sentence) => {
    for (const s of sources) {
      const overlapping = passages.find((p) => s.start < p.end && s.end > p.start);
      if (!overlapping) {
        passages.push({ start: s.start, end: s.end, label: s.label, text: s.text, weight: s.weight, sentences: [sentence + 1] });
        continue;
      }
      overlapping.start = Math.min(overlapping.start, s.start);
      overlapping.end = Math.max(overlapping.end, s.end);
      overlapping.weight += s.weight;
      overlapping.label ??= s.label;
      if (s.text.length > overlapping.text.length) overlapping.text = s.text;
      if (!overlapping.sentences.includes(sentence + 1)) overlapping.sentences.push(sentence + 1);
    }
  });
  return passages.slice(0, limit);
}

/** Which paragraph (1-based, blank-line separated) of `text` holds `offset`. */
export function paragraphNumber(text: string, offset: number): number {
  let n = 1;
  const blank = /\n[ \t]*\n+/g;
  for (let m = blank.exec(text); m && m.index + m[0].length <= offset; m = blank.exec(text)) n += 1;
  return n;
}

/** A passage's place: its page label or section, else its paragraph (when the text is at hand). */
export function passageLabel(p: Pick<Passage, 'label' | 'start'>, documentText: string | null): string {
  if (p.label) return p.label;
  return documentText ? `paragraph ${paragraphNumber(documentText, p.start)}` : `character ${p.start.toLocaleString('en-US')}`;
}

/** What to show of a passage: its text in the document when known (the union of merged sources), shortened. */
export function passageExcerpt(p: Pick<Passage, 'start' | 'end' | 'text'>, documentText: string | null, max = 180): string {
  const text = (documentText ? documentText.slice(p.start, p.end) : p.text).replace(/\s+/g, ' ').trim();
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
