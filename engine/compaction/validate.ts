import { LongreadError } from '../errors.js';
import type { HeadBlock } from './types.js';

function bad(message: string): never {
  throw new LongreadError('BAD_ARGUMENT', message);
}

function positiveInt(x: number, what: string): void {
  if (!Number.isInteger(x) || x < 1) bad(`${what} must be a positive integer, got ${x}`);
}

/** Checks shapes once at the method boundary so the numeric code can trust its inputs. */
export function validateBlock(block: HeadBlock, needsQueries: boolean): void {
  const { T, d, n } = block;
  positiveInt(T, 'block.T');
  positiveInt(d, 'block.d');
  if (block.keys.length !== T * d) bad(`block.keys has ${block.keys.length} entries, expected T·d = ${T * d}`);
  if (block.values.length !== T * d) bad(`block.values has ${block.values.length} entries, expected T·d = ${T * d}`);
  if (block.bias.length !== T) bad(`block.bias has ${block.bias.length} entries, expected T = ${T}`);
  if (!(Number.isFinite(block.scale) && block.scale > 0)) bad(`block.scale must be a positive number, got ${block.scale}`);
  if (!Number.isInteger(n) || n < 0) bad(`block.n must be a non-negative integer, got ${n}`);
  if (block.queries.length !== n * d) bad(`block.queries has ${block.queries.length} entries, expected n·d = ${n * d}`);
  if (needsQueries && n < 1) bad('this compaction method needs at least one reference query (block.n ≥ 1)');
  if (block.queryPositions && block.queryPositions.length !== n) {
    bad(`block.queryPositions has ${block.queryPositions.length} entries, expected n = ${n}`);
  }
  // One NaN in the cache would silently poison every score, selection and fit downstream.
  for (const [name, arr] of [
    ['keys', block.keys],
    ['values', block.values],
    ['bias', block.bias],
    ['queries', block.queries],
  ] as const) {
    if (!allFinite(arr)) bad(`block.${name} contains NaN or infinite entries`);
  }
  if (block.windowQueries) {
    const wn = block.windowN ?? 0;
    if (block.windowQueries.length !== wn * d) {
      bad(`block.windowQueries has ${block.windowQueries.length} entries, expected windowN·d = ${wn * d}`);
    }
  }
}

export function validateBudget(budget: number): void {
  positiveInt(budget, 'budget');
}

/** True when no entry is NaN or ±∞ (x·0 is NaN exactly for those), in one tight loop. */
export function allFinite(arr: ArrayLike<number>): boolean {
  let acc = 0;
  for (let i = 0; i < arr.length; i++) acc += arr[i] * 0;
  return acc === 0;
}
