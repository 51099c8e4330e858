import { LongreadError } from '../errors.js';

/** Parses "--name value" / "--flag" arguments against a list of known options, with clear errors. */
export function parseFlags(argv: string[], known: Record<string, 'string' | 'boolean' | 'list'>): Record<string, string | boolean | string[]> {
  const out: Record<string, string | boolean | string[]> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) throw new LongreadError('BAD_ARGUMENT', `Unexpected argument "${a}"`);
    const [name, inline] = a.slice(2).split(/=(.*)/s, 2);
    const kind = known[name];
    if (!kind) throw new LongreadError('BAD_ARGUMENT', `Unknown option --${name}. Known: ${Object.keys(known).map((k) => `--${k}`).join(', ')}`);
    if (kind === 'boolean') {
      out[name] = true;
      continue;
    }
    if (kind === 'list') {
      const values: string[] = inline !== undefined ? [inline] : [];
      while (inline === undefined && i + 1 < argv.length && !argv[i + 1].startsWith('--')) values.push(argv[++i]);
      if (!values.length) throw new LongreadError('BAD_ARGUMENT', `--${name} needs at least one value`);
      out[name] = [...((out[name] as string[] | undefined) ?? []), ...values.flatMap((v) => v.split(',')).filter(Boolean)];
      continue;
    }
    const value = inline ?? argv[++i];
    if (value === undefined) throw new LongreadError('BAD_ARGUMENT', `--${name} needs a value`);
    out[name] = value;
  }
  return out;
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
