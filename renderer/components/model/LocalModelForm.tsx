import { useState } from 'react';
import { chooseModelFolder, loadModel } from '../../state/actions/model.js';
import { openCatalog } from '../../state/actions/ui.js';
import { useStore } from '../../state/store.js';

/** A Hugging Face model folder on this machine: the host's picker in Electron, a path in a browser. */
export function LocalModelForm() {
  const canPick = useStore((s) => s.session.hostInfo?.canOpenDialogs ?? false);
  const loading = useStore((s) => s.model.phase === 'loading');
  const [path, setPath] = useState('');
  const load = (dir?: string) => {
    openCatalog(false);
    void loadModel(dir);
  };
  return (
    <section className="local-model" aria-labelledby="local-model-title">
      <h3 id="local-model-title">A model folder on this machine</h3>
      {canPick ? (
        <button
          type="button"
          disabled={loading}
          onClick={() => {
            openCatalog(false);
            void chooseModelFolder();
          }}
        >
          Choose a folder…
        </button>
      ) : (
        <form
          className="row"
          onSubmit={(e) => {
            e.preventDefault();
            if (path.trim()) load(path.trim());
          }}
        >
          <label htmlFor="model-folder" className="visually-hidden">
            Model folder
          </label>
          <input id="model-folder" type="text" spellCheck={false} placeholder="/path/to/model-folder" value={path} onChange={(e) => setPath(e.target.value)} />
          <button type="submit" disabled={loading || !path.trim()}>
            Load
          </button>
        </form>
      )}
      <button type="button" className="link" disabled={loading} onClick={() => load()}>
        Load the demo model again
      </button>
    </section>
  );
}
