export { loadTokenizer, createTokenizer, type TextTokenizer, type EncodeOptions, type DecodeOptions } from './tokenizer.js';
export { renderChat, chatTemplateFrom, type ChatMessage, type RenderChatOptions } from './chat-template.js';
export { stopTokenIds, loadStopTokenIds } from './stop-tokens.js';
export { StreamDecoder, type StreamDecoderOptions } from './stream-decoder.js';
export { StopStringMatcher, type StopStringResult } from './stop-strings.js';
