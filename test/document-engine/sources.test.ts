import { describe, expect, it } from 'vitest';
import { sourceSchema } from '../../common/contract.js';
import type { DocumentPart } from '../../engine/documents/ingest/index.js';
import { partLabel, passagesToSources, type TextMap } from '../../engine/documents/sources.js';

/** A word per token (with its leading space), the document at cache positions [PREFIX, PREFIX + words). */
function wordMap(text: string, parts: DocumentPart[], prefix = 5): TextMap {
  const offsets: number[] = [];
  for (const m of text.matchAll(/\s*\S+/g)) offsets.push(m.index, m.index + m[0].length);
  return { span: { start: prefix, end: prefix + offsets.length / 2 }, text, charOffsets: Int32Array.from(offsets), parts };
}

// Three PDF pages with printed labels, separated by blank lines that belong to no page.
const PAGE_TEXT = 'Roman numeral page one.\n\nThe second page talks.\n\nPage three is last.';
const PAGES: DocumentPart[] = [
  { kind: 'page', label: 'i', start: 0, end: 23 },
  { kind: 'page', label: 'ii', start: 25, end: 47 },
  { kind: 'page', label: '3', start: 49, end: 68 },
];

describe('sources', () => {
  const map = wordMap(PAGE_TEXT, PAGES);
  // Tokens: 0 Roman | 1 numeral | 2 page | 3 one. | 4 The | 5 second | 6 page | 7 talks. | 8 Page | 9 three | 10 is | 11 last.
  const P = map.span.start;

  it('turns token passages into character ranges, text and page labels', () => {
    const sources = passagesToSources(
      [
        { start: P + 5, end: P + 7, weight: 2 },
        { start: P + 0, end: P + 1, weight: 1 },
        { start: P + 9, end: P + 12, weight: 1 },
      ],
      map,
    );
    expect(sources.map((s) => ({ ...s, weight: undefined }))).toEqual([
      { start: 28, end: 40, label: 'ii', text: ' second page', weight: undefined },
      { start: 0, end: 5, label: 'i', text: 'Roman', weight: undefined },
      { start: 53, end: 68, label: '3', text: ' three is last.', weight: undefined },
    ]);
    for (const s of sources) expect(() => sourceSchema.parse(s)).not.toThrow();
  });

  it('normalises the weights to sum to 1, keeping their proportions', () => {
    const sources = passagesToSources(
      [
        { start: P + 1, end: P + 2, weight: 0.3 },
        { start: P + 4, end: P + 5, weight: 0.1 },
      ],
      map,
    );
    expect(sources.map((s) => s.weight)).toEqual([expect.closeTo(0.75, 12), expect.closeTo(0.25, 12)]);
  });

  it('clips passages that run past either end of the document to its first and last token', () => {
    const sources = passagesToSources(
      [
        { start: 0, end: P + 2, weight: 1 },
        { start: P + 10, end: P + 40, weight: 1 },
      ],
      map,
    );
    expect(sources.map((s) => s.text)).toEqual(['Roman numeral', ' is last.']);
  });

  it('drops passages wholly outside the document, and the ones kept still sum to 1', () => {
    const sources = passagesToSources(
      [
        { start: 0, end: 2, weight: 1 },
        { start: P + 2, end: P + 3, weight: 1 },
        { start: map.span.end + 3, end: map.span.end + 6, weight: 2 },
      ],
      map,
    );
    expect(sources.map((s) => s.text)).toEqual([' page']);
    expect(sources[0].weight).toBeCloseTo(1, 12);
  });

  it('truncates a long passage to 240 characters ending in an ellipsis', () => {
    const words = Array.from({ length: 120 }, (_, i) => `word${i}`).join(' ');
    const long = wordMap(words, []);
    const [s] = passagesToSources([{ start: long.span.start, end: long.span.end, weight: 1 }], long);
    expect(s.end - s.start).toBe(words.length);
    expect(s.text).toHaveLength(240);
    expect(s.text.endsWith('…')).toBe(true);
    expect(words.startsWith(s.text.slice(0, -1))).toBe(true);
    expect(s.label).toBeNull();
    // A short passage is not touched.
    expect(passagesToSources([{ start: long.span.start, end: long.span.start + 2, weight: 1 }], long)[0].text).toBe('word0 word1');
  });

  it('does not cut an emoji (a surrogate pair) in half when truncating', () => {
    // 238 ASCII characters, then emoji: the cut after 239 UTF-16 units falls inside the first emoji.
    const text = `${'a'.repeat(238)}🦜🦜🦜🦜`;
    const m: TextMap = { span: { start: 0, end: 1 }, text, charOffsets: Int32Array.from([0, text.length]), parts: [] };
    const [s] = passagesToSources([{ start: 0, end: 1, weight: 1 }], m);
    expect(s.text.endsWith('…')).toBe(true);
    expect(s.text, 'a lone surrogate').not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/);
  });

  it('labels a position with the part that holds it, the previous part in a gap between parts, and null before the first', () => {
    const parts: DocumentPart[] = [
      { kind: 'section', label: 'Intro', start: 10, end: 20 },
      { kind: 'section', label: 'Methods', start: 25, end: 40 },
    ];
    expect(partLabel(parts, 0)).toBeNull();
    expect(partLabel(parts, 9)).toBeNull();
    expect(partLabel(parts, 10)).toBe('Intro');
    expect(partLabel(parts, 19)).toBe('Intro');
    expect(partLabel(parts, 22)).toBe('Intro');
    expect(partLabel(parts, 25)).toBe('Methods');
    expect(partLabel(parts, 39)).toBe('Methods');
    expect(partLabel([], 5)).toBeNull();
    // Many parts: the binary search finds each.
    const many: DocumentPart[] = Array.from({ length: 1000 }, (_, i) => ({ kind: 'page', label: `p${i + 1}`, start: i * 10, end: i * 10 + 8 }));
    for (const at of [0, 7, 8, 9, 10, 5555, 9991]) expect(partLabel(many, at)).toBe(`p${Math.floor(at / 10) + 1}`);
  });
});
