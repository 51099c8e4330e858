import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { chatTemplateFrom, renderChat, type ChatMessage } from '../../engine/tokenizer/chat-template.js';
import { isLongreadError } from '../../engine/errors.js';
import { HAVE_STORIES, QWEN3_DIR, STORIES_DIR } from './fixtures.js';

const base = { addGenerationPrompt: false, bosToken: '<s>', eosToken: '</s>' };

function templateOf(dir: string): string {
  const config = JSON.parse(readFileSync(join(dir, 'tokenizer_config.json'), 'utf8')) as Record<string, unknown>;
  const template = chatTemplateFrom(config);
  if (template === null) throw new Error(`${dir} has no chat template`);
  return template;
}

const STORY: ChatMessage[] = [
  { role: 'user', content: 'Once upon a time' },
  { role: 'assistant', content: 'there was a cat.' },
];

describe.skipIf(!HAVE_STORIES)('stories260K chat template', () => {
  it('writes BOS and the contents joined by newlines', () => {
    const template = templateOf(STORIES_DIR);
    expect(renderChat(template, { ...base, messages: STORY })).toBe('<s>Once upon a time\nthere was a cat.');
    expect(renderChat(template, { ...base, messages: STORY, addGenerationPrompt: true })).toBe('<s>Once upon a time\nthere was a cat.');
  });
});

describe('plain fallback for a model without a chat template', () => {
  it('writes BOS and the contents joined by newlines, like the stories260K template', () => {
    expect(renderChat(null, { ...base, messages: STORY, addGenerationPrompt: true })).toBe('<s>Once upon a time\nthere was a cat.');
    expect(renderChat(null, { ...base, bosToken: null, messages: STORY })).toBe('Once upon a time\nthere was a cat.');
  });
});

describe('Qwen3 chat template', () => {
  const template = templateOf(QWEN3_DIR);
  const qwen = { bosToken: null, eosToken: '<|im_end|>' };
  const conversation: ChatMessage[] = [
    { role: 'system', content: 'You are a concise assistant.' },
    { role: 'user', content: 'What is 2 + 2?' },
    { role: 'assistant', content: '<think>\nSimple arithmetic.\n</think>\n\n2 + 2 = 4.' },
    { role: 'user', content: 'And 3 + 3?' },
  ];
  // ChatML. The assistant turn before the last user message loses its <think> block; the generation prompt opens
  // an assistant turn, and with enable_thinking false it also pre-fills an empty <think> block.
  const expected =
    '<|im_start|>system\nYou are a concise assistant.<|im_end|>\n' +
    '<|im_start|>user\nWhat is 2 + 2?<|im_end|>\n' +
    '<|im_start|>assistant\n2 + 2 = 4.<|im_end|>\n' +
    '<|im_start|>user\nAnd 3 + 3?<|im_end|>\n' +
    '<|im_start|>assistant\n';

  it('renders a two-turn conversation with the generation prompt', () => {
    expect(renderChat(template, { ...qwen, messages: conversation, addGenerationPrompt: true })).toBe(expected);
  });

  it('pre-fills an empty think block when thinking is off', () => {
    const text = renderChat(template, { ...qwen, messages: conversation, addGenerationPrompt: true, extra: { enable_thinking: false } });
    expect(text).toBe(expected + '<think>\n\n</think>\n\n');
    const withThinking = renderChat(template, { ...qwen, messages: conversation, addGenerationPrompt: true, extra: { enable_thinking: true } });
    expect(withThinking).toBe(expected);
  });

  it('keeps the think block of an assistant turn after the last user message', () => {
    const text = renderChat(template, { ...qwen, messages: conversation.slice(0, 3), addGenerationPrompt: false });
    expect(text).toBe(
      '<|im_start|>system\nYou are a concise assistant.<|im_end|>\n' +
        '<|im_start|>user\nWhat is 2 + 2?<|im_end|>\n' +
        '<|im_start|>assistant\n<think>\nSimple arithmetic.\n</think>\n\n2 + 2 = 4.<|im_end|>\n',
    );
  });
});

describe('template mechanics', () => {
  const one: ChatMessage[] = [{ role: 'user', content: 'a' }];

  it('renders with trim_blocks and lstrip_blocks, dropping one trailing newline of the source', () => {
    const template = '{% for m in messages %}\n  {% if m.role == "user" %}\n{{ m.content }}\n  {% endif %}\n{% endfor %}\n';
    const messages = [{ role: 'user', content: 'a' }, { role: 'user', content: 'b' }];
    expect(renderChat(template, { ...base, messages })).toBe('a\nb\n');
  });

  it('gives templates raise_exception as a LongreadError', () => {
    const template = "{% if messages[0].role != 'system' %}{{ raise_exception('System message required') }}{% endif %}ok";
    let caught: unknown;
    try {
      renderChat(template, { ...base, messages: one });
    } catch (e) {
      caught = e;
    }
    expect(isLongreadError(caught, 'TOKENIZER')).toBe(true);
    expect((caught as Error).message).toContain('System message required');
    expect(renderChat(template, { ...base, messages: [{ role: 'system', content: 's' }] })).toBe('ok');
  });

  it('gives templates strftime_now (English names, local time) and range', () => {
    const now = new Date(2025, 0, 5, 9, 7, 3);
    const template = "{{ strftime_now('%d %b %Y') }}|{{ strftime_now('%A %B %-d %H:%M:%S %% %Q') }}|{% for i in range(3) %}{{ i }}{% endfor %}";
    expect(renderChat(template, { ...base, messages: one, now })).toBe('05 Jan 2025|Sunday January 5 09:07:03 % %Q|012');
  });

  it('passes extra variables but never lets them replace the conversation', () => {
    const template = '{{ bos_token }}{{ messages[0].content }}{{ greeting }}{% if add_generation_prompt %}>{% endif %}';
    const extra = { greeting: '!', messages: [{ role: 'user', content: 'x' }], add_generation_prompt: false };
    expect(renderChat(template, { ...base, messages: one, addGenerationPrompt: true, extra })).toBe('<s>a!>');
  });

  it('leaves a missing BOS undefined, so it renders as nothing', () => {
    const template = '{% if bos_token is defined %}defined{% endif %}[{{ bos_token }}]';
    expect(renderChat(template, { ...base, bosToken: null, messages: one })).toBe('[]');
  });

  it('reports a broken template as a LongreadError', () => {
    expect(() => renderChat('{% if %}', { ...base, messages: one })).toThrow(/chat template could not be parsed/);
    expect(() => renderChat('{{ messages.nope() }}', { ...base, messages: one })).toThrow(/chat template failed to render/);
  });
});

describe('chatTemplateFrom', () => {
  it('reads a string template, or picks "default" from a list or an object of named templates', () => {
    expect(chatTemplateFrom({ chat_template: 'T' })).toBe('T');
    expect(chatTemplateFrom({})).toBeNull();
    expect(chatTemplateFrom({ chat_template: null })).toBeNull();
    const list = [
      { name: 'tool_use', template: 'TOOLS' },
      { name: 'default', template: 'DEFAULT' },
    ];
    expect(chatTemplateFrom({ chat_template: list })).toBe('DEFAULT');
    expect(chatTemplateFrom({ chat_template: { rag: 'RAG', default: 'DEFAULT' } })).toBe('DEFAULT');
  });

  it('refuses a list of templates with no "default"', () => {
    expect(() => chatTemplateFrom({ chat_template: [{ name: 'tool_use', template: 'T' }] })).toThrow(/no template named "default" \(found: "tool_use"\)/);
  });
});
