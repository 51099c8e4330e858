import { useMemo } from 'react';
import { suggestedQuestions } from '../../lib/suggested-questions.js';
import { ask, summarize } from '../../state/actions/chat.js';
import { selectCanAsk } from '../../state/selectors.js';
import { useStore } from '../../state/store.js';

/** For a document with no conversation yet: Summarize, and a few questions to start with. */
export function SuggestedQuestions() {
  const title = useStore((s) => s.document.info?.title ?? '');
  const parts = useStore((s) => s.document.parts);
  const canAsk = useStore(selectCanAsk);
  const questions = useMemo(() => suggestedQuestions(title, parts), [title, parts]);
  return (
    <section className="suggestions" aria-label="Suggestions">
      <button type="button" className="primary" disabled={!canAsk} onClick={() => void summarize()}>
        Summarize
      </button>
      {questions.map((q) => (
        <button key={q} type="button" className="suggestion" disabled={!canAsk} onClick={() => void ask(q)}>
          {q}
        </button>
      ))}
    </section>
  );
}
