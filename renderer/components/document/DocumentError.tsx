import { dismissDocumentError } from '../../state/actions/document.js';
import { useStore } from '../../state/store.js';
import { ErrorNote } from '../shared/ErrorNote.js';

/** Why the last document could not be opened or read, in place. */
export function DocumentError() {
  const error = useStore((s) => s.document.error);
  return error ? <ErrorNote error={error} onDismiss={dismissDocumentError} testId="document-error" /> : null;
}
