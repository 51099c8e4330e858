/**
 * How long the visualizer takes to show a new retention map: from the moment the map enters the store to the
 * moment the text and the grid are rendered and laid out. Recorded as a performance measure, so a benchmark in the
 * browser can read it (`performance.getEntriesByName(VISUALIZER_MEASURE)`); it costs nothing otherwise.
 */
export const VISUALIZER_MEASURE = 'longread:visualizer-render';
const APPLIED_MARK = 'longread:retention-applied';

export function markRetentionApplied(): void {
  performance.mark(APPLIED_MARK);
}

export function measureVisualizerRendered(): void {
  if (performance.getEntriesByName(APPLIED_MARK, 'mark').length === 0) return;
  performance.measure(VISUALIZER_MEASURE, APPLIED_MARK);
  performance.clearMarks(APPLIED_MARK);
}
