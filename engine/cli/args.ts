import { parseArgs } from 'node:util';
import { LongreadError } from '../errors.js';

/**
 * How an option takes values: one string, none (a switch), several words (`--docs a b`, `--ratios 0.5,0.2`: split on
 * commas), or several texts kept whole (`--stop "a, b"`: a stop string may hold a comma).
 */
export type FlagKind = 'string' | 'boolean' | 'list' | 'texts';

export type ParsedFlags = Record<string, string | boolean | string[]> & { _?: string[] };

/**
 * Every command's options, parsed by node's `parseArgs` against the command's known options (clear errors for an
 * unknown option or a missing value). Without `positionals`, a list option also takes the words that follow it up
 * to the next option and any other word is refused; with them, a list option takes one value per occurrence
 * (`--stop A --stop B`) and the other words are collected in `_`.
 */
export function parseFlags(argv: readonly string[], known: Record<string, FlagKind>, opts: { positionals?: boolean } = {}): ParsedFlags {
  const options = Object.fromEntries(
    Object.entries(known).map(([name, kind]) => [name, kind === 'boolean' ? { type: 'boolean' as const } : { type: 'string' as const, multiple: kind === 'list' || kind === 'texts' }]),
  );
  let tokens;
  try {
    ({ tokens } = parseArgs({ args: [...argv], options, strict: true, allowPositionals: true, tokens: true }));
  } catch (e) {
    const message = (e as Error).message.replace(/\. To specify a positional argument.*$/s, '');
    throw new LongreadError('BAD_ARGUMENT', `${message}. Known options: ${Object.keys(known).map((k) => `--${k}`).join(', ')}`);
  }
  const out: ParsedFlags = {};
  const positionals: string[] = [];
  let lastList: string | null = null;
  for (const t of tokens) {
    if (t.kind === 'option-terminator') continue;
    if (t.kind === 'positional') {
      if (lastList) (out[lastList] as string[]).push(...words(t.value, known[lastList]));
      else if (opts.positionals) positionals.push(t.value);
      else throw new LongreadError('BAD_ARGUMENT', `Unexpected argument "${t.value}"`);
      continue;
    }
    const kind = known[t.name];
    lastList = null;
    if (kind === 'boolean') out[t.name] = true;
    else if (kind === 'string') out[t.name] = t.value ?? '';
    else {
      out[t.name] = [...((out[t.name] as string[] | undefined) ?? []), ...words(t.value ?? '', kind)];
      if (!opts.positionals) lastList = t.name;
    }
  }
  for (const [name, kind] of Object.entries(known)) {
    if ((kind === 'list' || kind === 'texts') && Array.isArray(out[name]) && (out[name] as string[]).length === 0) {
      throw new LongreadError('BAD_ARGUMENT', `--${name} needs at least one value`);
    }
  }
  if (opts.positionals) out._ = positionals;
  return out;
}

function words(value: string, kind: FlagKind): string[] {
  return kind === 'list' ? value.split(',').filter(Boolean) : [value];
}

export function numberFlag(flags: Record<string, unknown>, name: string, fallback: number, { min = -Infinity, max = Infinity, integer = false } = {}): number {
  const raw = flags[name];
  if (raw === undefined) return fallback;
  const v = Number(raw);
  if (!Number.isFinite(v) || v < min || v > max || (integer && !Number.isInteger(v))) {
    throw new LongreadError('BAD_ARGUMENT', `--${name} must be ${integer ? 'an integer' : 'a number'} in [${min}, ${max}], got "${String(raw)}"`);
  }
  return v;
}

export function requireString(flags: Record<string, unknown>, name: string): string {
  const v = flags[name];
  if (typeof v !== 'string' || !v) throw new LongreadError('BAD_ARGUMENT', `--${name} is required`);
  return v;
}

export function choiceFlag<T extends string>(flags: Record<string, unknown>, name: string, choices: readonly T[], fallback: T): T {
  const v = flags[name];
  if (v === undefined) return fallback;
  if (typeof v !== 'string' || !choices.includes(v as T)) {
    throw new LongreadError('BAD_ARGUMENT', `--${name} must be one of ${choices.join(', ')}, got "${String(v)}"`);
  }
  return v as T;
}
