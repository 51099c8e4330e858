import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { renderChat } from '../../engine/tokenizer/index.js';
import { expectCodedOutcome, runIsolated, tempDir } from './helpers.js';

const root = tempDir('robust-template');
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

const render = (template: string, content = 'hello') =>
  renderChat(template, { messages: [{ role: 'user', content }], addGenerationPrompt: true, bosToken: '<s>', eosToken: '</s>' });

describe('chat templates render under a step and output budget', () => {
  const hostile: [string, string, RegExp][] = [
    ['nested loops of 10^10 passes', '{% for i in range(100000) %}{% for j in range(100000) %}{{ i }}{% endfor %}{% endfor %}', /stopped: it (took more than \d+ steps|ran for more than \d+ ms)/],
    ['range() of 10^10 numbers', '{% for i in range(10000000000) %}x{% endfor %}', /asked range\(\) for 10000000000 numbers/],
    ['a string doubled 60 times', '{% set ns = namespace(s="ab") %}{% for i in range(60) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s }}', /produced a string of more than \d+ characters/],
    ['a list doubled 60 times', '{% set ns = namespace(a=[1]) %}{% for i in range(60) %}{% set ns.a = ns.a + ns.a %}{% endfor %}{{ ns.a|length }}', /built a list of more than \d+ items/],
    ['a loop that keeps appending the message', '{% for i in range(100000) %}{{ messages[0].content }}{% endfor %}', /produced (more than \d+ characters in all|a string of more than)/],
    ['infinite recursion', '{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}', /chat template/],
  ];
  // Without the budget these loop for hours or exhaust the heap, so each runs in a child process.
  hostile.forEach(([name, template, message], i) => {
    it(name, async () => {
      const file = path.join(root, `template-${i}.jinja`);
      fs.writeFileSync(file, template);
      expectCodedOutcome(await runIsolated('template', file), 'TOKENIZER', message);
    });
  });

  it('a long conversation through a real-sized template is well inside the budget', () => {
    const template = '{% for m in messages %}<|im_start|>{{ m.role }}\n{{ m.content }}<|im_end|>\n{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}';
    const messages = Array.from({ length: 2000 }, (_, i) => ({ role: i % 2 ? 'assistant' : 'user', content: `message ${i} `.repeat(50) }));
    const text = renderChat(template, { messages, addGenerationPrompt: true, bosToken: null, eosToken: null });
    expect(text.startsWith('<|im_start|>user\nmessage 0 ')).toBe(true);
    expect(text.endsWith('<|im_start|>assistant\n')).toBe(true);
  });

  it('a long document in one message is fine', () => {
    const doc = 'word '.repeat(2_000_000);
    expect(render('{{ bos_token }}{{ messages[0].content }}', doc)).toBe(`<s>${doc}`);
  });
});
