import { useEffect, useRef, type ReactNode } from 'react';

/** A modal <dialog>: the browser keeps focus inside it and closes it on Escape. */
export function Dialog({ open, onClose, title, children, testId }: { open: boolean; onClose(): void; title: string; children: ReactNode; testId?: string }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
  }, [open]);
  const titleId = `${title.replace(/\W+/g, '-').toLowerCase()}-dialog-title`;
  return (
    <dialog ref={ref} className="dialog" aria-labelledby={titleId} onClose={onClose} data-testid={testId}>
      <header className="dialog-header">
        <h2 id={titleId}>{title}</h2>
        <button type="button" className="icon-button" aria-label="Close" onClick={onClose}>
          ×
        </button>
      </header>
      {open && children}
    </dialog>
  );
}
