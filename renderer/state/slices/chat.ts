import type { Answer, Source } from '../../../common/contract.js';

export type MessageState = 'streaming' | 'done' | 'stopped' | 'failed';

/** What produced an assistant message, so Regenerate can ask again. */
export type Prompt = { kind: 'ask'; question: string } | { kind: 'summarize' } | { kind: 'generate'; text: string };

export interface ChatMessage {
  id: string;
  role: 'user' | 'assistant';
  text: string;
  state: MessageState;
  /** Per sentence: the passages it drew on. */
  sources: Source[][];
  prompt: Prompt | null;
  stats: Pick<Answer, 'tokens' | 'decodeMs' | 'prefillMs' | 'stopReason' | 'promptTokens' | 'prefilledTokens'> | null;
  error: string | null;
}

export interface ChatSlice {
  order: string[];
  byId: Record<string, ChatMessage>;
  conversationId: string | null;
  /** The generation streaming now, and the message it streams into. */
  operationId: string | null;
  streamingId: string | null;
  /** How answers are generated. */
  maxTokens: number;
  temperature: number;
}

export const DEFAULT_MAX_TOKENS = 256;
export const DEFAULT_TEMPERATURE = 0.7;

export const initialChat = (): ChatSlice => ({
  order: [],
  byId: {},
  conversationId: null,
  operationId: null,
  streamingId: null,
  maxTokens: DEFAULT_MAX_TOKENS,
  temperature: DEFAULT_TEMPERATURE,
});

/** A fresh conversation; how answers are generated stays as the person set it. */
export const emptyConversation = (): Pick<ChatSlice, 'order' | 'byId' | 'conversationId' | 'operationId' | 'streamingId'> => ({
  order: [],
  byId: {},
  conversationId: null,
  operationId: null,
  streamingId: null,
});
