import { useState, type DragEvent } from 'react';
import { DOCUMENT_ACCEPT } from '../../lib/document-types.js';
import { openFile } from '../../state/actions/document.js';
import { useStore } from '../../state/store.js';

/** Where a document is dropped or chosen: txt, md, pdf, docx, html. */
export function DropZone({ compact = false }: { compact?: boolean }) {
  const [over, setOver] = useState(false);
  const busy = useStore((s) => s.document.phase === 'opening' || s.document.phase === 'reading');
  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    e.stopPropagation();
    setOver(false);
    const file = e.dataTransfer.files[0];
    if (file) void openFile(file);
  };
  return (
    <section
      className={`drop-zone${over ? ' over' : ''}${compact ? ' compact' : ''}`}
      aria-label="Drop a document here"
      data-testid="drop-zone"
      onDragEnter={(e) => {
        e.preventDefault();
        setOver(true);
      }}
      onDragOver={(e) => e.preventDefault()}
      onDragLeave={() => setOver(false)}
      onDrop={onDrop}
    >
      <p className="drop-title">{compact ? 'Drop another document here' : 'Drop a long document here'}</p>
      {!compact && <p className="muted">Text, Markdown, PDF, Word (.docx) or HTML. The model reads it once; then ask anything about it.</p>}
      <label className="button-like">
        Choose a file…
        <input
          type="file"
          className="visually-hidden"
          aria-label="Choose document file"
          accept={DOCUMENT_ACCEPT}
          disabled={busy}
          onChange={(e) => {
            const file = e.target.files?.[0];
            e.target.value = '';
            if (file) void openFile(file);
          }}
        />
      </label>
    </section>
  );
}
