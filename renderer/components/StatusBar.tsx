import type { ReactNode } from 'react';
import { useCacheStore } from '../state/cache-store.js';
import { useChatStore } from '../state/chat-store.js';
import { useModelStore } from '../state/model-store.js';
import { CacheMeter } from './CacheMeter.js';

export function StatusBar({ retentionView }: { retentionView?: ReactNode }) {
  const phase = useModelStore((s) => s.phase);
  const provider = useModelStore((s) => s.info?.executionProvider);
  const generating = useChatStore((s) => s.generationId !== null);
  const { status, streamedSinceStatus } = useCacheStore();
  const state = generating ? 'Generating…' : phase === 'ready' ? `Ready · ${provider}` : phase === 'loading' ? 'Loading model…' : 'No model loaded';
  return (
    <footer className="status-bar">
      <span role="status" aria-label="Engine state">
        <span className={`dot ${phase}`} aria-hidden="true" /> {state}
      </span>
      {retentionView}
      <CacheMeter status={status} streamed={streamedSinceStatus} />
    </footer>
  );
}
