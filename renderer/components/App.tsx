import type { AppSlots } from '../features/seams.js';
import { ChatView } from './ChatView.js';
import { ModelPanel } from './ModelPanel.js';
import { StatusBar } from './StatusBar.js';

export function App({ slots = {} }: { slots?: AppSlots }) {
  return (
    <div className="app">
      <ModelPanel compressionControl={slots.compressionControl} />
      <ChatView documentArea={slots.documentArea} />
      <StatusBar retentionView={slots.retentionView} />
    </div>
  );
}
