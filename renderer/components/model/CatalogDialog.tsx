import { openCatalog } from '../../state/actions/ui.js';
import { useStore } from '../../state/store.js';
import { Dialog } from '../shared/Dialog.js';
import { ErrorNote } from '../shared/ErrorNote.js';
import { CatalogRow } from './CatalogRow.js';
import { LocalModelForm } from './LocalModelForm.js';

/** Models to download (size, context, whether they fit this machine) and a local folder to open. */
export function CatalogDialog() {
  const open = useStore((s) => s.ui.catalogOpen);
  const repos = useStore((s) => s.catalog.entries?.map((e) => e.repo).join('\n') ?? null);
  const error = useStore((s) => s.catalog.error);
  return (
    <Dialog open={open} onClose={() => openCatalog(false)} title="Models" testId="catalog">
      {error && <ErrorNote error={error} />}
      {repos === null ? (
        <p className="muted">Loading the catalog…</p>
      ) : (
        <table className="catalog">
          <thead>
            <tr>
              <th scope="col">Model</th>
              <th scope="col">Download</th>
              <th scope="col">Context</th>
              <th scope="col">This machine</th>
              <th scope="col">
                <span className="visually-hidden">Action</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {repos.split('\n').filter(Boolean).map((repo) => (
              <CatalogRow key={repo} repo={repo} />
            ))}
          </tbody>
        </table>
      )}
      <LocalModelForm />
    </Dialog>
  );
}
