import { cssVars, percent } from '../../lib/css-vars.js';
import { formatBytes, formatCount, formatPercent } from '../../lib/format.js';
import { selectMeterCache } from '../../state/selectors.js';
import { useStore } from '../../state/store.js';

/** Bytes and slots: what the cache holds now against the same positions uncompacted, and against the budget. */
export function MemoryBars() {
  const cache = useStore(selectMeterCache);
  const budget = useStore((s) => s.engine.status?.kvBudgetBytes ?? s.session.settings?.kvBudgetBytes ?? 0);
  const layers = useStore((s) => s.model.info?.numLayers ?? 0);
  const kvHeads = useStore((s) => s.model.info?.numKvHeads ?? 0);
  if (!cache) return null;
  const fullSlots = cache.logicalLength * layers * kvHeads;
  const scale = Math.max(cache.fullBytes, cache.allocatedBytes, 1);
  return (
    <div className="memory-bars">
      <dl className="meter-numbers">
        <div>
          <dt>Now</dt>
          <dd data-testid="meter-used-bytes" data-value={cache.usedBytes}>
            {formatBytes(cache.usedBytes)}
          </dd>
        </div>
        <div>
          <dt>Full</dt>
          <dd data-testid="meter-full-bytes" data-value={cache.fullBytes}>
            {formatBytes(cache.fullBytes)}
          </dd>
        </div>
        <div>
          <dt>Budget</dt>
          <dd data-testid="meter-budget-bytes" data-value={budget}>
            {budget > 0 ? formatBytes(budget) : '–'}
          </dd>
        </div>
      </dl>
      <div
        className="bar memory"
        role="meter"
        aria-label="KV memory now, of the uncompacted size"
        aria-valuemin={0}
        aria-valuemax={cache.fullBytes}
        aria-valuenow={cache.usedBytes}
        aria-valuetext={`${formatBytes(cache.usedBytes)} of ${formatBytes(cache.fullBytes)} uncompacted (${formatBytes(cache.allocatedBytes - cache.usedBytes)} padding)`}
        style={cssVars({ '--used': percent(cache.usedBytes / scale), '--allocated': percent(cache.allocatedBytes / scale), '--full': percent(cache.fullBytes / scale) })}
      >
        <span className="bar-full" />
        <span className="bar-allocated" />
        <span className="bar-used" />
      </div>
      {budget > 0 && (
        <div
          className="bar budget"
          role="meter"
          aria-label="KV memory of the budget"
          aria-valuemin={0}
          aria-valuemax={budget}
          aria-valuenow={Math.min(budget, cache.allocatedBytes)}
          aria-valuetext={`${formatPercent(cache.allocatedBytes / budget)} of the ${formatBytes(budget)} budget`}
          style={cssVars({ '--used': percent(cache.allocatedBytes / budget) })}
        >
          <span className="bar-used" />
        </div>
      )}
      <p className="small">
        <span data-testid="meter-slots" data-value={cache.slots}>
          {formatCount(cache.slots)}
        </span>{' '}
        of{' '}
        <span data-testid="meter-full-slots" data-value={fullSlots}>
          {formatCount(fullSlots)}
        </span>{' '}
        slots{fullSlots > 0 && ` (${formatPercent(cache.slots / fullSlots)})`} for{' '}
        <span data-testid="meter-positions" data-value={cache.logicalLength}>
          {formatCount(cache.logicalLength)}
        </span>{' '}
        positions · {formatBytes(cache.allocatedBytes - cache.usedBytes)} padding
      </p>
    </div>
  );
}
