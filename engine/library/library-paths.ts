import path from 'node:path';

export const RECORD_FILE_NAME = 'record.json';
export const CONVERSATION_FILE_SUFFIX = '.json';

/** Where each library file lives under the root. Ids are validated by the caller before they reach a path. */
export class LibraryPaths {
  readonly libraryFile: string;
  readonly documentsDir: string;

  constructor(readonly root: string) {
    this.libraryFile = path.join(root, 'library.json');
    this.documentsDir = path.join(root, 'documents');
  }

  documentDir(documentId: string): string {
    return path.join(this.documentsDir, documentId);
  }

  recordFile(documentId: string): string {
    return path.join(this.documentDir(documentId), RECORD_FILE_NAME);
  }

  conversationsDir(documentId: string): string {
    return path.join(this.documentDir(documentId), 'conversations');
  }

  conversationFile(documentId: string, conversationId: string): string {
    return path.join(this.conversationsDir(documentId), `${conversationId}${CONVERSATION_FILE_SUFFIX}`);
  }
}
