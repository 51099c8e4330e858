import { formatBytes } from '../../lib/format.js';
import { cancelModelLoad, loadModel } from '../../state/actions/model.js';
import { openCatalog } from '../../state/actions/ui.js';
import { useStore } from '../../state/store.js';
import { ErrorNote } from '../shared/ErrorNote.js';
import { ProgressLine } from '../shared/ProgressLine.js';

/** The loaded model, its loading progress or failure, and the way to other models. */
export function ModelStatus() {
  const phase = useStore((s) => s.model.phase);
  const info = useStore((s) => s.model.info);
  const progress = useStore((s) => s.model.progress);
  const error = useStore((s) => s.model.error);
  return (
    <section className="model-status" aria-labelledby="model-title">
      <h2 id="model-title" className="section-title">
        Model
      </h2>
      {info && (
        <p className="small" data-testid="model-name">
          <strong>{info.name}</strong>
          {info.isDemo && <span className="badge">demo</span>}
          <br />
          <span className="muted">
            {info.numLayers} layers · {info.numKvHeads} KV heads · {info.weights} · {formatBytes(info.weightsBytes)} · {info.executionProvider}
          </span>
        </p>
      )}
      {phase === 'loading' && (
        <>
          <ProgressLine progress={progress} label="Model loading progress" />
          <button type="button" className="small-button" onClick={() => void cancelModelLoad()}>
            Cancel
          </button>
        </>
      )}
      {error && <ErrorNote error={error} />}
      {phase === 'failed' && (
        <button type="button" className="small-button" onClick={() => void loadModel()}>
          Load the demo model
        </button>
      )}
      <button type="button" className="small-button" onClick={() => openCatalog(true)}>
        Models…
      </button>
    </section>
  );
}
