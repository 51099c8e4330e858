import { useStore } from '../../state/store.js';
import { ErrorNote } from '../shared/ErrorNote.js';
import { LibraryItem } from './LibraryItem.js';

/** Documents read before: they open again without reading. */
export function LibrarySidebar() {
  const ids = useStore((s) => s.library.entries.map((e) => e.libraryId).join('\n'));
  const loaded = useStore((s) => s.library.loaded);
  const error = useStore((s) => s.library.error);
  const list = ids ? ids.split('\n') : [];
  return (
    <nav className="library" aria-labelledby="library-title">
      <h2 id="library-title" className="section-title">
        Library
      </h2>
      {error && <ErrorNote error={error} />}
      {loaded && list.length === 0 && <p className="muted small">Documents you read are kept here, and open again instantly.</p>}
      <ul className="library-list" data-testid="library">
        {list.map((id) => (
          <LibraryItem key={id} libraryId={id} />
        ))}
      </ul>
    </nav>
  );
}
