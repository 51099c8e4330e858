import type { HostInfo, ReplyError, Settings } from '../../../common/contract.js';

/** Something about the engine itself (it crashed, it was restarted), shown above everything until dismissed. */
export interface Notice {
  kind: 'crash' | 'restarted' | 'error';
  message: string;
}

export interface SessionSlice {
  hostInfo: HostInfo | null;
  settings: Settings | null;
  settingsError: ReplyError | null;
  notice: Notice | null;
}

export const initialSession = (): SessionSlice => ({ hostInfo: null, settings: null, settingsError: null, notice: null });
