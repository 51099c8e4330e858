import { useStore } from '../../state/store.js';
import { DocumentCard } from '../document/DocumentCard.js';
import { DocumentError } from '../document/DocumentError.js';
import { DocumentHeader } from '../document/DocumentHeader.js';
import { DropZone } from '../document/DropZone.js';
import { OpeningProgress } from '../document/OpeningProgress.js';
import { ReadingProgress } from '../document/ReadingProgress.js';
import { Composer } from './Composer.js';
import { MessageList } from './MessageList.js';
import { SuggestedQuestions } from './SuggestedQuestions.js';
import { Welcome } from './Welcome.js';

/** The conversation column: the document's state on top, the conversation, the message box. */
export function ChatPane() {
  const phase = useStore((s) => s.document.phase);
  const hasMessages = useStore((s) => s.chat.order.length > 0);
  return (
    <main className="chat-pane" aria-label="Conversation and document">
      <div className="document-slot">
        {phase === 'empty' && (hasMessages ? <DropZone compact /> : <Welcome />)}
        {phase === 'opening' && <OpeningProgress />}
        {phase === 'opened' && <DocumentCard />}
        {phase === 'reading' && <ReadingProgress />}
        {phase === 'ready' && <DocumentHeader />}
        <DocumentError />
      </div>
      {phase === 'ready' && !hasMessages && <SuggestedQuestions />}
      <MessageList />
      <Composer />
    </main>
  );
}
