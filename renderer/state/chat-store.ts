import { create } from 'zustand';
import type { GenerateResult } from '../../main/ipc-contract.js';

export type MessageState = 'streaming' | 'done' | 'stopped' | 'failed';

export interface ChatMessage {
  id: string;
  role: 'user' | 'assistant';
  text: string;
  state: MessageState;
  error?: string;
  result?: GenerateResult;
}

/** 'chat' renders the conversation with the model's chat template; 'prompt' continues raw text (base models). */
export type ChatMode = 'chat' | 'prompt';

export interface ChatState {
  messages: ChatMessage[];
  mode: ChatMode;
  maxTokens: number;
  temperature: number;
  /** The generation whose tokens are streaming into the last message, if any. */
  generationId: string | null;
  setMode(mode: ChatMode): void;
  setMaxTokens(maxTokens: number): void;
  setTemperature(temperature: number): void;
}

export const useChatStore = create<ChatState>()((set) => ({
  messages: [],
  mode: 'chat',
  maxTokens: 256,
  temperature: 0.7,
  generationId: null,
  setMode: (mode) => set({ mode }),
  setMaxTokens: (maxTokens) => set({ maxTokens }),
  setTemperature: (temperature) => set({ temperature }),
}));

/** Applies `change` to one message, leaving the others as they are. */
export function updateMessage(id: string, change: (m: ChatMessage) => Partial<ChatMessage>): void {
  useChatStore.setState((s) => ({ messages: s.messages.map((m) => (m.id === id ? { ...m, ...change(m) } : m)) }));
}
