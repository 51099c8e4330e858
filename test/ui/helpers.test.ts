import { describe, expect, it } from 'vitest';
import * as contract from '../../common/contract.js';
import { checkDocumentFile } from '../../renderer/lib/document-types.js';
import { kvBytesAt } from '../../renderer/lib/estimates.js';
import { curvePath, errorScaleMax, plotX, type PlotGeometry } from '../../renderer/lib/fidelity-plot.js';
import { formatBytes, formatDuration, formatPercent, formatRate } from '../../renderer/lib/format.js';
import { cellAt, gridGeometry, gridValues, layerLabelAt } from '../../renderer/lib/head-grid.js';
import { positionFromRatio, ratioFromPosition, SLIDER_STEPS } from '../../renderer/lib/log-scale.js';
import { DEFAULT_METHOD, DEFAULT_RATIO, METHODS_IN_ORDER, MIN_RATIO } from '../../renderer/lib/methods.js';
import { firstTokenEndingAfter, headsKeeping, rowSegments, shadeLevel, shadingForHead, shadingForLayer, tokenAtOffset } from '../../renderer/lib/retention-shading.js';
import { paragraphNumber, passageExcerpt, passageLabel, passagesOf } from '../../renderer/lib/sources.js';
import { suggestedQuestions } from '../../renderer/lib/suggested-questions.js';
import { rowOfOffset, scrollTopForRow, visibleRows, wrapRows } from '../../renderer/lib/text-rows.js';
import { documentInfo } from './support/fixtures.js';

describe('the renderer mirrors the contract', () => {
  it('lists the methods the contract lets a person pick, with the same defaults', () => {
    expect(METHODS_IN_ORDER).toEqual([...contract.METHODS]);
    expect(DEFAULT_METHOD).toBe(contract.DEFAULT_METHOD);
    expect(DEFAULT_RATIO).toBe(contract.DEFAULT_RATIO);
    expect(MIN_RATIO).toBe(contract.MIN_RATIO);
  });
});

describe('the log-scale slider', () => {
  it('runs from 1% at the left end to 100% at the right, with equal factors per step', () => {
    expect(ratioFromPosition(0)).toBe(0.01);
    expect(ratioFromPosition(SLIDER_STEPS)).toBe(1);
    expect(ratioFromPosition(SLIDER_STEPS / 2)).toBeCloseTo(0.1, 3);
    const a = ratioFromPosition(40) / ratioFromPosition(30);
    const b = ratioFromPosition(170) / ratioFromPosition(160);
    expect(a).toBeCloseTo(b, 2);
  });

  it('maps ratios back to the same positions, clamping what is out of range', () => {
    for (let p = 0; p <= SLIDER_STEPS; p += 7) expect(positionFromRatio(ratioFromPosition(p))).toBe(p);
    expect(positionFromRatio(0.2)).toBe(130);
    expect(positionFromRatio(0.001)).toBe(0);
    expect(positionFromRatio(5)).toBe(SLIDER_STEPS);
  });

  it('sends ratios with three significant digits', () => {
    expect(String(ratioFromPosition(37))).toMatch(/^0\.0\d{3}$|^0\.\d{1,3}$/);
  });
});

