export interface DocumentRecord {
  /** Also the name of the document's folder: [A-Za-z0-9_-]{1,64}. */
  id: string;
  /** 'reading' while the engine reads it; a record still 'reading' at the next open is from a crashed run and is removed. */
  state: 'reading' | 'ready';
  /** File name as dropped. */
  name: string;
  title: string;
  format: 'txt' | 'md' | 'pdf' | 'docx' | 'html';
  /** sha256 hex of the source bytes. */
  fileFingerprint: string;
  fileBytes: number;
  tokenCount: number;
  modelFingerprint: string;
  modelName: string;
  /** Compaction method name, e.g. 'am'. */
  method: string;
  /** 0 < ratio <= 1. */
  ratio: number;
  createdAt: string;
  updatedAt: string;
  /** Role → file name inside the document folder, e.g. { cache: 'cache.lrkv', text: 'text.json' }. */
  files: Record<string, string>;
}

export interface SourceSpan {
  start: number;
  end: number;
  label?: string;
  weight: number;
}

export interface ConversationTurn {
  role: 'user' | 'assistant';
  text: string;
  sources?: SourceSpan[][];
  /** A user turn that was a Summarize request rather than a question. */
  kind?: 'ask' | 'summarize';
  createdAt: string;
}

export interface Conversation {
  id: string;
  documentId: string;
  title: string;
  turns: ConversationTurn[];
  createdAt: string;
  updatedAt: string;
}

export interface LibrarySettings {
  device: 'auto' | 'cpu' | 'webgpu' | 'cuda' | 'dml' | 'coreml';
  /** 0 = auto. */
  threads: number;
  defaultMethod: string;
  defaultRatio: number;
  kvBudgetBytes: number;
  theme: 'system' | 'light' | 'dark';
}
