import type { Settings } from '../../../common/contract.js';
import { host } from '../../api/host.js';
import { read, update } from '../store.js';

export async function loadSettings(): Promise<void> {
  const reply = await host().request('getSettings', {});
  if (!reply.ok) {
    update('session', { settingsError: reply.error });
    return;
  }
  update('session', { settings: reply.value, settingsError: null });
  // The defaults pick the slider's starting point until a document says otherwise.
  if (read('compression').view === null) update('compression', { method: reply.value.defaultMethod, ratio: reply.value.defaultRatio });
}

export async function saveSettings(change: Partial<Settings>): Promise<boolean> {
  const reply = await host().request('putSettings', change);
  if (!reply.ok) {
    update('session', { settingsError: reply.error });
    return false;
  }
  update('session', { settings: reply.value, settingsError: null });
  return true;
}

export function dismissNotice(): void {
  update('session', { notice: null });
}
