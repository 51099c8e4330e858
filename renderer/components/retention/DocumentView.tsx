import { hoverToken } from '../../state/actions/retention.js';
import { clearHighlight } from '../../state/actions/ui.js';
import { useStore } from '../../state/store.js';
import { ShadeLegend } from './ShadeLegend.js';
import { TokenInspector } from './TokenInspector.js';
import { useShading } from './use-shading.js';
import { VirtualText } from './VirtualText.js';

/** The read document, every token shaded by how much of the compacted cache kept it. */
export function DocumentView() {
  const text = useStore((s) => s.document.text);
  const charOffsets = useStore((s) => s.retention.data?.charOffsets ?? null);
  const highlight = useStore((s) => s.ui.highlight);
  const scrollRequest = useStore((s) => s.ui.scrollRequest);
  const shading = useShading();
  return (
    <section className="document-view" aria-labelledby="document-view-title">
      <header className="document-view-bar">
        <h2 id="document-view-title" className="section-title">
          What the cache kept
        </h2>
        <ShadeLegend />
        {highlight && (
          <button type="button" className="small-button" onClick={clearHighlight}>
            Clear highlight
          </button>
        )}
      </header>
      {text === null ? (
        <p className="muted small doc-loading">Loading the text…</p>
      ) : (
        <VirtualText text={text} charOffsets={charOffsets} shading={shading} highlight={highlight} scrollRequest={scrollRequest} onHoverToken={hoverToken} />
      )}
      <TokenInspector />
    </section>
  );
}
