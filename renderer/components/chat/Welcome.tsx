import { openCatalog } from '../../state/actions/ui.js';
import { useStore } from '../../state/store.js';
import { DropZone } from '../document/DropZone.js';

/** First run: what Longread does, the drop zone, and where better models are. */
export function Welcome() {
  const demo = useStore((s) => s.model.info?.isDemo ?? false);
  const modelName = useStore((s) => s.model.info?.name ?? null);
  return (
    <section className="welcome" aria-labelledby="welcome-title">
      <h1 id="welcome-title">Read a long document once. Keep it in mind.</h1>
      <p className="muted">
        The model reads your document a single time; its memory of it is compacted with Attention Matching, so questions are answered from the compacted cache — fast, and
        small enough to keep.
      </p>
      <DropZone />
      {demo && (
        <p className="hint" data-testid="demo-hint">
          {modelName} is a tiny demo model: it writes stories rather than answers.{' '}
          <button type="button" className="link" onClick={() => openCatalog(true)}>
            Download a real model
          </button>{' '}
          for useful answers.
        </p>
      )}
    </section>
  );
}
