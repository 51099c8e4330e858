import type { LoadProgress } from '../state/model-store.js';

const STAGE_LABELS: Record<string, string> = { convert: 'Converting layers' };

export function LoadProgressBar({ progress }: { progress: LoadProgress | null }) {
  const label = progress ? `${STAGE_LABELS[progress.stage] ?? progress.stage} ${progress.done}/${progress.total}` : 'Loading…';
  return (
    <div className="load-progress">
      {/* Without a value the bar is indeterminate: a cached model loads without progress events. */}
      <progress aria-label="Model load progress" max={progress?.total || undefined} value={progress ? progress.done : undefined} />
      <span className="muted">{label}</span>
    </div>
  );
}
