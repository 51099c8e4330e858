import { LongreadError } from '../errors.js';

/** Typed access to config.json fields with errors that name the field. */
export class ConfigReader {
  constructor(
    private readonly config: Record<string, unknown>,
    private readonly what: string,
  ) {}

  has(key: string): boolean {
    return this.config[key] !== undefined && this.config[key] !== null;
  }

  int(key: string, fallback?: number): number {
    const v = this.config[key] ?? fallback;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) {
      throw new LongreadError('BAD_CONFIG', `${this.what}: "${key}" must be a non-negative integer, got ${JSON.stringify(v)}`);
    }
    return v;
  }

  num(key: string, fallback?: number): number {
    const v = this.config[key] ?? fallback;
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new LongreadError('BAD_CONFIG', `${this.what}: "${key}" must be a number, got ${JSON.stringify(v)}`);
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
    if (typeof v === 'number') return [v];
    if (Array.isArray(v) && v.every((x) => typeof x === 'number')) return v as number[];
    throw new LongreadError('BAD_CONFIG', `${this.what}: "${key}" must be a token id or a list of them`);
  }
}
