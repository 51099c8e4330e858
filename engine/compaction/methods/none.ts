import { keepAll } from '../select.js';
import type { CompactedHead, CompactionMethod, HeadBlock } from '../types.js';
import { validateBlock, validateBudget } from '../validate.js';

/** No compaction: the full block, whatever the budget (the reference every method is compared with). */
export class NoCompaction implements CompactionMethod {
  readonly name = 'none';

  async compact(block: HeadBlock, budget: number): Promise<CompactedHead> {
    validateBlock(block, false);
    validateBudget(budget);
    return keepAll(block);
  }
}
