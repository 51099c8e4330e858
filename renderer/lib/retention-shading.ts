/**
 * How the visualizer shades document tokens: each token gets a level from 0 (no (layer, head) kept it) to
 * SHADE_LEVELS (all of them did), drawn with the CSS classes `shade-0` … `shade-N`.
 */

export const SHADE_LEVELS = 8;

/** A per-token count and the most it can be: all heads, one layer's heads, or one head (0 or 1). */
export interface Shading {
  counts: Uint16Array;
  max: number;
}

export function shadeLevel(count: number, max: number, levels = SHADE_LEVELS): number {
  if (count <= 0 || max <= 0) return 0;
  return Math.min(levels, Math.max(1, Math.round((count / max) * levels)));
}

/** One head's kept tokens as a 0/1 shading. */
export function shadingForHead(keptTokens: Int32Array, documentTokens: number): Shading {
  const counts = new Uint16Array(documentTokens);
  for (const t of keptTokens) if (t >= 0 && t < documentTokens) counts[t] = 1;
  return { counts, max: 1 };
}

/** How many of a layer's heads kept each token. */
export function shadingForLayer(headTokens: readonly Int32Array[], documentTokens: number): Shading {
  const counts = new Uint16Array(documentTokens);
  for (const tokens of headTokens) for (const t of tokens) if (t >= 0 && t < documentTokens) counts[t] += 1;
  return { counts, max: headTokens.length };
}

/** Index of the first token whose [start, end) ends after `offset` (charOffsets holds start, end per token). */
export function firstTokenEndingAfter(charOffsets: Int32Array, offset: number): number {
  let lo = 0;
  let hi = charOffsets.length >> 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (charOffsets[2 * mid + 1] <= offset) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The token covering character `offset`, or -1 where no token does. */
export function tokenAtOffset(charOffsets: Int32Array, offset: number): number {
  const t = firstTokenEndingAfter(charOffsets, offset);
  return t < charOffsets.length >> 1 && charOffsets[2 * t] <= offset ? t : -1;
}

export interface Segment {
  start: number;
  end: number;
  /** The token this stretch belongs to, or -1 for text no token covers. */
  token: number;
  /** Inside the highlighted source passage. */
  marked: boolean;
}

/**
 * Splits the characters [start, end) of one row into stretches of one token each (and untokenized gaps), cut again
 * where a highlighted passage begins or ends.
 */
export function rowSegments(start: number, end: number, charOffsets: Int32Array | null, highlight: { start: number; end: number } | null): Segment[] {
  const cuts: { at: number; token: number }[] = [];
  if (charOffsets) {
    const tokenCount = charOffsets.length >> 1;
    let at = start;
    for (let t = firstTokenEndingAfter(charOffsets, start); t < tokenCount && charOffsets[2 * t] < end; t++) {
      const tStart = Math.max(start, charOffsets[2 * t]);
      const tEnd = Math.min(end, charOffsets[2 * t + 1]);
      if (tStart > at) cuts.push({ at, token: -1 });
      if (tEnd > tStart) cuts.push({ at: tStart, token: t });
      at = Math.max(at, tEnd);
    }
    if (at < end) cuts.push({ at, token: -1 });
  } else {
    cuts.push({ at: start, token: -1 });
  }
  const segments: Segment[] = [];
  for (let i = 0; i < cuts.length; i++) {
    const segEnd = i + 1 < cuts.length ? cuts[i + 1].at : end;
    const token = cuts[i].token;
    // A highlighted passage may begin or end inside a token: the marked part becomes its own segment.
    const points = [cuts[i].at, segEnd];
    if (highlight) {
      for (const edge of [highlight.start, highlight.end]) if (edge > points[0] && edge < segEnd) points.push(edge);
      points.sort((a, b) => a - b);
    }
    for (let p = 0; p + 1 < points.length; p++) {
      const marked = highlight !== null && points[p] >= highlight.start && points[p + 1] <= highlight.end;
      segments.push({ start: points[p], end: points[p + 1], token, marked });
    }
  }
  return segments.filter((s) => s.end > s.start);
}

/** Whether a sorted list holds `value`. */
export function sortedHas(sorted: Int32Array, value: number): boolean {
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid] === value) return true;
    if (sorted[mid] < value) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}

/** Position of `value` in a sorted list, or -1. */
export function sortedIndexOf(sorted: Int32Array, value: number): number {
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid] === value) return mid;
    if (sorted[mid] < value) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

/** The (layer, head) pairs, layer-major, whose kept lists hold `token`; heads not fetched yet are skipped. */
export function headsKeeping(token: number, headTokens: readonly (Int32Array | undefined)[], numKvHeads: number): { layer: number; head: number }[] {
  const heads: { layer: number; head: number }[] = [];
  headTokens.forEach((tokens, i) => {
    if (tokens && sortedHas(tokens, token)) heads.push({ layer: Math.floor(i / numKvHeads), head: i % numKvHeads });
  });
  return heads;
}
