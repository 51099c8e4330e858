import { cancelDocumentOperation } from '../../state/actions/document.js';
import { useStore } from '../../state/store.js';
import { ProgressLine, STAGE_LABELS } from '../shared/ProgressLine.js';

const READING_STAGES = ['tokenize', 'read', 'reference-queries', 'compact'];

/** Reading a document into the cache: which stage, how far, how fast, how long still; and Cancel. */
export function ReadingProgress() {
  const title = useStore((s) => s.document.info?.title || s.document.info?.name);
  const progress = useStore((s) => s.document.progress);
  const current = progress ? READING_STAGES.indexOf(progress.stage) : 0;
  return (
    <section className="card reading" aria-label="Reading the document" aria-busy="true" data-testid="reading-progress">
      <h2 className="card-title">Reading “{title}”…</h2>
      <ol className="stages" aria-label="Stages">
        {READING_STAGES.map((stage, i) => (
          <li key={stage} className={i < current ? 'done' : i === current ? 'current' : ''} aria-current={i === current ? 'step' : undefined}>
            {STAGE_LABELS[stage]}
          </li>
        ))}
      </ol>
      <ProgressLine progress={progress} label="Reading progress" />
      <button type="button" onClick={() => void cancelDocumentOperation()}>
        Cancel reading
      </button>
    </section>
  );
}
