import { cancelDocumentOperation } from '../../state/actions/document.js';
import { useStore } from '../../state/store.js';
import { ProgressLine } from '../shared/ProgressLine.js';

/** Uploading, extracting and tokenizing a file, or opening one from the library. */
export function OpeningProgress() {
  const name = useStore((s) => s.document.fileName);
  const progress = useStore((s) => s.document.progress);
  const cancellable = useStore((s) => s.document.operationId !== null);
  return (
    <section className="card" aria-label="Opening the document" aria-busy="true">
      <h2 className="card-title">Opening {name ? `“${name}”` : 'the document'}…</h2>
      <ProgressLine progress={progress} label="Opening progress" testId="opening-progress" />
      {cancellable && (
        <button type="button" onClick={() => void cancelDocumentOperation()}>
          Cancel
        </button>
      )}
    </section>
  );
}
