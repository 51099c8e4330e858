import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// Built once into renderer/dist and loaded from disk (Electron) or from the localhost server: relative URLs only.
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './',
  publicDir: false,
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'chrome128',
    // An inline preload helper would break the CSP (no inline scripts).
    modulePreload: { polyfill: false },
    chunkSizeWarningLimit: 1024,
  },
});
