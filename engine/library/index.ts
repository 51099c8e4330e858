export { writeFileAtomic } from './atomic-write.js';
export { Library, type LibraryOptions } from './library.js';
export { LIBRARY_SCHEMA_VERSION } from './migrations.js';
export { DEFAULT_SETTINGS } from './schemas.js';
export type { Conversation, ConversationTurn, DocumentRecord, LibrarySettings, SourceSpan } from './types.js';
