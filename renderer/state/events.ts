import type { EngineEvent } from '../../main/ipc-contract.js';
import { useCacheStore } from './cache-store.js';
import { updateMessage, useChatStore } from './chat-store.js';
import { useModelStore } from './model-store.js';

/** Applies one unprompted event from the host to the stores. */
export function applyEvent(event: EngineEvent): void {
  switch (event.type) {
    case 'progress':
      if (useModelStore.getState().phase === 'loading') useModelStore.setState({ progress: { stage: event.stage, done: event.done, total: event.total } });
      break;
    case 'token': {
      const { generationId, messages } = useChatStore.getState();
      const last = messages[messages.length - 1];
      // Tokens of a generation the UI has already finished with (stopped, failed) are dropped.
      if (event.generationId !== generationId || !last || last.state !== 'streaming') break;
      updateMessage(last.id, (m) => ({ text: m.text + event.text }));
      useCacheStore.setState((s) => ({ streamedSinceStatus: s.streamedSinceStatus + 1 }));
      break;
    }
    case 'crash':
      useModelStore.setState({
        phase: 'failed',
        info: null,
        progress: null,
        error: { code: 'WORKER_CRASHED', message: `The engine stopped unexpectedly: ${event.message}. Load the model to continue.` },
      });
      useCacheStore.setState({ status: null, streamedSinceStatus: 0 });
      break;
    case 'modelFolderChosen':
      useModelStore.getState().setModelDir(event.path);
      break;
  }
}
