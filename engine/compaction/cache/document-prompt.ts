import { LongreadError } from '../../errors.js';
import { renderChat, type TextTokenizer } from '../../tokenizer/index.js';
import type { DocumentSpan } from './span.js';

/** The tokens of a document placed in the model's prompt, and where the document itself lies. */
export interface DocumentPrompt {
  ids: number[];
  span: DocumentSpan;
  prefixIds: number[];
  documentIds: number[];
  suffixIds: number[];
}

export const REPEAT_INSTRUCTION = 'Repeat the previous context verbatim.';
export const SELF_STUDY_INSTRUCTION = 'Write three short questions about the text above and answer each in one sentence.';

const MARK = '\u0000LONGREAD_DOCUMENT\u0000';

function render(tokenizer: TextTokenizer, messages: { role: string; content: string }[], addGenerationPrompt: boolean): string {
  return renderChat(tokenizer.chatTemplate, { messages, addGenerationPrompt, bosToken: tokenizer.bosToken, eosToken: tokenizer.eosToken });
}

/**
 * A document as the user turn of a chat (the template's prefix and suffix around it), or, for a base model without
 * a chat template, BOS followed by the text. The three parts are tokenized separately so the span is exact.
 */
export function documentPrompt(tokenizer: TextTokenizer, text: string): DocumentPrompt {
  const documentIds = tokenizer.encode(text, { addSpecialTokens: false });
  if (!documentIds.length) throw new LongreadError('BAD_ARGUMENT', 'the document is empty');
  let prefixIds: number[];
  let suffixIds: number[];
  if (tokenizer.chatTemplate === null) {
    prefixIds = tokenizer.bosTokenId === null ? [] : [tokenizer.bosTokenId];
    suffixIds = [];
  } else {
    const rendered = render(tokenizer, [{ role: 'user', content: MARK }], false);
    const at = rendered.indexOf(MARK);
    if (at < 0) throw new LongreadError('TOKENIZER', 'the chat template does not show the user message verbatim');
    prefixIds = tokenizer.encode(rendered.slice(0, at), { addSpecialTokens: false });
    suffixIds = tokenizer.encode(rendered.slice(at + MARK.length), { addSpecialTokens: false });
  }
  const start = prefixIds.length;
  return {
    ids: [...prefixIds, ...documentIds, ...suffixIds],
    span: { start, end: start + documentIds.length },
    prefixIds,
    documentIds,
    suffixIds,
  };
}

/**
 * The tokens that ask the model to repeat the document, to be followed by the document itself (teacher-forced):
 * a user turn with REPEAT_INSTRUCTION and the opening of the assistant's answer. A base model gets none: the
 * document text simply comes again.
 */
export function repeatTurnIds(tokenizer: TextTokenizer): number[] {
  if (tokenizer.chatTemplate === null) return [];
  const one = render(tokenizer, [{ role: 'user', content: MARK }], false);
  const two = render(tokenizer, [{ role: 'user', content: MARK }, { role: 'user', content: REPEAT_INSTRUCTION }], true);
  if (!two.startsWith(one)) throw new LongreadError('TOKENIZER', 'the chat template renders a second turn that does not extend the first');
  return tokenizer.encode(two.slice(one.length), { addSpecialTokens: false });
}

/**
 * The tokens that ask the model to study the document (self-study reference queries): a user turn with
 * SELF_STUDY_INSTRUCTION and the opening of the assistant's answer, to be followed by greedy generation. A base model
 * gets none: it simply continues after the document.
 */
export function selfStudyTurnIds(tokenizer: TextTokenizer, instruction = SELF_STUDY_INSTRUCTION): number[] {
  if (tokenizer.chatTemplate === null) return [];
  const one = render(tokenizer, [{ role: 'user', content: MARK }], false);
  const two = render(tokenizer, [{ role: 'user', content: MARK }, { role: 'user', content: instruction }], true);
  if (!two.startsWith(one)) throw new LongreadError('TOKENIZER', 'the chat template renders a second turn that does not extend the first');
  return tokenizer.encode(two.slice(one.length), { addSpecialTokens: false });
}
