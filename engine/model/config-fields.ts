import { LongreadError } from '../errors.js';

export interface IntBounds {
  min?: number;
  max?: number;
}

export interface NumberBounds {
  /** The value must be strictly greater than this. */
  above?: number;
  /** The value must be strictly less than this. */
  below?: number;
}

/** Typed access to config.json fields with errors that name the field. */
export class ConfigReader {
  constructor(
    private readonly config: Record<string, unknown>,
    private readonly what: string,
  ) {}

  has(key: string): boolean {
    return this.config[key] !== undefined && this.config[key] !== null;
  }

  /** An integer in [min, max] (default: any non-negative safe integer). */
  int(key: string, fallback?: number, { min = 0, max = Number.MAX_SAFE_INTEGER }: IntBounds = {}): number {
    const v = this.config[key] ?? fallback;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
      const range = max === Number.MAX_SAFE_INTEGER ? `an integer ≥ ${min}` : `an integer from ${min} to ${max}`;
      throw new LongreadError('BAD_CONFIG', `${this.what}: "${key}" must be ${range}, got ${JSON.stringify(v)}`);
    }
    return v;
  }

  /** A finite number, optionally within (above, below). */
  num(key: string, fallback?: number, { above = -Infinity, below = Infinity }: NumberBounds = {}): number {
    const v = this.config[key] ?? fallback;
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= above || v >= below) {
      const range = [above > -Infinity ? `> ${above}` : '', below < Infinity ? `< ${below}` : ''].filter(Boolean).join(' and ');
      throw new LongreadError('BAD_CONFIG', `${this.what}: "${key}" must be a number${range ? ` ${range}` : ''}, got ${JSON.stringify(v)}`);
    }
    return v;
  }

  bool(key: string, fallback: boolean): boolean {
    const v = this.config[key] ?? fallback;
    if (typeof v !== 'boolean') {
      throw new LongreadError('BAD_CONFIG', `${this.what}: "${key}" must be true or false, got ${JSON.stringify(v)}`);
    }
    return v;
  }

  raw(key: string): unknown {
    return this.config[key];
  }

  intList(key: string): number[] {
    const v = this.config[key];
    if (v === undefined || v === null) return [];
    const list = Array.isArray(v) ? v : [v];
    if (list.every((x) => typeof x === 'number' && Number.isSafeInteger(x) && x >= 0)) return list as number[];
    throw new LongreadError('BAD_CONFIG', `${this.what}: "${key}" must be a token id or a list of them`);
  }
}
