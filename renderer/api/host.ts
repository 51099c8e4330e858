import type { Transport } from './transport.js';

let current: Transport | null = null;

/** Set once at startup (main.tsx); actions reach the host through here so components stay transport-agnostic. */
export function setHost(transport: Transport): void {
  current = transport;
}

export function host(): Transport {
  if (!current) throw new Error('The host connection is not set up yet');
  return current;
}
