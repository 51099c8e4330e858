import type { Source } from '../../common/contract.js';
import type { SourcePassage } from '../cache/source-attribution.js';
import type { DocumentSpan } from '../compaction/cache/span.js';
import type { DocumentPart } from './ingest/index.js';

const SNIPPET_CHARS = 240;

/** Where the document's tokens are in its text: what maps attention on tokens to passages a person can read. */
export interface TextMap {
  span: DocumentSpan;
  text: string;
  /** [start, end) character offsets per document token. */
  charOffsets: Int32Array;
  parts: readonly DocumentPart[];
}

/** The label of the page or section holding character `at`, or null. */
export function partLabel(parts: readonly DocumentPart[], at: number): string | null {
  let lo = 0;
  let hi = parts.length - 1;
  let found: DocumentPart | null = null;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (parts[mid].start <= at) {
      found = parts[mid];
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found && at < found.end ? found.label : (found?.label ?? null);
}

/** Token passages (cache positions) → character ranges in the text with their page or section, weights normalised. */
export function passagesToSources(passages: readonly SourcePassage[], map: TextMap): Source[] {
  const tokens = map.charOffsets.length / 2;
  const kept: { weight: number; first: number; last: number }[] = [];
  for (const p of passages) {
    const first = Math.max(0, p.start - map.span.start);
    const last = Math.min(tokens - 1, p.end - 1 - map.span.start);
    if (last >= first) kept.push({ weight: p.weight, first, last });
  }
  // Normalised over the passages kept, so that they sum to 1.
  const total = kept.reduce((s, k) => s + k.weight, 0) || 1;
  return kept.map(({ weight, first, last }) => {
    const start = map.charOffsets[2 * first];
    const end = Math.max(start, map.charOffsets[2 * last + 1]);
    const snippet = map.text.slice(start, end);
    return { start, end, label: partLabel(map.parts, start), weight: weight / total, text: snippet.length > SNIPPET_CHARS ? `${cutAt(snippet, SNIPPET_CHARS - 1)}…` : snippet };
  });
}

/** The first `n` UTF-16 units of `s`, one fewer if the cut would split a surrogate pair. */
function cutAt(s: string, n: number): string {
  const c = s.charCodeAt(n - 1);
  return s.slice(0, c >= 0xd800 && c <= 0xdbff ? n - 1 : n);
}
