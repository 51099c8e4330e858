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

/** The distinct passages an answer drew on, in the order the answer first used them. */
export function passagesOf(sourcesPerSentence: readonly (readonly Source[])[], limit = 8): Passage[] {
  const byRange = new Map<string, Passage>();
  sourcesPerSentence.forEach((sources, sentence) => {
    for (const s of sources) {
      const key = `${s.start}:${s.end}`;
      const seen = byRange.get(key);
      if (seen) {
        seen.weight += s.weight;
        if (!seen.sentences.includes(sentence + 1)) seen.sentences.push(sentence + 1);
      } else {
        byRange.set(key, { start: s.start, end: s.end, label: s.label, text: s.text, weight: s.weight, sentences: [sentence + 1] });
      }
    }
  });
  return [...byRange.values()].slice(0, limit);
}

export function passageLabel(p: Pick<Passage, 'label' | 'start'>): string {
  return p.label ?? `at character ${p.start.toLocaleString('en-US')}`;
}
