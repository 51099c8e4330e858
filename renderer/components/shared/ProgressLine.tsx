import { formatAmount, formatDuration, formatRate } from '../../lib/format.js';
import type { Progress } from '../../state/progress.js';

export const STAGE_LABELS: Record<string, string> = {
  convert: 'Converting the model',
  load: 'Loading the model',
  parse: 'Extracting text',
  tokenize: 'Tokenizing',
  read: 'Reading',
  'reference-queries': 'Preparing reference queries',
  compact: 'Compacting',
  recompact: 'Re-compacting',
  prefill: 'Reading the prompt',
  download: 'Downloading',
  save: 'Saving to the library',
  open: 'Opening from the library',
};

/** A progress bar with "done / total · rate · time left"; indeterminate until the first event. */
export function ProgressLine({ progress, label, testId }: { progress: Progress | null; label: string; testId?: string }) {
  const stage = progress ? (STAGE_LABELS[progress.stage] ?? progress.stage) : 'Starting';
  const parts = progress
    ? [
        progress.total > 0 ? `${formatAmount(progress.done, progress.unit)} of ${formatAmount(progress.total, progress.unit)}` : '',
        formatRate(progress.rate, progress.unit),
        progress.etaMs !== null && progress.etaMs > 0 ? `about ${formatDuration(progress.etaMs)} left` : '',
      ].filter(Boolean)
    : [];
  return (
    <div className="progress-line" data-testid={testId}>
      <progress aria-label={label} max={progress && progress.total > 0 ? progress.total : undefined} value={progress && progress.total > 0 ? progress.done : undefined} />
      <p className="progress-text">
        <span className="progress-stage">{stage}</span>
        {parts.length > 0 && <span className="muted"> · {parts.join(' · ')}</span>}
      </p>
    </div>
  );
}
