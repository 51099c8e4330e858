import { keepAll, keepSlots } from '../select.js';
import type { CompactedHead, CompactionMethod, CompactOptions, HeadBlock } from '../types.js';
import { validateBlock, validateBudget } from '../validate.js';

/** Validates, and returns the block verbatim when the budget covers it; otherwise runs `compactStrict(t)`. */
export async function withBudget(
  block: HeadBlock,
  budget: number,
  needsQueries: boolean,
  compactStrict: (t: number) => Promise<CompactedHead>,
): Promise<CompactedHead> {
  validateBlock(block, needsQueries);
  validateBudget(budget);
  return budget >= block.T ? keepAll(block) : compactStrict(budget);
}

/** A method that only chooses slots: β = 0 (existing bias kept) and values copied. */
export abstract class EvictionMethod implements CompactionMethod {
  abstract readonly name: string;
  protected readonly needsQueries: boolean = false;

  /** Kept slots for 1 ≤ t < T, ascending. */
  abstract select(block: HeadBlock, t: number, opts: CompactOptions): Promise<Int32Array>;

  compact(block: HeadBlock, budget: number, opts: CompactOptions): Promise<CompactedHead> {
    return withBudget(block, budget, this.needsQueries, async (t) => keepSlots(block, await this.select(block, t, opts)));
  }
}
