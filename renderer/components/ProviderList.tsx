import type { ModelInfo } from '../../main/ipc-contract.js';

/** The execution provider in use, and why the others were skipped. */
export function ProviderList({ info }: { info: ModelInfo }) {
  const skipped = info.providerAttempts.filter((a) => !a.used);
  return (
    <section className="providers" aria-label="Execution provider">
      <p>
        Running on <strong data-testid="active-provider">{info.executionProvider}</strong>
        <span className="muted">
          {' '}
          · {info.family}, {info.numLayers} layers, {info.weights}
        </span>
      </p>
      {skipped.length > 0 && (
        <ul className="skipped">
          {skipped.map((a) => (
            <li key={a.provider}>
              <span className="provider-name">{a.provider}</span> {a.reason ?? 'not used'}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
