import { formatBytes, tokensPerSecond } from '../../lib/format.js';
import { useStore } from '../../state/store.js';

/** Model weights in memory, the process's memory and decode speed on the current cache. */
export function EngineFacts() {
  const weights = useStore((s) => s.model.info?.weightsBytes ?? null);
  const rss = useStore((s) => s.engine.status?.rssBytes ?? null);
  const decode = useStore((s) => s.engine.status?.decodeMsPerToken ?? null);
  return (
    <dl className="engine-facts small">
      <div>
        <dt>Weights</dt>
        <dd data-testid="meter-weights">{weights === null ? '–' : formatBytes(weights)}</dd>
      </div>
      <div>
        <dt>Engine memory</dt>
        <dd>{rss ? formatBytes(rss) : '–'}</dd>
      </div>
      <div>
        <dt>Decode</dt>
        <dd data-testid="meter-decode">{tokensPerSecond(decode)}</dd>
      </div>
    </dl>
  );
}
