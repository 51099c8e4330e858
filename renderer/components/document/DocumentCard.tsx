import { formatBytes, formatCount, formatDuration, formatPercent } from '../../lib/format.js';
import { kvBytesAt } from '../../lib/estimates.js';
import { METHOD_LABELS } from '../../lib/methods.js';
import { closeDocument, readDocument } from '../../state/actions/document.js';
import { openFromLibrary } from '../../state/actions/library.js';
import { useStore } from '../../state/store.js';
import { RangePicker } from './RangePicker.js';

/** An opened document before reading: its size, the time and memory reading takes, and whether it fits. */
export function DocumentCard() {
  const info = useStore((s) => s.document.info);
  const ratio = useStore((s) => s.compression.ratio);
  const method = useStore((s) => s.compression.method);
  if (!info) return null;
  const { estimate } = info;
  return (
    <section className="card document-card" aria-labelledby="document-card-title" data-testid="document-card">
      <h2 className="card-title" id="document-card-title">
        {info.title || info.name}
      </h2>
      <p className="muted">
        {info.name} · {info.format.toUpperCase()} · {formatBytes(info.fileBytes)}
        {info.range && ` · characters ${formatCount(info.range.start)}–${formatCount(info.range.end)}`}
      </p>
      <dl className="facts">
        <div>
          <dt>Tokens</dt>
          <dd data-testid="document-tokens">{formatCount(info.tokens)}</dd>
        </div>
        <div>
          <dt>Reading takes about</dt>
          <dd data-testid="document-read-time">{formatDuration(estimate.readSeconds * 1000)}</dd>
        </div>
        <div>
          <dt>KV memory, full</dt>
          <dd>{formatBytes(estimate.kvBytesFull)}</dd>
        </div>
        <div>
          <dt>At {formatPercent(ratio)} kept</dt>
          <dd data-testid="document-kv-at-ratio">{formatBytes(kvBytesAt(estimate, ratio))}</dd>
        </div>
      </dl>
      <p className="muted small">
        Compacted with {METHOD_LABELS[method]} to {formatPercent(ratio)}: change both under Compression. Reading runs at about {formatCount(estimate.prefillTokensPerSec)} tokens/s on this
        machine.
      </p>
      {info.libraryId && (
        <p className="hint">
          You have read this file with this model before.{' '}
          <button type="button" className="link" onClick={() => void openFromLibrary(info.libraryId!)}>
            Open it from the library instantly
          </button>
        </p>
      )}
      {!info.fits && (
        <div className="warning" role="alert">
          <p>
            This document is too long for the model: it reads at most {formatCount(info.maxTokens)} tokens (about {formatCount(info.maxChars)} characters) and this one has{' '}
            {formatCount(info.tokens)}. Choose the part to read:
          </p>
          <RangePicker />
        </div>
      )}
      <div className="actions">
        <button type="button" className="primary" disabled={!info.fits} onClick={() => void readDocument()}>
          Read the document
        </button>
        <button type="button" onClick={() => void closeDocument()}>
          Close
        </button>
      </div>
    </section>
  );
}
