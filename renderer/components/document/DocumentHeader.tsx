import { formatCount } from '../../lib/format.js';
import { closeDocument } from '../../state/actions/document.js';
import { useStore } from '../../state/store.js';

/** The document being talked about, once read. */
export function DocumentHeader() {
  const title = useStore((s) => s.document.info?.title || s.document.info?.name || '');
  const tokens = useStore((s) => s.document.info?.tokens ?? 0);
  const format = useStore((s) => s.document.info?.format ?? '');
  return (
    <header className="document-header">
      <div>
        <h2 className="card-title" data-testid="document-title">
          {title}
        </h2>
        <p className="muted small">
          {format.toUpperCase()} · {formatCount(tokens)} tokens · read and compacted
        </p>
      </div>
      <button type="button" className="quiet" onClick={() => void closeDocument()}>
        Close document
      </button>
    </header>
  );
}
