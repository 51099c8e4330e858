import { openSettings } from '../../state/actions/ui.js';
import { useStore } from '../../state/store.js';
import { SHORTCUTS } from '../layout/KeyboardShortcuts.js';
import { Dialog } from '../shared/Dialog.js';
import { SettingsForm } from './SettingsForm.js';

export function SettingsDialog() {
  const open = useStore((s) => s.ui.settingsOpen);
  return (
    <Dialog open={open} onClose={() => openSettings(false)} title="Settings" testId="settings">
      <SettingsForm />
      <section aria-labelledby="shortcuts-title">
        <h3 id="shortcuts-title">Keyboard shortcuts</h3>
        <dl className="shortcuts">
          {SHORTCUTS.map((s) => (
            <div key={s.keys}>
              <dt>
                <kbd>{s.keys}</kbd>
              </dt>
              <dd>{s.does}</dd>
            </div>
          ))}
        </dl>
      </section>
    </Dialog>
  );
}
