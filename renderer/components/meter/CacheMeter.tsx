import { selectMeterCache } from '../../state/selectors.js';
import { useStore } from '../../state/store.js';
import { EngineFacts } from './EngineFacts.js';
import { LayerBars } from './LayerBars.js';
import { MemoryBars } from './MemoryBars.js';

/** "readDocument" → "read document". */
const busyLabel = (kind: string) => kind.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();

/** The KV cache, live: memory full vs now vs budget, slots, per-layer bars, weights and decode speed. */
export function CacheMeter() {
  const hasCache = useStore((s) => selectMeterCache(s) !== null);
  const busy = useStore((s) => s.engine.status?.busy?.kind ?? null);
  return (
    <section className="panel-section cache-meter" aria-labelledby="meter-title" data-testid="cache-meter">
      <h2 id="meter-title" className="section-title">
        KV cache {busy && <span className="busy-chip">{busyLabel(busy)}</span>}
      </h2>
      {hasCache ? (
        <>
          <MemoryBars />
          <LayerBars />
        </>
      ) : (
        <p className="muted small">No cache yet: it fills as the model reads or answers.</p>
      )}
      <EngineFacts />
    </section>
  );
}
