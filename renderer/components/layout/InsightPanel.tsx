import { CompressionControl } from '../compression/CompressionControl.js';
import { CacheMeter } from '../meter/CacheMeter.js';
import { RetentionPanel } from '../retention/RetentionPanel.js';

/** The right-hand column: the cache, the compression slider and the heads. */
export function InsightPanel() {
  return (
    <aside className="insight-panel" aria-label="Cache and compression">
      <CacheMeter />
      <CompressionControl />
      <RetentionPanel />
    </aside>
  );
}
