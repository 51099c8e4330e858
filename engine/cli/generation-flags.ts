import type { Generation } from '../../common/contract.js';
import { LongreadError } from '../errors.js';
import { numberFlag } from './args.js';

/** The generation flags `ask`, `summarize` and `generate` share, as parseFlags specs. */
export const GENERATION_FLAGS = {
  'max-tokens': 'string',
  temperature: 'string',
  'top-k': 'string',
  'top-p': 'string',
  'repetition-penalty': 'string',
  seed: 'string',
  stop: 'texts',
  'template-var': 'texts',
} as const;

export const GENERATION_USAGE =
  '[--max-tokens N] [--temperature T] [--top-k K] [--top-p P] [--repetition-penalty R] [--seed S] [--stop TEXT...] [--template-var NAME=VALUE...]';

/** `enable_thinking=false` → { enable_thinking: false }: chat-template variables (true/false and numbers typed). */
export function templateVariables(pairs: readonly string[] | undefined): Record<string, boolean | number | string> | undefined {
  if (!pairs?.length) return undefined;
  const out: Record<string, boolean | number | string> = {};
  for (const pair of pairs) {
    const m = /^([A-Za-z_][A-Za-z0-9_]{0,63})=(.*)$/s.exec(pair);
    if (!m) throw new LongreadError('BAD_ARGUMENT', `--template-var takes NAME=VALUE (e.g. enable_thinking=false), got "${pair}"`);
    const raw = m[2];
    out[m[1]] = raw === 'true' ? true : raw === 'false' ? false : raw !== '' && Number.isFinite(Number(raw)) ? Number(raw) : raw;
  }
  return out;
}

export function generationFromFlags(flags: Record<string, unknown>, defaultMaxTokens = 256): Generation {
  return {
    maxTokens: numberFlag(flags, 'max-tokens', defaultMaxTokens, { min: 1, max: 32768, integer: true }),
    sampling: {
      temperature: numberFlag(flags, 'temperature', 0, { min: 0, max: 5 }),
      topK: numberFlag(flags, 'top-k', 0, { min: 0, integer: true }),
      topP: numberFlag(flags, 'top-p', 1, { min: 1e-6, max: 1 }),
      repetitionPenalty: numberFlag(flags, 'repetition-penalty', 1, { min: 0.1, max: 10 }),
      seed: numberFlag(flags, 'seed', 0, { min: 0, integer: true }),
    },
    ...(flags.stop ? { stopStrings: flags.stop as string[] } : {}),
    ...(flags['template-var'] ? { templateVariables: templateVariables(flags['template-var'] as string[]) } : {}),
  };
}
