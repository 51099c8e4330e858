import { beforeAll, describe, expect, it } from 'vitest';
import { turnTemplate } from '../../engine/documents/chat-turns.js';
import { isLongreadError } from '../../engine/errors.js';
import { renderChat } from '../../engine/tokenizer/index.js';
import { loadTokenizer, type TextTokenizer } from '../../engine/tokenizer/tokenizer.js';
import { QWEN3_DIR } from '../tokenizer/fixtures.js';

const CHATML =
  "{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}{% endfor %}" +
  "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

/** The real Qwen3 tokenizer with another template or EOS (turnTemplate reads only chatTemplate, bosToken and eosToken). */
function variant(base: TextTokenizer, chatTemplate: string | null, eosToken = base.eosToken): TextTokenizer {
  return Object.create(base, { chatTemplate: { value: chatTemplate }, eosToken: { value: eosToken } }) as TextTokenizer;
}

function render(tok: TextTokenizer, contents: string[], addGenerationPrompt: boolean, extra: Record<string, unknown> = {}): string {
  return renderChat(tok.chatTemplate, { messages: contents.map((content) => ({ role: 'user', content })), addGenerationPrompt, bosToken: tok.bosToken, eosToken: tok.eosToken, extra });
}

const occurrences = (s: string, part: string) => s.split(part).length - 1;

/** Questions that would break a naive String.replace ($&, $1, $$) or a regex. */
const QUESTIONS = ['What is the main claim?', 'Price in $ and $$, $& or $1? (a|b)*', 'Deux questions : où ? 日本語で 🦜', 'line one\nline two'];

describe('turn template', () => {
  let qwen: TextTokenizer;
  beforeAll(async () => {
    qwen = await loadTokenizer(QWEN3_DIR);
  });

  for (const [name, pick, extra] of [
    ['Qwen3', (t: TextTokenizer) => t, {}],
    ['Qwen3 without thinking', (t: TextTokenizer) => t, { enable_thinking: false }],
    ['ChatML', (t: TextTokenizer) => variant(t, CHATML), {}],
  ] as const) {
    it(`${name}: a user turn holds the question once and continues a rendered conversation exactly`, () => {
      const tok = pick(qwen);
      const turns = turnTemplate(tok, extra);
      const document = 'A document: with <b>markup</b>, "quotes" and 日本語.';
      for (const q of QUESTIONS) {
        const turn = turns.userTurn(q);
        expect(occurrences(turn, q), q).toBe(1);
        expect(render(tok, [document], false, extra) + turn).toBe(render(tok, [document, q], true, extra));
      }
    });
  }

  it('Qwen3 and ChatML close an answer with <|im_end|> and a newline; ChatML opens the next turn as rendered', () => {
    expect(turnTemplate(qwen).assistantClose).toBe('<|im_end|>\n');
    const chatml = turnTemplate(variant(qwen, CHATML));
    expect(chatml.assistantClose).toBe('<|im_end|>\n');
    expect(chatml.userTurn('Q')).toBe('<|im_start|>user\nQ<|im_end|>\n<|im_start|>assistant\n');
  });

  it('Qwen3 passes template variables: without thinking the answer opens after an empty think block', () => {
    expect(turnTemplate(qwen).userTurn('Q')).toBe('<|im_start|>user\nQ<|im_end|>\n<|im_start|>assistant\n');
    expect(turnTemplate(qwen, { enable_thinking: false }).userTurn('Q')).toBe('<|im_start|>user\nQ<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\n');
  });

  it('a model without a chat template gets the plain question/answer layout', () => {
    const plain = turnTemplate(variant(qwen, null));
    expect(plain.userTurn('Why?')).toBe('\n\nQuestion: Why?\nAnswer:');
    expect(plain.assistantClose).toBe('\n');
  });

  it("falls back to EOS + newline when the template does not show the assistant's text", () => {
    const hidesAnswers = "{% for m in messages %}{% if m.role == 'user' %}<|im_start|>user\n{{ m.content }}<|im_end|>\n{% endif %}{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}";
    expect(turnTemplate(variant(qwen, hidesAnswers, '<|endoftext|>')).assistantClose).toBe('<|endoftext|>\n');
  });

  it('refuses, with TOKENIZER, a template whose second turn does not extend the first', () => {
    const lastOnly = "<|im_start|>user\n{{ messages[-1]['content'] }}<|im_end|>\n{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}";
    let error: unknown;
    try {
      turnTemplate(variant(qwen, lastOnly));
    } catch (e) {
      error = e;
    }
    expect(isLongreadError(error, 'TOKENIZER'), String(error)).toBe(true);
  });
});
