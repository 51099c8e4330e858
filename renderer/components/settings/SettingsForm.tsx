import { useState, type FormEvent } from 'react';
import type { Device, Settings } from '../../../common/contract.js';
import { isMethod, METHOD_LABELS, METHODS_IN_ORDER, MIN_RATIO } from '../../lib/methods.js';
import { saveSettings } from '../../state/actions/settings.js';
import { openSettings } from '../../state/actions/ui.js';
import { useStore } from '../../state/store.js';
import { ErrorNote } from '../shared/ErrorNote.js';

const DEVICE_LABELS: Record<Device, string> = { auto: 'Automatic', cpu: 'CPU', webgpu: 'WebGPU', cuda: 'CUDA', dml: 'DirectML', coreml: 'Core ML' };
const MIB = 2 ** 20;

/** Device, threads, default method and ratio, memory budget and theme; saved with the host. */
export function SettingsForm() {
  const settings = useStore((s) => s.session.settings);
  const error = useStore((s) => s.session.settingsError);
  const [draft, setDraft] = useState<Settings | null>(settings);
  if (!draft) return <p className="muted">The settings have not loaded.</p>;
  const change = (patch: Partial<Settings>) => setDraft({ ...draft, ...patch });
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (await saveSettings(draft)) openSettings(false);
  };
  return (
    <form className="settings-form" onSubmit={(e) => void submit(e)}>
      <div className="field">
        <label htmlFor="settings-device">Device</label>
        <select id="settings-device" value={draft.device} onChange={(e) => change({ device: e.target.value as Device })}>
          {Object.entries(DEVICE_LABELS).map(([value, label]) => (
            <option key={value} value={value}>
              {label}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="settings-threads">CPU threads (0: automatic)</label>
        <input
          id="settings-threads"
          type="number"
          min={0}
          max={256}
          value={draft.threads}
          onChange={(e) => change({ threads: Math.max(0, Math.min(256, Math.round(Number(e.target.value)) || 0)) })}
        />
      </div>
      <div className="field">
        <label htmlFor="settings-method">Default method</label>
        <select id="settings-method" value={draft.defaultMethod} onChange={(e) => isMethod(e.target.value) && change({ defaultMethod: e.target.value })}>
          {METHODS_IN_ORDER.map((m) => (
            <option key={m} value={m}>
              {METHOD_LABELS[m]}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="settings-ratio">Default keep ratio (%)</label>
        <input
          id="settings-ratio"
          type="number"
          min={MIN_RATIO * 100}
          max={100}
          step={1}
          value={Math.round(draft.defaultRatio * 100)}
          onChange={(e) => change({ defaultRatio: Math.max(MIN_RATIO, Math.min(1, (Number(e.target.value) || 20) / 100)) })}
        />
      </div>
      <div className="field">
        <label htmlFor="settings-budget">KV memory budget while reading (MiB)</label>
        <input
          id="settings-budget"
          type="number"
          min={16}
          step={16}
          value={Math.round(draft.kvBudgetBytes / MIB)}
          onChange={(e) => change({ kvBudgetBytes: Math.max(16, Math.round(Number(e.target.value)) || 16) * MIB })}
        />
      </div>
      <fieldset className="theme-choice">
        <legend>Theme</legend>
        {(['system', 'light', 'dark'] as const).map((theme) => (
          <label key={theme}>
            <input type="radio" name="theme" checked={draft.theme === theme} onChange={() => change({ theme })} /> {theme[0].toUpperCase() + theme.slice(1)}
          </label>
        ))}
      </fieldset>
      {error && <ErrorNote error={error} />}
      <div className="actions">
        <button type="submit" className="primary">
          Save
        </button>
        <button type="button" onClick={() => openSettings(false)}>
          Cancel
        </button>
      </div>
    </form>
  );
}
