import { ChatPane } from './chat/ChatPane.js';
import { LibrarySidebar } from './library/LibrarySidebar.js';
import { Header } from './layout/Header.js';
import { InsightPanel } from './layout/InsightPanel.js';
import { KeyboardShortcuts } from './layout/KeyboardShortcuts.js';
import { NoticeBanner } from './layout/NoticeBanner.js';
import { RenderTimer } from './layout/RenderTimer.js';
import { ThemeSync } from './layout/ThemeSync.js';
import { WindowDrop } from './layout/WindowDrop.js';
import { CatalogDialog } from './model/CatalogDialog.js';
import { ModelStatus } from './model/ModelStatus.js';
import { DocumentView } from './retention/DocumentView.js';
import { SettingsDialog } from './settings/SettingsDialog.js';
import { useStore } from '../state/store.js';

export function App() {
  const showDocument = useStore((s) => s.document.phase === 'ready');
  return (
    <div className={`app${showDocument ? ' with-document' : ''}`}>
      <ThemeSync />
      <KeyboardShortcuts />
      <WindowDrop />
      <Header />
      <NoticeBanner />
      <aside className="sidebar" aria-label="Library and model">
        <LibrarySidebar />
        <ModelStatus />
      </aside>
      <ChatPane />
      {showDocument && <DocumentView />}
      <InsightPanel />
      <CatalogDialog />
      <SettingsDialog />
      <RenderTimer />
    </div>
  );
}
