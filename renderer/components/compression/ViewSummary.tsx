import { formatCount, formatPercent } from '../../lib/format.js';
import { METHOD_LABELS } from '../../lib/methods.js';
import { readDocument } from '../../state/actions/document.js';
import { useStore } from '../../state/store.js';
import { ErrorNote } from '../shared/ErrorNote.js';

/** What the engine compacted to, what it kept and how faithful it is; or how to get a view at all. */
export function ViewSummary() {
  const view = useStore((s) => s.compression.view);
  const ratio = useStore((s) => s.compression.ratio);
  const error = useStore((s) => s.compression.error);
  const phase = useStore((s) => s.document.phase);
  if (error) return <ErrorNote error={error} />;
  if (!view) {
    return <p className="muted small">{phase === 'opened' ? 'The document will be compacted to this when it is read.' : 'Read a document to compact its cache.'}</p>;
  }
  return (
    <div className="view-summary" data-testid="view-summary" data-ratio={view.ratio} data-method={view.method} data-document-slots={view.documentSlots}>
      <p className="small">
        {METHOD_LABELS[view.method]} kept <strong>{formatCount(view.documentSlots)}</strong> slots for {formatCount(view.documentTokens)} tokens ({formatPercent(view.ratio)}) in{' '}
        {formatCount(view.compactionMs)} ms.
      </p>
      <p className="small">
        Output error <strong data-testid="fidelity-error">{view.fidelity.outputError.toFixed(3)}</strong> · agreement {formatPercent(view.fidelity.agreement)}
      </p>
      {!view.canRecompact && Math.abs(ratio - view.ratio) > 1e-9 && (
        <p className="hint">
          This view cannot be re-compacted in place.{' '}
          <button type="button" className="link" onClick={() => void readDocument()}>
            Read again at {formatPercent(ratio)}
          </button>
        </p>
      )}
    </div>
  );
}
