import { host } from '../../api/host.js';
import { update } from '../store.js';

/** Asks the engine for its status once (after an operation); while it works it pushes `status` events itself. */
export async function refreshStatus(): Promise<void> {
  const reply = await host().request('status', {});
  if (reply.ok) update('engine', { status: reply.value });
}
