import fs from 'node:fs';
import { errnoCode, fsError } from './fs-errors.js';
import { isValidId } from './ids.js';
import { CONVERSATION_FILE_SUFFIX, type LibraryPaths } from './library-paths.js';
import { conversationSchema } from './schemas.js';
import type { Conversation } from './types.js';
import { readVersionedFile, type ReadResult } from './versioned-file.js';

/** Ids of the conversation files of a document: `<id>.json` only, so temp and moved-aside files are not included. */
export function conversationIdsOf(paths: LibraryPaths, documentId: string): string[] {
  const dir = paths.conversationsDir(documentId);
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch (e) {
    if (errnoCode(e) === 'ENOENT') return [];
    throw fsError(e, 'list the conversations in', dir);
  }
  return names
    .filter((n) => n.endsWith(CONVERSATION_FILE_SUFFIX))
    .map((n) => n.slice(0, -CONVERSATION_FILE_SUFFIX.length))
    .filter(isValidId);
}

/** Reads one conversation; a file whose ids disagree with where it lies counts as corrupt. */
export function readConversationFile(paths: LibraryPaths, documentId: string, id: string): ReadResult<Conversation> {
  const result = readVersionedFile(paths.conversationFile(documentId, id), 'conversation', conversationSchema);
  if (result.status === 'ok' && (result.value.id !== id || result.value.documentId !== documentId)) {
    return { status: 'corrupt', reason: `it names conversation ${result.value.id} of document ${result.value.documentId}` };
  }
  return result;
}
