import { useEffect } from 'react';
import { useStore } from '../../state/store.js';

/** Puts the chosen theme on <html>; "system" leaves it to prefers-color-scheme. */
export function ThemeSync() {
  const theme = useStore((s) => s.session.settings?.theme ?? 'system');
  useEffect(() => {
    if (theme === 'system') delete document.documentElement.dataset.theme;
    else document.documentElement.dataset.theme = theme;
  }, [theme]);
  return null;
}