describe('retention shading', () => {
  it('gives 0 to tokens no head kept, the top level to tokens every head kept, and at least 1 to any kept token', () => {
    expect(shadeLevel(0, 20)).toBe(0);
    expect(shadeLevel(20, 20)).toBe(8);
    expect(shadeLevel(1, 200)).toBe(1);
    expect(shadeLevel(10, 20)).toBe(4);
    expect(shadeLevel(5, 0)).toBe(0);
  });

  it('builds one-head and one-layer shadings from kept token lists', () => {
    expect([...shadingForHead(Int32Array.from([0, 3]), 5).counts]).toEqual([1, 0, 0, 1, 0]);
    const layer = shadingForLayer([Int32Array.from([0, 3]), Int32Array.from([3, 4])], 5);
    expect([...layer.counts]).toEqual([1, 0, 0, 2, 1]);
    expect(layer.max).toBe(2);
  });

  const offsets = Int32Array.from([0, 5, 6, 10, 10, 12, 14, 20]); // a gap at 5–6 and at 12–14

  it('finds tokens by character offset', () => {
    expect(firstTokenEndingAfter(offsets, 0)).toBe(0);
    expect(firstTokenEndingAfter(offsets, 5)).toBe(1);
    expect(firstTokenEndingAfter(offsets, 13)).toBe(3);
    expect(tokenAtOffset(offsets, 5)).toBe(-1);
    expect(tokenAtOffset(offsets, 11)).toBe(2);
    expect(tokenAtOffset(offsets, 25)).toBe(-1);
  });

  it('splits a row into token stretches and gaps, clipped to the row', () => {
    expect(rowSegments(3, 16, offsets, null)).toEqual([
      { start: 3, end: 5, token: 0, marked: false },
      { start: 5, end: 6, token: -1, marked: false },
      { start: 6, end: 10, token: 1, marked: false },
      { start: 10, end: 12, token: 2, marked: false },
      { start: 12, end: 14, token: -1, marked: false },
      { start: 14, end: 16, token: 3, marked: false },
    ]);
  });

  it('cuts segments where a highlighted passage begins and ends, even inside a token', () => {
    const segments = rowSegments(0, 12, offsets, { start: 8, end: 11 });
    expect(segments.filter((s) => s.marked)).toEqual([
      { start: 8, end: 10, token: 1, marked: true },
      { start: 10, end: 11, token: 2, marked: true },
    ]);
    expect(segments.map((s) => s.start)).toEqual([0, 5, 6, 8, 10, 11]);
  });

  it('renders a row with no tokens (no retention map yet) as one stretch', () => {
    expect(rowSegments(4, 9, null, null)).toEqual([{ start: 4, end: 9, token: -1, marked: false }]);
  });

  it('lists the heads whose kept lists hold a token, layer-major', () => {
    const heads = [Int32Array.from([1, 2]), undefined, Int32Array.from([2]), Int32Array.from([0])];
    expect(headsKeeping(2, heads, 2)).toEqual([
      { layer: 0, head: 0 },
      { layer: 1, head: 0 },
    ]);
  });
});

describe('virtualized text rows', () => {
  it('wraps at spaces within the column budget and at every newline', () => {
    const text = 'aaa bbb ccc\nddddddddddd e';
    const starts = wrapRows(text, 8);
    const rows = [...starts].map((s, i) => text.slice(s, starts[i + 1] ?? text.length));
    expect(rows).toEqual(['aaa bbb ', 'ccc\n', 'dddddddd', 'ddd e']);
    for (const row of rows) expect(row.replace('\n', '').length).toBeLessThanOrEqual(8);
  });

  it('keeps every character exactly once', () => {
    const text = 'The quick brown fox jumps over the lazy dog.\n\nA second paragraph, longer than a row, wraps. '.repeat(50);
    const starts = wrapRows(text, 23);
    let joined = '';
    for (let i = 0; i < starts.length; i++) joined += text.slice(starts[i], starts[i + 1] ?? text.length);
    expect(joined).toBe(text);
  });

  it('wraps 400k characters quickly', () => {
    const text = 'lorem ipsum dolor sit amet, consectetur adipiscing elit. '.repeat(7000);
    const t0 = performance.now();
    const starts = wrapRows(text, 80);
    expect(performance.now() - t0).toBeLessThan(200);
    expect(starts.length).toBeGreaterThan(text.length / 80);
  });

  it('renders only the rows in sight plus the overscan', () => {
    expect(visibleRows(0, 440, 22, 10_000, 8)).toEqual({ first: 0, last: 28 });
    expect(visibleRows(22_000, 440, 22, 10_000, 8)).toEqual({ first: 992, last: 1028 });
    expect(visibleRows(1e9, 440, 22, 100, 8)).toEqual({ first: 100, last: 100 });
    expect(visibleRows(0, 440, 22, 0)).toEqual({ first: 0, last: 0 });
  });

  it('finds the row of a character and the scroll position that shows it', () => {
    const starts = Int32Array.from([0, 10, 25, 40]);
    expect(rowOfOffset(starts, 0)).toBe(0);
    expect(rowOfOffset(starts, 24)).toBe(1);
    expect(rowOfOffset(starts, 25)).toBe(2);
    expect(rowOfOffset(starts, 999)).toBe(3);
    expect(scrollTopForRow(100, 22, 600)).toBe(2000);
    expect(scrollTopForRow(1, 22, 600)).toBe(0);
  });
});

