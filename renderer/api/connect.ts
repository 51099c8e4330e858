import { HTTP_TOKEN_QUERY } from '../../common/channels.js';
import type { LongreadBridge } from '../../common/contract.js';
import { ElectronTransport } from './electron-transport.js';
import { HttpTransport } from './http-transport.js';
import type { Transport } from './transport.js';

declare global {
  interface Window {
    /** Set by the Electron preload; absent in a browser. */
    longread?: LongreadBridge;
  }
}

const TOKEN_STORAGE_KEY = 'longread.token';

/** Electron's bridge when present; otherwise the HTTP host this page was served from. */
export function connect(): Transport {
  if (window.longread) return new ElectronTransport(window.longread);
  return new HttpTransport(takeToken(), './');
}

/**
 * The server prints a URL with `#token=…`. The token is moved to session storage (so a reload keeps working) and
 * removed from the address bar, so it is not left in history or screenshots.
 */
function takeToken(): string {
  const fromHash = new URLSearchParams(window.location.hash.slice(1)).get(HTTP_TOKEN_QUERY);
  if (fromHash) {
    sessionStorage.setItem(TOKEN_STORAGE_KEY, fromHash);
    history.replaceState(null, '', window.location.pathname + window.location.search);
    return fromHash;
  }
  return sessionStorage.getItem(TOKEN_STORAGE_KEY) ?? '';
}
