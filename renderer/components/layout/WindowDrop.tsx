import { useEffect } from 'react';
import { openFile } from '../../state/actions/document.js';

/**
 * A file dropped anywhere in the window is opened as a document, and never navigated to (which would replace the
 * app with the file, in Electron as in a browser). The drop zone handles its own drops and stops them here.
 */
export function WindowDrop() {
  useEffect(() => {
    const onDragOver = (e: DragEvent) => e.preventDefault();
    const onDrop = (e: DragEvent) => {
      e.preventDefault();
      const file = e.dataTransfer?.files[0];
      if (file) void openFile(file);
    };
    window.addEventListener('dragover', onDragOver);
    window.addEventListener('drop', onDrop);
    return () => {
      window.removeEventListener('dragover', onDragOver);
      window.removeEventListener('drop', onDrop);
    };
  }, []);
  return null;
}
