import type { Source } from '../../../common/contract.js';
import { passageExcerpt, passageLabel, passagesOf } from '../../lib/sources.js';
import { showPassage } from '../../state/actions/ui.js';
import { useStore } from '../../state/store.js';

/** The passages an answer drew on; choosing one scrolls the document view to it and highlights it. */
export function SourceList({ sources }: { sources: Source[][] }) {
  const documentText = useStore((s) => s.document.text);
  const passages = passagesOf(sources);
  if (passages.length === 0) return null;
  return (
    <section className="sources" aria-label="Sources">
      <h3 className="sources-title">Sources</h3>
      <ol>
        {passages.map((p) => (
          <li key={`${p.start}:${p.end}`}>
            <button type="button" className="source" data-testid="source" onClick={() => showPassage(p.start, p.end)} title={`Drawn on by sentence ${p.sentences.join(', ')}`}>
              <span className="source-label">{passageLabel(p, documentText)}</span>
              <span className="source-text">“{passageExcerpt(p, documentText)}”</span>
            </button>
          </li>
        ))}
      </ol>
    </section>
  );
}
