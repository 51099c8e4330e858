import { useLayoutEffect } from 'react';
import { measureVisualizerRendered } from '../../lib/render-timing.js';
import { useStore } from '../../state/store.js';

/**
 * Rendered last, so its layout effect runs after the text's and the grid's: the time from a retention map entering
 * the store to both being rendered and laid out (the layout read forces the browser to do that work now).
 */
export function RenderTimer() {
  const data = useStore((s) => s.retention.data);
  useLayoutEffect(() => {
    if (!data) return;
    void document.body.getBoundingClientRect();
    measureVisualizerRendered();
  }, [data]);
  return null;
}
