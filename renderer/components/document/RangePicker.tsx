import { useState, type FormEvent } from 'react';
import { openRange } from '../../state/actions/document.js';
import { useStore } from '../../state/store.js';

/** Chooses the part of a too-long document to read: pages of a PDF, characters of anything else. */
export function RangePicker() {
  const info = useStore((s) => s.document.info);
  const pages = info?.parts.filter((p) => p.kind === 'page') ?? [];
  const byPage = info?.format === 'pdf' && pages.length > 0;
  const maxChars = info?.maxChars ?? 0;
  // A first guess that fits: as many pages as the character budget allows.
  const firstTooFar = pages.findIndex((p) => p.end > maxChars);
  const pagesThatFit = firstTooFar === -1 ? pages.length : Math.max(1, firstTooFar);
  const [first, setFirst] = useState(1);
  const [last, setLast] = useState(byPage ? pagesThatFit : maxChars);
  if (!info) return null;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void openRange(byPage ? { firstPage: first, lastPage: last } : { start: first - 1, end: last });
  };
  return (
    <form className="range-picker" onSubmit={submit} aria-label="Part of the document to read">
      <div className="field">
        <label htmlFor="range-first">{byPage ? 'First page' : 'From character'}</label>
        <input id="range-first" type="number" min={1} max={byPage ? pages.length : info.chars} value={first} onChange={(e) => setFirst(Math.max(1, Math.round(Number(e.target.value)) || 1))} />
      </div>
      <div className="field">
        <label htmlFor="range-last">{byPage ? 'Last page' : 'To character'}</label>
        <input id="range-last" type="number" min={first} max={byPage ? pages.length : info.chars} value={last} onChange={(e) => setLast(Math.max(first, Math.round(Number(e.target.value)) || first))} />
      </div>
      <button type="submit">Open this part</button>
    </form>
  );
}
