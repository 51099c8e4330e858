import { dismissNotice } from '../../state/actions/settings.js';
import { useStore } from '../../state/store.js';

/** The engine crashed or was restarted: said once, above everything. */
export function NoticeBanner() {
  const notice = useStore((s) => s.session.notice);
  if (!notice) return null;
  return (
    <div className={`notice ${notice.kind}`} role="alert" data-testid="notice">
      <p>{notice.message}</p>
      <button type="button" className="quiet" onClick={dismissNotice}>
        Dismiss
      </button>
    </div>
  );
}
