import { useEffect, useLayoutEffect, useMemo, useRef, useState, type MouseEvent } from 'react';
import { cssVars } from '../../lib/css-vars.js';
import type { Shading } from '../../lib/retention-shading.js';
import { rowEnd, rowOfOffset, scrollTopForRow, visibleRows, wrapRows } from '../../lib/text-rows.js';
import { TextRow } from './TextRow.js';

interface VirtualTextProps {
  text: string;
  charOffsets: Int32Array | null;
  shading: Shading | null;
  highlight: { start: number; end: number } | null;
  scrollRequest: { offset: number; nonce: number } | null;
  onHoverToken(token: number | null): void;
}

interface Metrics {
  charWidth: number;
  rowHeight: number;
  width: number;
  height: number;
}

const PROBE = 'MMMMMMMMMMMMMMMMMMMM';

/** The document's text, wrapped into equal rows of which only those in sight (and a few more) exist in the DOM. */
export function VirtualText({ text, charOffsets, shading, highlight, scrollRequest, onHoverToken }: VirtualTextProps) {
  const scroller = useRef<HTMLDivElement>(null);
  const probe = useRef<HTMLSpanElement>(null);
  const [metrics, setMetrics] = useState<Metrics>({ charWidth: 8, rowHeight: 22, width: 640, height: 480 });
  const [scrollTop, setScrollTop] = useState(0);
  const frame = useRef(0);
  const handledScroll = useRef(0);

  useLayoutEffect(() => {
    const el = scroller.current;
    const p = probe.current;
    if (!el || !p) return;
    const measure = () => {
      const box = p.getBoundingClientRect();
      const style = getComputedStyle(el);
      const padding = parseFloat(style.paddingLeft) + parseFloat(style.paddingRight);
      setMetrics({ charWidth: box.width / PROBE.length || 8, rowHeight: box.height || 22, width: el.clientWidth - padding, height: el.clientHeight });
    };
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(el);
    return () => observer.disconnect();
  }, []);

  const columns = Math.max(16, Math.floor(metrics.width / metrics.charWidth));
  const rowStarts = useMemo(() => wrapRows(text, columns), [text, columns]);
  const { first, last } = visibleRows(scrollTop, metrics.height, metrics.rowHeight, rowStarts.length);

  useEffect(() => {
    const el = scroller.current;
    if (!el || !scrollRequest || scrollRequest.nonce === handledScroll.current) return;
    handledScroll.current = scrollRequest.nonce;
    el.scrollTop = scrollTopForRow(rowOfOffset(rowStarts, scrollRequest.offset), metrics.rowHeight, metrics.height);
    setScrollTop(el.scrollTop);
  }, [scrollRequest, rowStarts, metrics]);

  const onScroll = () => {
    cancelAnimationFrame(frame.current);
    frame.current = requestAnimationFrame(() => setScrollTop(scroller.current?.scrollTop ?? 0));
  };
  const onMouseOver = (e: MouseEvent) => {
    const token = (e.target as HTMLElement).closest<HTMLElement>('[data-t]')?.dataset.t;
    onHoverToken(token === undefined ? null : Number(token));
  };

  const rows = [];
  for (let row = first; row < last; row++) {
    rows.push(<TextRow key={row} text={text} start={rowStarts[row]} end={rowEnd(rowStarts, row, text.length)} charOffsets={charOffsets} shading={shading} highlight={highlight} />);
  }
  return (
    <div
      ref={scroller}
      className="doc-scroll"
      role="region"
      aria-label="Document text"
      tabIndex={0}
      data-testid="document-text"
      data-rows={rowStarts.length}
      onScroll={onScroll}
      onMouseOver={onMouseOver}
      onMouseLeave={() => onHoverToken(null)}
    >
      <span ref={probe} className="doc-probe" aria-hidden="true">
        {PROBE}
      </span>
      <div className="doc-spacer" style={cssVars({ '--height': `${rowStarts.length * metrics.rowHeight}px` })}>
        <div className="doc-rows" style={cssVars({ '--offset': `${first * metrics.rowHeight}px` })}>
          {rows}
        </div>
      </div>
    </div>
  );
}
