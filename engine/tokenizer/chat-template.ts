import { Environment, Template } from '@huggingface/jinja';

import { LongreadError } from '../errors.js';
import { foreignMessage } from '../model/foreign-message.js';
import { strftime } from './strftime.js';
import { BudgetedInterpreter, boundedRange, templateBudget, type TemplateBudget } from './template-budget.js';

export interface ChatMessage {
  role: string;
  content: string;
}

export interface RenderChatOptions {
  messages: readonly ChatMessage[];
  /** Append the opening of the assistant's turn, so the model answers next. */
  addGenerationPrompt: boolean;
  /** The tokenizer's BOS/EOS strings; null ones are left undefined in the template, as Hugging Face does. */
  bosToken: string | null;
  eosToken: string | null;
  /** More template variables, e.g. `{ enable_thinking: false }`. They cannot replace the variables above. */
  extra?: Record<string, unknown>;
  /** The clock `strftime_now` reads; the current time when omitted. */
  now?: Date;
}

/**
 * Renders a conversation into the prompt text the model was trained on.
 *
 * The result already holds every special token the template writes (BOS, `<|im_start|>`, ...):
 * encode it with `addSpecialTokens: false`.
 *
 * Whitespace: Hugging Face renders chat templates with `trim_blocks` and `lstrip_blocks`. `@huggingface/jinja`'s
 * `Template` always does the same (a text preprocessing step removes the newline right after `%}`/`#}` and the
 * spaces/tabs before `{%`/`{#` at the start of a line), and, like Jinja's default, drops one trailing newline of
 * the template source.
 *
 * A template runs under a budget of steps, string lengths and list lengths (see template-budget.ts), so a damaged or
 * hostile one ends in a TOKENIZER error instead of looping or filling memory.
 *
 * With no template (a base model), the fallback is the BOS token (when the model has one) followed by the
 * message contents joined by newlines; roles are ignored and `addGenerationPrompt` adds nothing.
 */
export function renderChat(template: string | null, options: RenderChatOptions): string {
  if (template === null) return plainChat(options);
  let parsed: Template;
  try {
    parsed = new Template(template);
  } catch (e) {
    throw new LongreadError('TOKENIZER', `The chat template could not be parsed: ${foreignMessage(e)}`, { cause: e });
  }
  const budget = templateBudget(inputChars(options));
  // Template.render() refuses variables named like its built-in globals, so the globals go in a parent scope of ours.
  const scope = new Environment(chatGlobals(options.now, budget));
  const variables: Record<string, unknown> = {
    ...options.extra,
    messages: options.messages.map((m) => ({ ...m })),
    add_generation_prompt: options.addGenerationPrompt,
    bos_token: options.bosToken ?? undefined,
    eos_token: options.eosToken ?? undefined,
  };
  for (const [name, value] of Object.entries(variables)) {
    if (value !== undefined) scope.set(name, value);
  }
  try {
    return new BudgetedInterpreter(scope, budget).render(parsed.parsed);
  } catch (e) {
    if (e instanceof LongreadError) throw e;
    throw new LongreadError('TOKENIZER', `The chat template failed to render: ${foreignMessage(e)}`, { cause: e });
  }
}

/** Characters the caller hands the template: message contents and extra string variables. */
function inputChars(options: RenderChatOptions): number {
  let n = 0;
  for (const m of options.messages) n += String(m.content).length;
  for (const v of Object.values(options.extra ?? {})) if (typeof v === 'string') n += v.length;
  return n;
}

function plainChat(options: RenderChatOptions): string {
  return (options.bosToken ?? '') + options.messages.map((m) => m.content).join('\n');
}

function chatGlobals(now: Date | undefined, budget: TemplateBudget): Environment {
  const globals = new Environment();
  globals.set('true', true);
  globals.set('false', false);
  globals.set('none', null);
  globals.set('True', true);
  globals.set('False', false);
  globals.set('None', null);
  globals.set('range', boundedRange(budget.maxItems));
  globals.set('raise_exception', (message: unknown) => {
    throw new LongreadError('TOKENIZER', `The chat template rejected this conversation: ${String(message)}`);
  });
  globals.set('strftime_now', (format: unknown) => strftime(now ?? new Date(), String(format)));
  return globals;
}

/**
 * The chat template in a tokenizer_config.json: a string, or a list of `{name, template}` (or a name → template
 * object) from which the one named "default" is used, as Hugging Face does when no name is asked for.
 * Null when the config has none.
 */
export function chatTemplateFrom(tokenizerConfig: Record<string, unknown>): string | null {
  const value = tokenizerConfig.chat_template;
  if (value === undefined || value === null) return null;
  if (typeof value === 'string') return value;
  const named = new Map<string, unknown>();
  if (Array.isArray(value)) {
    for (const entry of value) {
      const { name, template } = (entry ?? {}) as { name?: unknown; template?: unknown };
      if (typeof name === 'string') named.set(name, template);
    }
  } else if (typeof value === 'object') {
    for (const [name, template] of Object.entries(value)) named.set(name, template);
  }
  const chosen = named.get('default');
  if (typeof chosen === 'string') return chosen;
  const names = [...named.keys()].map((n) => `"${n}"`).join(', ') || 'none';
  throw new LongreadError('TOKENIZER', `tokenizer_config.json: "chat_template" has no template named "default" (found: ${names}).`);
}
