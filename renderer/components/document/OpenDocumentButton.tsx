import { useRef } from 'react';
import { DOCUMENT_ACCEPT } from '../../lib/document-types.js';
import { chooseDocument, openFile } from '../../state/actions/document.js';
import { useStore } from '../../state/store.js';

/** Opens a document: the host's own dialog in Electron, a file input in a browser. */
export function OpenDocumentButton({ id, label = 'Open document…', className }: { id?: string; label?: string; className?: string }) {
  const input = useRef<HTMLInputElement>(null);
  const hostDialog = useStore((s) => s.session.hostInfo?.canOpenDialogs ?? false);
  const busy = useStore((s) => s.document.phase === 'opening' || s.document.phase === 'reading');
  return (
    <>
      <button id={id} type="button" className={className} disabled={busy} aria-keyshortcuts={id ? 'Control+O' : undefined} onClick={() => (hostDialog ? void chooseDocument() : input.current?.click())}>
        {label}
      </button>
      {!hostDialog && (
        <input
          ref={input}
          type="file"
          className="visually-hidden"
          tabIndex={-1}
          aria-hidden="true"
          accept={DOCUMENT_ACCEPT}
          onChange={(e) => {
            const file = e.target.files?.[0];
            e.target.value = '';
            if (file) void openFile(file);
          }}
        />
      )}
    </>
  );
}
