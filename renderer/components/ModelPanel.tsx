import type { ReactNode } from 'react';
import type { Device, Weights } from '../../main/ipc-contract.js';
import { loadModel, openModelFolder } from '../state/actions.js';
import { useModelStore } from '../state/model-store.js';
import { LoadProgressBar } from './LoadProgressBar.js';
import { ProviderList } from './ProviderList.js';

const DEVICE_LABELS: Record<Device, string> = {
  auto: 'Automatic',
  cpu: 'CPU',
  webgpu: 'WebGPU',
  cuda: 'CUDA',
  dml: 'DirectML',
  coreml: 'Core ML',
};

const WEIGHT_LABELS: Record<Weights, string> = { q4: '4-bit (smallest)', fp16: '16-bit float', fp32: '32-bit float' };

export function ModelPanel({ compressionControl }: { compressionControl?: ReactNode }) {
  const { modelDir, device, weights, phase, progress, info, error, canOpenFolder } = useModelStore();
  const { setModelDir, setDevice, setWeights } = useModelStore.getState();
  const loading = phase === 'loading';

  return (
    <aside className="model-panel" aria-label="Model">
      <h2>Model</h2>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void loadModel();
        }}
      >
        <label htmlFor="model-dir">Model folder</label>
        <div className="row">
          <input
            id="model-dir"
            type="text"
            spellCheck={false}
            placeholder="/path/to/hugging-face-model"
            value={modelDir}
            disabled={loading}
            onChange={(e) => setModelDir(e.target.value)}
          />
          {canOpenFolder && (
            <button type="button" disabled={loading} onClick={() => void openModelFolder()}>
              Open…
            </button>
          )}
        </div>

        <div className="row two">
          <div>
            <label htmlFor="device">Device</label>
            <select id="device" value={device} disabled={loading} onChange={(e) => setDevice(e.target.value as Device)}>
              {Object.entries(DEVICE_LABELS).map(([value, label]) => (
                <option key={value} value={value}>
                  {label}
                </option>
              ))}
            </select>
          </div>
          <div>
            <label htmlFor="weights">Weights</label>
            <select id="weights" value={weights} disabled={loading} onChange={(e) => setWeights(e.target.value as Weights)}>
              {Object.entries(WEIGHT_LABELS).map(([value, label]) => (
                <option key={value} value={value}>
                  {label}
                </option>
              ))}
            </select>
          </div>
        </div>

        <button type="submit" className="primary" disabled={loading || !modelDir.trim()}>
          {loading ? 'Loading…' : info ? 'Reload model' : 'Load model'}
        </button>
      </form>

      {loading && <LoadProgressBar progress={progress} />}
      {error && (
        <p className="error" role="alert">
          {error.message}
        </p>
      )}
      {info && <ProviderList info={info} />}
      {compressionControl}
    </aside>
  );
}
