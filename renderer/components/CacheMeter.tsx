import type { CacheStatus } from '../../main/ipc-contract.js';
import { mib } from '../format.js';

/** The KV cache as the engine last reported it, plus tokens streamed since (the engine reports between turns). */
export function CacheMeter({ status, streamed }: { status: CacheStatus | null; streamed: number }) {
  if (!status) return <span className="muted">No cache</span>;
  const fraction = status.allocatedBytes > 0 ? status.usedBytes / status.allocatedBytes : 0;
  return (
    <div className="cache-meter">
      <span>
        KV cache{' '}
        <output aria-label="Cache tokens" data-testid="cache-tokens">
          {status.logicalLength}
        </output>{' '}
        tokens{streamed > 0 && <span className="muted"> (+{streamed} streaming)</span>} · {status.slots} slots
      </span>
      <meter aria-label="Cache memory used" min={0} max={1} value={fraction} />
      <span data-testid="cache-memory">
        {mib(status.usedBytes)} / {mib(status.allocatedBytes)} MiB
      </span>
    </div>
  );
}
