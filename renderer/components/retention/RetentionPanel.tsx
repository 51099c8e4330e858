import { useStore } from '../../state/store.js';
import { ErrorNote } from '../shared/ErrorNote.js';
import { HeadChooser } from './HeadChooser.js';
import { HeadGrid } from './HeadGrid.js';

/** The (layer, head) grid and the choice of what the document text is shaded by. */
export function RetentionPanel() {
  const hasData = useStore((s) => s.retention.data !== null);
  const error = useStore((s) => s.retention.error);
  const kept = useStore((s) => {
    const d = s.retention.data;
    return d ? `${d.numLayers} layers × ${d.numKvHeads} KV heads` : '';
  });
  return (
    <section className="panel-section retention" aria-labelledby="retention-title">
      <h2 id="retention-title" className="section-title">
        Heads
      </h2>
      {error && <ErrorNote error={error} />}
      {hasData ? (
        <>
          <p className="muted small">{kept}: click a cell for the tokens one head kept, a layer label for the layer.</p>
          <HeadChooser />
          <HeadGrid />
        </>
      ) : (
        <p className="muted small">Which tokens each (layer, head) kept appears here once a document is read.</p>
      )}
    </section>
  );
}
