import { formatBytes, formatCount } from '../../lib/format.js';
import { cancelDownload, downloadModel } from '../../state/actions/catalog.js';
import { loadModel } from '../../state/actions/model.js';
import { openCatalog } from '../../state/actions/ui.js';
import { useStore } from '../../state/store.js';
import { ErrorNote } from '../shared/ErrorNote.js';
import { ProgressLine } from '../shared/ProgressLine.js';

/** One catalog model: what it costs, and Download / Resume / Cancel / Use. */
export function CatalogRow({ repo }: { repo: string }) {
  const entry = useStore((s) => s.catalog.entries?.find((e) => e.repo === repo));
  const download = useStore((s) => s.catalog.downloads[repo]);
  const loading = useStore((s) => s.model.phase === 'loading');
  if (!entry) return null;
  const localDir = entry.localDir ?? download?.modelDir ?? null;
  const use = () => {
    openCatalog(false);
    void loadModel(localDir!);
  };
  return (
    <tr>
      <th scope="row">
        {entry.name}
        <span className="muted small"> {entry.parameters}</span>
      </th>
      <td>{formatBytes(entry.downloadBytes)}</td>
      <td>{formatCount(entry.contextLength)} tokens</td>
      <td>{entry.fitsMemory ? 'fits' : <span className="warning-text">needs more memory</span>}</td>
      <td className="catalog-action">
        {download?.state === 'running' ? (
          <>
            <ProgressLine progress={download.progress} label={`Downloading ${entry.name}`} />
            <button type="button" className="small-button" onClick={() => void cancelDownload(repo)}>
              Cancel
            </button>
          </>
        ) : localDir ? (
          <button type="button" className="small-button primary" disabled={loading} onClick={use}>
            Use
          </button>
        ) : (
          <button type="button" className="small-button" onClick={() => void downloadModel(repo)} aria-label={`${download ? 'Resume downloading' : 'Download'} ${entry.name}`}>
            {download ? 'Resume' : 'Download'}
          </button>
        )}
        {download?.error && <ErrorNote error={download.error} />}
      </td>
    </tr>
  );
}
