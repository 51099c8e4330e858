import { useEffect, useRef } from 'react';
import { formatPercent } from '../../lib/format.js';
import { positionFromRatio, ratioFromPosition, SLIDER_STEPS } from '../../lib/log-scale.js';
import { chooseRatio } from '../../state/actions/compression.js';
import { useStore } from '../../state/store.js';

/** Keep-ratio from 100% down to 1% on a log scale; moving it re-compacts once it rests. */
export function RatioSlider() {
  const ratio = useStore((s) => s.compression.ratio);
  const pending = useStore((s) => s.compression.pendingOperationId !== null);
  const locked = useStore((s) => s.document.phase === 'reading' || s.document.phase === 'opening' || (s.document.phase === 'ready' && s.compression.view?.canRecompact === false));
  const focusNonce = useStore((s) => s.ui.focusSliderNonce);
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (focusNonce > 0) input.current?.focus();
  }, [focusNonce]);
  return (
    <div className="ratio-slider">
      <div className="slider-head">
        <label htmlFor="keep-ratio">Keep</label>
        <output htmlFor="keep-ratio" data-testid="ratio-value" data-value={ratio} aria-live="off">
          {formatPercent(ratio)}
        </output>
        {pending && <span className="busy-chip">re-compacting…</span>}
      </div>
      <input
        id="keep-ratio"
        ref={input}
        type="range"
        min={0}
        max={SLIDER_STEPS}
        step={1}
        value={positionFromRatio(ratio)}
        disabled={locked}
        aria-keyshortcuts="Alt+K"
        aria-valuetext={`${formatPercent(ratio)} of the document's cache kept`}
        onChange={(e) => chooseRatio(ratioFromPosition(Number(e.target.value)))}
      />
      <div className="slider-ticks" aria-hidden="true">
        <span>1%</span>
        <span>10%</span>
        <span>100%</span>
      </div>
    </div>
  );
}