describe('other helpers', () => {
  it('formats bytes, durations, percentages and rates', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.50 KiB');
    expect(formatBytes(200 * 2 ** 20)).toBe('200 MiB');
    expect(formatDuration(45_200)).toBe('45 s');
    expect(formatDuration(185_000)).toBe('3 min 05 s');
    expect(formatPercent(0.2)).toBe('20%');
    expect(formatPercent(0.015)).toBe('1.5%');
    expect(formatRate(1234.5, 'tokens')).toBe('1,235 tok/s');
    expect(formatRate(3 * 2 ** 20, 'bytes')).toBe('3.00 MiB/s');
    expect(formatRate(null, 'tokens')).toBe('');
  });

  it('checks a file before sending it', () => {
    expect(checkDocumentFile('a.PDF', 10, null)).toBeNull();
    expect(checkDocumentFile('a.exe', 10, null)?.code).toBe('UNSUPPORTED_DOCUMENT');
    expect(checkDocumentFile('a.txt', 0, null)?.code).toBe('DOCUMENT_EMPTY');
    expect(checkDocumentFile('a.txt', 11, 10)?.code).toBe('DOCUMENT_TOO_LARGE');
  });

  it('scales the memory estimate to the chosen ratio', () => {
    const { estimate } = documentInfo();
    expect(kvBytesAt(estimate, 0.2)).toBe(estimate.kvBytesAtRatio);
    expect(kvBytesAt(estimate, 0.5)).toBe(Math.round(estimate.kvBytesFull * 0.5));
  });

  it('merges the sources of an answer into passages in the order they were first used, overlaps as one', () => {
    const a = { start: 0, end: 5, label: 'p. 1', weight: 0.5, text: 'Alpha' };
    const b = { start: 9, end: 20, label: 'p. 2', weight: 0.25, text: 'Beta' };
    const c = { start: 15, end: 30, label: null, weight: 0.25, text: 'longer text here' };
    const passages = passagesOf([[a], [b, a], [c]]);
    expect(passages.map((p) => [p.start, p.end, p.weight, p.sentences, p.label])).toEqual([
      [0, 5, 1, [1, 2], 'p. 1'],
      [9, 30, 0.5, [2, 3], 'p. 2'],
    ]);
  });

  it('labels a passage by its page, else by its paragraph, and shows its text from the document', () => {
    const text = 'First para.\n\nSecond para here.\n \nThird.';
    expect(paragraphNumber(text, 0)).toBe(1);
    expect(paragraphNumber(text, text.indexOf('Second'))).toBe(2);
    expect(paragraphNumber(text, text.indexOf('Third'))).toBe(3);
    expect(passageLabel({ label: 'p. 4', start: 0 }, text)).toBe('p. 4');
    expect(passageLabel({ label: null, start: text.indexOf('Third') }, text)).toBe('paragraph 3');
    expect(passageLabel({ label: null, start: 1200 }, null)).toBe('character 1,200');
    expect(passageExcerpt({ start: 0, end: 30, text: 'x' }, text)).toBe('First para. Second para here.');
    expect(passageExcerpt({ start: 0, end: 3, text: 'a '.repeat(200) }, null, 10)).toBe('a a a a a…');
  });

  it('suggests questions, one about a section when there are headings', () => {
    const withSection = suggestedQuestions('Report', [{ kind: 'section', label: 'Methods', start: 0, end: 9 }]);
    expect(withSection).toContain('What does the section “Methods” say?');
    expect(suggestedQuestions('', [])).toHaveLength(3);
  });

  it('plots ratios on a log axis and scales the error axis to a readable tick', () => {
    const g: PlotGeometry = { width: 210, height: 100, padLeft: 10, padRight: 0, padTop: 0, padBottom: 0 };
    expect(plotX(0.01, g)).toBe(10);
    expect(plotX(1, g)).toBeCloseTo(210);
    expect(plotX(0.1, g)).toBeCloseTo(110);
    expect(errorScaleMax([{ ratio: 0.1, outputError: 0.13 }], null)).toBe(0.2);
    expect(errorScaleMax([], 0.01)).toBe(0.05);
    expect(curvePath([{ ratio: 1, outputError: 0 }, { ratio: 0.01, outputError: 0.2 }], 0.2, g)).toBe('M10.0,0.0 L210.0,100.0');
  });

  it('finds the head grid cell or layer label under the pointer', () => {
    const g = gridGeometry(4, 2, 200);
    expect(cellAt(g, g.labelWidth + 1, g.headerHeight + 1)).toEqual({ layer: 0, head: 0 });
    expect(cellAt(g, g.labelWidth + g.cell + g.gap + 1, g.headerHeight + 3 * (g.cell + g.gap) + 1)).toEqual({ layer: 3, head: 1 });
    expect(cellAt(g, 2, g.headerHeight + 1)).toBeNull();
    expect(layerLabelAt(g, 2, g.headerHeight + (g.cell + g.gap) + 1)).toBe(1);
    expect(cellAt(g, 1000, 1000)).toBeNull();
  });

  it("shades grid cells between the heads' own smallest and largest value", () => {
    const { shades, min, max } = gridValues([0.1, 0.2, 0.3], 3);
    expect([min, max]).toEqual([0.1, 0.3]);
    shades.forEach((v, i) => expect(v).toBeCloseTo([0, 0.5, 1][i]));
    expect(gridValues([0.2, 0.2], 2).shades).toEqual([0.5, 0.5]);
  });
});
