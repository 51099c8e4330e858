/**
 * The document view wraps text into rows of at most `columns` characters (the view uses a monospace font, so a row
 * of N characters is always as wide as N columns) and renders only the rows in sight: every row has the same height,
 * so which rows are visible is arithmetic, and a 100k-token document costs what a screenful does.
 */

/** Start offset of every row; a row ends where the next begins (a row's own trailing newline is not drawn). */
export function wrapRows(text: string, columns: number): Int32Array {
  const width = Math.max(1, Math.floor(columns));
  const starts: number[] = [0];
  let lineStart = 0;
  // Where the current row could break: just after its last space.
  let breakAt = -1;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 /* \n */) {
      starts.push(i + 1);
      lineStart = i + 1;
      breakAt = -1;
      continue;
    }
    if (i - lineStart >= width) {
      lineStart = breakAt > lineStart ? breakAt : i;
      starts.push(lineStart);
      breakAt = -1;
    }
    if (c === 32 || c === 9 || c === 13) breakAt = i + 1;
  }
  return Int32Array.from(starts);
}

export function rowEnd(rowStarts: Int32Array, row: number, textLength: number): number {
  return row + 1 < rowStarts.length ? rowStarts[row + 1] : textLength;
}

/** The row holding character `offset`. */
export function rowOfOffset(rowStarts: Int32Array, offset: number): number {
  let lo = 0;
  let hi = rowStarts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (rowStarts[mid] <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

export interface RowWindow {
  /** First row to render, and one past the last. */
  first: number;
  last: number;
}

/** The rows in sight at `scrollTop`, with `overscan` rows either side so a fast scroll does not show blanks. */
export function visibleRows(scrollTop: number, viewportHeight: number, rowHeight: number, rowCount: number, overscan = 8): RowWindow {
  if (rowCount === 0 || rowHeight <= 0) return { first: 0, last: 0 };
  const top = Math.floor(Math.max(0, scrollTop) / rowHeight);
  const bottom = Math.ceil((Math.max(0, scrollTop) + Math.max(0, viewportHeight)) / rowHeight);
  return { first: Math.max(0, Math.min(rowCount, top - overscan)), last: Math.min(rowCount, bottom + overscan) };
}

/** The scroll position that puts `row` a third of the way down the viewport. */
export function scrollTopForRow(row: number, rowHeight: number, viewportHeight: number): number {
  return Math.max(0, row * rowHeight - viewportHeight / 3);
}
