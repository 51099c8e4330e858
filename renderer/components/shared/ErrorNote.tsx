import type { ReplyError } from '../../../common/contract.js';

/** A failure shown where it happened, with what to do about it. */
export function ErrorNote({ error, onDismiss, testId }: { error: ReplyError; onDismiss?: () => void; testId?: string }) {
  return (
    <div className="error-note" role="alert" data-testid={testId} data-code={error.code}>
      <p>{error.message}</p>
      {onDismiss && (
        <button type="button" className="quiet" onClick={onDismiss}>
          Dismiss
        </button>
      )}
    </div>
  );
}
