import { LongreadError } from '../errors.js';
import { renderChat, type TextTokenizer } from '../tokenizer/index.js';

/**
 * The text of one turn of a conversation after a document, derived once from the chat template so that each new
 * turn is tokenized on its own and appended to the cache: nothing before it is re-rendered or re-tokenized (a
 * template that rewrites earlier turns, e.g. dropping a thinking block, cannot invalidate the cache).
 */
export interface TurnTemplate {
  /** The text of a user turn followed by the opening of the assistant's answer. */
  userTurn(question: string): string;
  /** What closes an assistant answer in the template (e.g. `<|im_end|>\n`), after its text. */
  assistantClose: string;
}

const A = '\u0000LONGREAD_A\u0000';
const B = '\u0000LONGREAD_B\u0000';
const C = '\u0000LONGREAD_C\u0000';

/** A base model (no template) gets a plain question/answer layout. */
const PLAIN: TurnTemplate = {
  userTurn: (q) => `\n\nQuestion: ${q}\nAnswer:`,
  assistantClose: '\n',
};

export function turnTemplate(tokenizer: TextTokenizer, variables: Record<string, unknown> = {}): TurnTemplate {
  if (tokenizer.chatTemplate === null) return PLAIN;
  const render = (messages: { role: string; content: string }[], addGenerationPrompt: boolean) =>
    renderChat(tokenizer.chatTemplate, { messages, addGenerationPrompt, bosToken: tokenizer.bosToken, eosToken: tokenizer.eosToken, extra: variables });
  const one = render([{ role: 'user', content: A }], false);
  const two = render([{ role: 'user', content: A }, { role: 'user', content: C }], true);
  if (!two.startsWith(one) || !two.includes(C)) throw new LongreadError('TOKENIZER', 'the chat template renders a second turn that does not extend the first');
  const turn = two.slice(one.length);
  const asked = render([{ role: 'user', content: A }], true);
  const answered = render([{ role: 'user', content: A }, { role: 'assistant', content: B }], false);
  let assistantClose = tokenizer.eosToken ? `${tokenizer.eosToken}\n` : '\n';
  if (answered.startsWith(asked)) {
    const after = answered.slice(asked.length);
    const at = after.indexOf(B);
    if (at >= 0) assistantClose = after.slice(at + B.length);
  }
  return { userTurn: (q) => turn.split(C).join(q), assistantClose };
}
