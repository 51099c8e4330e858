import { memo } from 'react';
import { rowSegments, shadeLevel, type Shading } from '../../lib/retention-shading.js';

interface TextRowProps {
  text: string;
  start: number;
  end: number;
  charOffsets: Int32Array | null;
  shading: Shading | null;
  highlight: { start: number; end: number } | null;
}

/** One wrapped row of the document: a span per token, shaded by how many heads kept it. */
export const TextRow = memo(function TextRow({ text, start, end, charOffsets, shading, highlight }: TextRowProps) {
  // A row's own line break is where the row ends, not something to draw.
  const drawnEnd = end > start && text.charCodeAt(end - 1) === 10 ? end - 1 : end;
  const touchesHighlight = highlight && highlight.start < drawnEnd && highlight.end > start ? highlight : null;
  const segments = rowSegments(start, drawnEnd, charOffsets, touchesHighlight);
  return (
    <div className="doc-row">
      {segments.map((s) => {
        const level = shading && s.token >= 0 ? shadeLevel(shading.counts[s.token], shading.max) : -1;
        const className = `${s.token >= 0 ? 't' : 'gap'}${level >= 0 ? ` shade-${level}` : ''}${s.marked ? ' mark' : ''}`;
        return (
          <span key={s.start} className={className} data-t={s.token >= 0 ? s.token : undefined}>
            {text.slice(s.start, s.end)}
          </span>
        );
      })}
    </div>
  );
});
