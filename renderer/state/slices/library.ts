import type { Conversation, LibraryEntry, ReplyError } from '../../../common/contract.js';

export interface LibrarySlice {
  entries: LibraryEntry[];
  loaded: boolean;
  error: ReplyError | null;
  /** The entry being opened now, and the one whose document is open. */
  openingId: string | null;
  openId: string | null;
  conversations: Conversation[];
}

export const initialLibrary = (): LibrarySlice => ({ entries: [], loaded: false, error: null, openingId: null, openId: null, conversations: [] });
