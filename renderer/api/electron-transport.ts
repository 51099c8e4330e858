import type { LongreadBridge } from '../../common/contract.js';
import type { SourceResult, Transport } from './transport.js';

/** Electron's preload bridge: requests and events go over IPC; a dropped file is known by its path. */
export class ElectronTransport implements Transport {
  readonly kind = 'electron';

  constructor(private readonly bridge: LongreadBridge) {}

  request: Transport['request'] = (name, payload) => this.bridge.request(name, payload);

  onEvent: Transport['onEvent'] = (listener) => this.bridge.onEvent(listener);

  sourceForFile(file: File): Promise<SourceResult> {
    const path = this.bridge.pathForFile?.(file) ?? '';
    if (!path) {
      return Promise.resolve({ ok: false, error: { code: 'UNSUPPORTED', message: `Longread could not find where “${file.name}” is on disk. Open it with the Open button instead.` } });
    }
    return Promise.resolve({ ok: true, value: { path } });
  }
}
